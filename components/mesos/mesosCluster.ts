import type * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DockerHost } from "../docker/dockerHost";
import { quorumRule } from "../../framework/component";
import { Host, lastLine, Remote } from "../../framework/remote/remote";
import { pinText, PackagePin } from "../../framework/packages/packages";
import { batched, chained, lastBatch, leaderLastVisits, rollTrigger, versionAfterRoll, visitStepName } from "../../framework/remote/rolling";
import { mesosPorts, mesosScripts } from "./component";

export interface MesosAgent {
    host: Host;
    /** The Docker engine on the same host: the Docker containerizer needs it. */
    docker: DockerHost;
}

export interface MesosClusterArgs {
    /** The stack's context for steps on hosts (index.ts makes one). */
    remote: Remote;
    /** An odd number of masters (an even one while a dead master is replaced; never 2). */
    masters: Host[];
    agents: MesosAgent[];
    /** The masters' `--quorum` for their replicated log: a majority of them (the plan's mesos.quorum). */
    quorum: number;
    /** ZooKeeper `host:2181,...` (ZookeeperEnsemble.connectString). */
    zookeeperConnectString: pulumi.Input<string>;
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
    /** The principal frameworks on the HTTP scheduler API authenticate as; its secret is generated. */
    frameworkPrincipal: string;
    /** The principal that may use the masters' and agents' read-write HTTP endpoints; its secret is generated. */
    operatorPrincipal: string;
    /** Whether frameworks on the libmesos driver (Twister2's launcher, which has no credentials) must authenticate. */
    authenticateFrameworks: boolean;
    agentAttributes?: Record<string, string>;
    /** Mesos resources string; by default each agent offers what it detects. */
    agentResources?: string;
    /** When a change restarts the agents (after the masters), how long each drained agent's tasks get before they are killed. */
    agentDrainGraceSeconds: number;
    /**
     * The Mesos package's version, or one per Debian release (the host's setup step installs it; mesosPackages):
     * a change runs the daemons' steps again, which mark the running ones, and the roll installs it on each
     * host's turn. Left out, whatever the repository offered.
     */
    version?: PackagePin;
    /** How many agents the roll drains and restarts side by side (rollout.maxUnavailable); default 1. */
    agentsAtOnce?: number;
}

export const masterCredentialsFile = "/etc/mesos/credentials.json";
/**
 * A master's ZooKeeper URL with its digest credentials (`zk://mesos:<secret>@.../mesos`), root's alone:
 * /etc/mesos/zk names it (`file://`), so the secret is in no process's arguments. Masters create Mesos's
 * znodes readable by anyone (agents and Twister2 find the leader there) and writable by themselves alone.
 */
export const masterZkUrlFile = "/etc/mesos/zk-credentials.url";
/** The ZooKeeper digest user the masters authenticate as. */
export const zookeeperPrincipal = "mesos";
export const agentCredentialFile = "/etc/mesos/agent-credential.json";
/** The operator's credential, for an agent's read-write endpoints (masters have it in their credentials file). */
export const agentHttpCredentialsFile = "/etc/mesos/agent-http-credentials.json";

/**
 * Who may register an agent (Mesos's local authorizer, the first matching rule decides): the agents' principal,
 * and no one else (every principal in the masters' credentials file can authenticate, the frameworks' and the
 * operator's too).
 */
export const masterAcls = (agentPrincipal: string) => JSON.stringify({
    register_agents: [
        { principals: { values: [agentPrincipal] }, agents: { type: "ANY" } },
        { principals: { type: "ANY" }, agents: { type: "NONE" } },
    ],
});

/** Flags of a master, one file each in /etc/mesos-master (`zk` comes from /etc/mesos/zk). */
export function masterFlags(host: Host, args: Pick<MesosClusterArgs, "quorum" | "cluster" | "workDir" | "agentPrincipal" | "authenticateFrameworks">): Record<string, string> {
    return {
        quorum: String(args.quorum),
        work_dir: `${args.workDir}/master`,
        ip: host.address,
        hostname: host.address,
        port: String(mesosPorts.master),
        cluster: args.cluster,
        authenticate_agents: "true",
        // Frameworks on the v1 HTTP scheduler API give Basic credentials (the framework principal's); those on
        // the libmesos driver, as Twister2's launcher, authenticate only when the stack asks (they have none).
        authenticate_http_frameworks: "true",
        http_framework_authenticators: "basic",
        authenticate_frameworks: String(args.authenticateFrameworks),
        // The operator API, maintenance, teardown and the like: Basic, with a principal of the credentials file.
        authenticate_http_readwrite: "true",
        credentials: masterCredentialsFile,
        acls: masterAcls(args.agentPrincipal),
    };
}

