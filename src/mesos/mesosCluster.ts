import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DockerHost } from "../docker/dockerHost";
import { ports } from "../plan/plan";
import { packageSettings } from "../packages/packages";
import { Host, hostFile, hostScript, lastLine } from "../remote/remote";
import { MesosConfig, mesosPackages } from "./config";

export interface MesosAgent {
    host: Host;
    /** The Docker engine on the same host: the Docker containerizer needs it. */
    docker: DockerHost;
}

export interface MesosClusterArgs {
    /** An odd number of masters (an even one while a dead master is replaced; never 2). */
    masters: Host[];
    agents: MesosAgent[];
    /** The masters' `--quorum` for their replicated log: a majority of them (the plan's mesos.quorum). */
    quorum: number;
    /** ZooKeeper `host:2181,...` (ZookeeperEnsemble.connectString). */
    zookeeperConnectString: pulumi.Input<string>;
    /** Where the Mesos package comes from (`twister2-cluster:mesos.repository`); the host's packages step installed it. */
    repository: MesosConfig["repository"];
    /** Name shown in the Mesos UI. */
    cluster: string;
    /** Where the init wrapper reads agent flags: /etc/mesos-agent (AVENTER) or /etc/mesos-slave (Mesosphere). */
    agentFlagsDir: string;
    /** Parent of the masters' and agents' work directories. */
    workDir: string;
    /** Long enough for a first image pull. */
    executorRegistrationTimeout: string;
    /** The principal agents authenticate as; its secret is generated. */
    agentPrincipal: string;
    agentAttributes?: Record<string, string>;
    /** Mesos resources string; by default each agent offers what it detects. */
    agentResources?: string;
}

export const masterCredentialsFile = "/etc/mesos/credentials.json";
export const agentCredentialFile = "/etc/mesos/agent-credential.json";

/** Flags of a master, one file each in /etc/mesos-master (`zk` comes from /etc/mesos/zk). */
export function masterFlags(host: Host, args: Pick<MesosClusterArgs, "quorum" | "cluster" | "workDir">): Record<string, string> {
    return {
        quorum: String(args.quorum),
        work_dir: `${args.workDir}/master`,
        ip: host.address,
        hostname: host.address,
        port: String(ports.mesosMaster),
        cluster: args.cluster,
        authenticate_agents: "true",
        credentials: masterCredentialsFile,
    };
}

/** Flags of an agent, one file each in the agent flags directory (`master` comes from /etc/mesos/zk). */
export function agentFlags(host: Host, args: Omit<MesosClusterArgs, "masters" | "agents" | "quorum" | "zookeeperConnectString" | "repository">): Record<string, string> {
    const attributes = Object.entries(args.agentAttributes ?? {}).map(([k, v]) => `${k}:${v}`).join(";");
    return {
        work_dir: `${args.workDir}/agent`,
        ip: host.address,
        hostname: host.address,
        port: String(ports.mesosAgent),
        containerizers: "docker,mesos",
        executor_registration_timeout: args.executorRegistrationTimeout,
        credential: agentCredentialFile,
        ...(attributes ? { attributes } : {}),
        ...(args.agentResources ? { resources: args.agentResources } : {}),
    };
}

const flagLines = (flags: Record<string, string>) => Object.entries(flags).map(([k, v]) => `${k}=${v}`).join("\n");
/** A daemon's packages (the Mesos package first) and their repository, for a daemon step undone and run again. */
function daemonPackages(thing: "mesos-master" | "mesos-agent", repository: MesosConfig["repository"]) {
    const need = mesosPackages(thing, repository);
    return { PACKAGES: need.packages.join(" "), REPOSITORIES: packageSettings([need], hostFile).REPOSITORIES };
}

/**
 * Mesos masters and agents from a package repository, configured through flag files, with agents
 * authenticating to the masters. Done when the leading master shows every agent activated.
 */
export class MesosCluster extends pulumi.ComponentResource {
    /** `zk://<zookeeper>/mesos`: what Twister2 and the agents use to find the leader. */
    public readonly zkUrl: pulumi.Output<string>;
    /** Every master's URL (`http://<address>:5050`): the Mesos UI, and the masters' HTTP API. */
    public readonly masterUrls: string[];
    /** The installed Mesos package version by host name. */
    public readonly versions: Record<string, pulumi.Output<string>> = {};
    /** The URL of the master that led when the cluster was last checked. */
    public readonly leaderUrl: pulumi.Output<string>;

    constructor(name: string, args: MesosClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("twister2:cluster:MesosCluster", name, {}, opts);
        if (args.masters.length === 0 || args.masters.length === 2) throw new Error(`Mesos needs 1, 3 or more masters, got ${args.masters.length}`);
        this.zkUrl = pulumi.output(args.zookeeperConnectString).apply((connect) => `zk://${connect}/mesos`);
        this.masterUrls = args.masters.map((m) => `http://${m.address}:${ports.mesosMaster}`);

        // Letters and digits only: the secret travels in JSON credential files and never needs quoting.
        const secret = new random.RandomPassword(`${name}-agent-secret`, {
            length: 32,
            special: false,
            keepers: { principal: args.agentPrincipal },
        }, { parent: this });
        const principal = args.agentPrincipal;

        const masters = args.masters.map((host) => {
            const flags = masterFlags(host, args);
            const daemon = { SERVICE: "mesos-master", FLAGS_DIR: "/etc/mesos-master", CREDENTIAL_FILE: masterCredentialsFile, WORK_DIR: flags.work_dir };
            const master = hostScript(`${name}-${host.name}-master`, {
                host,
                create: "mesos-daemon.sh",
                createSettings: {
                    ...daemon, ZK_URL: this.zkUrl, FLAGS: flagLines(flags), NEEDS_DOCKER: false,
                    HEALTH_URL: `http://${host.address}:${ports.mesosMaster}/master/health`,
                    ...daemonPackages("mesos-master", args.repository),
                },
                stdin: secret.result.apply((s) => JSON.stringify({ credentials: [{ principal, secret: s }] })),
                delete: "mesos-daemon-stop.sh",
                deleteSettings: daemon,
            }, { parent: this });
            this.versions[host.name] = lastLine(master.stdout);
            return master;
        });

        const agents = args.agents.map(({ host, docker }) => {
            const flags = agentFlags(host, args);
            const daemon = { SERVICE: "mesos-agent", FLAGS_DIR: args.agentFlagsDir, CREDENTIAL_FILE: agentCredentialFile, WORK_DIR: flags.work_dir };
            const agent = hostScript(`${name}-${host.name}-agent`, {
                host,
                create: "mesos-daemon.sh",
                createSettings: {
                    ...daemon, ZK_URL: this.zkUrl, FLAGS: flagLines(flags), NEEDS_DOCKER: true,
                    HEALTH_URL: `http://${host.address}:${ports.mesosAgent}/health`,
                    ...daemonPackages("mesos-agent", args.repository),
                },
                stdin: secret.result.apply((s) => JSON.stringify({ principal, secret: s })),
                delete: "mesos-daemon-stop.sh",
                deleteSettings: daemon,
            }, { parent: this, dependsOn: [docker, ...masters] });
            this.versions[host.name] ??= lastLine(agent.stdout);
            return agent;
        });

        const registered = hostScript(`${name}-agents-registered`, {
            host: args.masters[0],
            create: "mesos-leader-url.sh",
            createSettings: {
                MASTERS: args.masters.map((m) => m.address).join(" "),
                AGENTS: args.agents.map((a) => a.host.address).join(" "),
            },
        }, { parent: this, dependsOn: [...masters, ...agents] });

        this.leaderUrl = registered.stdout.apply((out) => out.trim().split("\n").pop()?.trim() ?? "");
        this.registerOutputs({ zkUrl: this.zkUrl, masterUrls: this.masterUrls, leaderUrl: this.leaderUrl });
    }
}