/** Flags of an agent, one file each in the agent flags directory (`master` comes from /etc/mesos/zk). */
export function agentFlags(host: Host, args: Pick<MesosClusterArgs, "workDir" | "executorRegistrationTimeout" | "agentAttributes" | "agentResources">): Record<string, string> {
    const attributes = Object.entries(args.agentAttributes ?? {}).map(([k, v]) => `${k}:${v}`).join(";");
    return {
        work_dir: `${args.workDir}/agent`,
        ip: host.address,
        hostname: host.address,
        port: String(mesosPorts.agent),
        containerizers: "docker,mesos",
        executor_registration_timeout: args.executorRegistrationTimeout,
        credential: agentCredentialFile,
        authenticate_http_readwrite: "true",
        http_credentials: agentHttpCredentialsFile,
        ...(attributes ? { attributes } : {}),
        ...(args.agentResources ? { resources: args.agentResources } : {}),
    };
}

const flagLines = (flags: Record<string, string>) => Object.entries(flags).map(([k, v]) => `${k}=${v}`).join("\n");

/** What a daemon's credentials are for: a line of its step's stdin each, "<what> <principal> <secret>". */
type CredentialUse = "agent" | "framework" | "operator" | "zookeeper";

/**
 * Mesos masters and agents from a package repository, configured through flag files, with agents
 * authenticating to the masters. Each master is done when a master leads, each agent when the leading
 * master shows it active. A change to running daemons rolls: masters one at a time, the leader last,
 * then agents (agentsAtOnce at a time), each drained first.
 */
export class MesosCluster extends pulumi.ComponentResource {
    /** `zk://<zookeeper>/mesos`: what Twister2 and the agents use to find the leader. */
    public readonly zkUrl: pulumi.Output<string>;
    /** Every master's URL (`http://<address>:5050`): the Mesos UI, and the masters' HTTP API. */
    public readonly masterUrls: string[];
    /** The installed Mesos package version by host name, as the daemons' steps and the roll's last visits found it. */
    public readonly versions: Record<string, pulumi.Output<string>> = {};
    /** The URL of the master that led when the first master was last deployed. */
    public readonly leaderUrl: pulumi.Output<string>;
    /** What a framework on the HTTP scheduler API authenticates with (a secret). */
    public readonly frameworkCredential: pulumi.Output<{ principal: string; secret: string }>;
    /** What an operator gives the masters' and agents' read-write endpoints (a secret). */
    public readonly operatorCredential: pulumi.Output<{ principal: string; secret: string }>;
    /** The roll's last step: after it, every marked master and agent (and agent's engine) has restarted. */
    public readonly rolled: pulumi.Resource[];

    constructor(name: string, args: MesosClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("twister2:cluster:MesosCluster", name, {}, opts);
        if (quorumRule.refuses(args.masters.length)) throw new Error(quorumRule.message("Mesos's masters", args.masters.length));
        this.zkUrl = pulumi.output(args.zookeeperConnectString).apply((connect) => `zk://${connect}/mesos`);
        this.masterUrls = args.masters.map((m) => `http://${m.address}:${mesosPorts.master}`);

        // Letters and digits only: secrets travel in JSON credential files and never need quoting. Each is new
        // when its principal changes. The masters' ZooKeeper digest user is theirs alone.
        const credential = (use: CredentialUse, principal: string) => ({
            principal,
            secret: new random.RandomPassword(`${name}-${use}-secret`, {
                length: 32,
                special: false,
                ...use === "zookeeper" ? {} : { keepers: { principal } },
            }, { parent: this }).result,
        });
        const credentials: Record<CredentialUse, { principal: string; secret: pulumi.Output<string> }> = {
            agent: credential("agent", args.agentPrincipal),
            zookeeper: credential("zookeeper", zookeeperPrincipal),
            framework: credential("framework", args.frameworkPrincipal),
            operator: credential("operator", args.operatorPrincipal),
        };
        const credentialOutput = ({ principal, secret }: { principal: string; secret: pulumi.Output<string> }) =>
            pulumi.secret(secret.apply((s) => ({ principal, secret: s })));
        this.frameworkCredential = credentialOutput(credentials.framework);
        this.operatorCredential = credentialOutput(credentials.operator);
        const stdinOf = (uses: CredentialUse[]) => pulumi.secret(pulumi.all(uses.map((use) => credentials[use].secret))
            .apply((secrets) => uses.map((use, i) => `${use} ${credentials[use].principal} ${secrets[i]}`).join("\n")));
        // What every daemon's step is told: where the masters are.
        const shared = { MASTERS: args.masters.map((m) => `${m.address}:${mesosPorts.master}`).join(" ") };
        const isMaster = (host: Host) => args.masters.some((m) => m.name === host.name);

        /** One daemon's step on its host: its flag files, and the service running with them. */
        const daemonStep = (host: Host, service: "master" | "agent", flags: Record<string, string>, dependsOn: pulumi.Resource[] = []) => {
            const daemon = { SERVICE: `mesos-${service}`, FLAGS_DIR: service === "master" ? "/etc/mesos-master" : args.agentFlagsDir };
            // A master (and an agent beside one: /etc/mesos/zk is theirs together) finds ZooKeeper through the URL
            // with the masters' credentials; the master's step writes it, from the second line of its stdin. The agent
            // is told the URL too (SHARED_ZK_URL, without them), so that a new one marks it for the roll.
            const zk = !isMaster(host) ? { ZK_URL: this.zkUrl }
                : { ZK_URL: `file://${masterZkUrlFile}`, ...service === "agent" ? { SHARED_ZK_URL: this.zkUrl } : {} };
            const step = args.remote.hostScript(`${name}-${host.name}-${service}`, {
                host,
                create: mesosScripts.daemon,
                createSettings: {
                    ...daemon, ...shared, ...zk, FLAGS: flagLines(flags), ...args.version === undefined ? {} : { VERSION: pinText(args.version) },
                    ...service === "master" ? { ZK_CREDENTIALS_URL: pulumi.interpolate`${masterZkUrlFile} ${this.zkUrl}` } : {},
                },
                // A master's credentials file holds every principal but ZooKeeper's; an agent has its own and the operator's.
                stdin: stdinOf(service === "master" ? ["agent", "framework", "operator", "zookeeper"] : ["agent", "operator"]),
                delete: mesosScripts.stop,
                deleteSettings: { ...daemon, ...service === "master" ? { ZK_CREDENTIALS_FILE: masterZkUrlFile } : {} },
            }, { parent: this, dependsOn });
            return step;
        };
        const masters = new Map(args.masters.map((host) => [host.name, daemonStep(host, "master", masterFlags(host, args))]));
        // Side by side with the masters: an agent's step waits until a master leads and shows it active. One beside
        // a master waits for that master's step, which writes the ZooKeeper URL they share.
        const agentSteps = args.agents.map(({ host, docker }) => daemonStep(host, "agent", agentFlags(host, args), [docker.engine, ...masters.has(host.name) ? [masters.get(host.name)!] : []]));

        // The roll: a daemon's roll steps run again when its step does (rollTrigger), and restart the daemon if
        // the step marked it (a change it reads at start); a roll step whose daemon has nothing pending does
        // nothing. First the masters, up in their order and back down, so that the one that leads restarts
        // last (framework/remote/rolling.ts); then the agents, agentsAtOnce at a time, each drained first, its
        // host's Docker engine restarted too if daemon.json changed (its tasks run there: the engines' roll,
        // which follows, finds it done).
        const masterRoll = chained([...masters.values(), ...agentSteps], leaderLastVisits(args.masters), ({ member: host, round }, dependsOn) =>
            args.remote.hostScript(visitStepName(`${name}-${host.name}-master-roll`, round), {
                host,
                create: mesosScripts.masterRoll,
                createSettings: { MASTER: `${host.address}:${mesosPorts.master}`, ROUND: round, ...shared, PENDING: rollTrigger(masters.get(host.name)!) },
            }, { parent: this, dependsOn }));
        const agentsAtOnce = args.agentsAtOnce ?? 1;
        // An agent on a swarm worker: its swarm node drained too (at a manager) when its engine restarts (drainedVisit).
        const agentRoll: command.remote.Command[] = [];
        const agentsRolled = batched<MesosAgent, pulumi.Resource, pulumi.Resource>(masterRoll.slice(-1), args.agents, agentsAtOnce, ({ host, docker }, dependsOn, i) => {
            const flags = agentFlags(host, args);
            const { visit, done } = docker.drainedVisit(`${name}-${host.name}-agent-roll`, dependsOn, (waitFor) => args.remote.hostScript(`${name}-${host.name}-agent-roll`, {
                host,
                create: mesosScripts.agentRoll,
                createSettings: {
                    AGENT: flags.hostname, WORK_DIR: flags.work_dir, GRACE_SECONDS: args.agentDrainGraceSeconds, ...shared,
                    PENDING: rollTrigger(agentSteps[i]), ENGINE_PENDING: rollTrigger(docker.engine),
                },
                stdin: pulumi.secret(credentials.operator.secret.apply((secret) => `${credentials.operator.principal} ${secret}`)),
            }, { parent: this, dependsOn: waitFor }));
            agentRoll.push(visit);
            return done;
        });
        this.rolled = agentsRolled.length > 0 ? lastBatch(agentsRolled, agentsAtOnce) : masterRoll.slice(-1);

        // A host's version: what its daemons' steps found (the master's, on a host with both), or what a visit of the
        // roll installed since.
        const visitsOn = (host: Host) => [
            ...leaderLastVisits(args.masters).flatMap(({ member }, v) => member.name === host.name ? [masterRoll[v].stdout] : []),
            ...args.agents.flatMap(({ host: agent }, a) => agent.name === host.name ? [agentRoll[a].stdout] : []),
        ];
        for (const [host, step] of [...args.masters.map((h) => [h, masters.get(h.name)!] as const), ...args.agents.map(({ host: h }, a) => [h, agentSteps[a]] as const)]) {
            this.versions[host.name] ??= versionAfterRoll(lastLine(step.stdout), visitsOn(host));
        }

        // Each master printed "leader <URL>" once a master led.
        this.leaderUrl = masters.get(args.masters[0].name)!.stdout.apply((out) => /^leader (\S+)$/m.exec(out)?.[1] ?? "");
        this.registerOutputs();
    }
}
