// Mesos's contract: the mesos-master and mesos-agent roles, their ports, `twister2-cluster:mesos`, its
// repository's signing key (read from keyFile) and its checks.
import * as path from "node:path";
import { factOf, LiveContext, LiveContract, LiveResult } from "../../framework/check/contract";
import type { ClusterHost } from "../../framework/config/hosts";
import { DrawingContract, Link, Row } from "../../framework/diagram/contract";
import type { FileText } from "../../framework/config/load";
import { notReadable, problem, withRole } from "../../framework/config/rules";
import { pinFor, signingKeyProblem } from "../../framework/packages/packages";
import { hostScriptsIn } from "../../framework/remote/hostScripts";
import { defineComponent, quorumRule } from "../../framework/component";
import { oddQuorumRule, PolicyRule, StackView } from "../../framework/policy/rule";
import { dockerColor, dockerEngineLibrary } from "../docker/component";
import { deployedOutputs, deployedVersion } from "../outputs";
import { ZookeeperLayout, zookeeperEnsembleBox } from "../zookeeper/component";
import { MesosConfig, mesosPackages, mesosSettings, MesosSettings } from "./config";

/** The ports Mesos's daemons listen on. */
export const mesosPorts = { master: 5050, agent: 5051 } as const;

export interface MesosLayout {
    masters: ClusterHost[];
    agents: ClusterHost[];
    /** The masters' `--quorum` for their replicated log: a majority, never set by hand. */
    quorum: number;
}

/** The repository's signing key, when keyFile is set. */
type MesosFiles = FileText | undefined;

/** The scripts its steps run on the hosts (host/). */
export const mesosScripts = {
    ...hostScriptsIn(path.join(__dirname, "host"), { daemon: "mesos-daemon.sh", masterRoll: "mesos-master-roll.sh" }, { libraries: ["mesos-lib.sh"] }),
    // An agent's roll restarts its host's Docker engine too, when daemon.json changed, while the agent is drained.
    ...hostScriptsIn(path.join(__dirname, "host"), { agentRoll: "mesos-agent-roll.sh" }, { libraries: [dockerEngineLibrary, "mesos-lib.sh"] }),
    ...hostScriptsIn(path.join(__dirname, "host"), { stop: "mesos-daemon-stop.sh" }),
};

/** The leading master's /master/state, the parts the checks read. */
interface MesosState {
    leader?: string;
    version?: string;
    slaves: { hostname: string; active: boolean; attributes: Record<string, unknown> }[];
}

/** /master/state of the first master that answers (a master that does not lead redirects: fetch follows). */
async function leaderState(masters: readonly string[], fetch: LiveContext<unknown, unknown>["fetch"]): Promise<MesosState | { error: string }> {
    const problems: string[] = [];
    for (const master of masters) {
        try {
            const response = await fetch(`${master}/master/state`);
            if (response.ok) return await response.json() as MesosState;
            problems.push(`${master}: HTTP ${response.status}`);
        } catch (err) {
            problems.push(`${master}: ${(err as Error).message}`);
        }
    }
    return { error: problems.length > 0 ? `no master answered /master/state: ${problems.join("; ")}` : "no masters in the stack's outputs" };
}

const attributeList = (attributes: Record<string, unknown>): string => Object.entries(attributes).map(([k, v]) => `${k}:${v}`).sort().join(";");

/**
 * npm run check: every daemon's unit active, and Mesos as the leading master sees it: a leader, every
 * configured agent active with its attributes, no other agent (its probe is read only, so not in the
 * hosts' bundle).
 */
const live: LiveContract<MesosConfig, MesosLayout> = {
    probe: {
        script: hostScriptsIn(path.join(__dirname, "host"), { probe: "mesos-probe.sh" }).probe,
        settings: (host, { config, layout }) => {
            const daemons = [...layout.masters.includes(host) ? ["mesos-master"] : [], ...layout.agents.includes(host) ? ["mesos-agent"] : []];
            return daemons.length > 0 ? { DAEMONS: daemons.join(" "), PACKAGE: config.repository.package } : undefined;
        },
    },
    check: async ({ config, layout: { masters, agents }, outputs, facts, fetch }) => {
        const results: LiveResult[] = [];
        for (const [daemon, hosts] of [["mesos-master", masters], ["mesos-agent", agents]] as const) {
            for (const host of hosts) {
                const got = facts(host);
                if (!got) continue;
                const unit = factOf(got, daemon);
                results.push({ host: host.name, check: `${daemon} service`, ok: unit === "active", detail: unit, repair: { replace: [`mesos-${host.name}-${daemon.slice("mesos-".length)}`] } });
            }
        }
        // Pinned: the version each host has (a host left on another by hand takes the pin when mesos.version next changes).
        for (const host of new Set([...masters, ...agents])) {
            const got = facts(host);
            const pinned = got && pinFor(config.version, factOf(got, "release"));
            if (!got || pinned === undefined) continue;
            const version = factOf(got, "version");
            results.push({ host: host.name, check: "version", ok: version === pinned,
                detail: `${config.repository.package} ${version}${version === pinned ? "" : `, expected ${pinned} (mesos.version)`}` });
        }
        const state = await leaderState(deployedOutputs(outputs).mesosMasters ?? [], fetch);
        if ("error" in state) return [...results, { host: "mesos", check: "a leading master", ok: false, detail: state.error }];
        results.push({ host: "mesos", check: "a leading master", ok: Boolean(state.leader), detail: `${state.leader ?? "none"} (${state.version ?? "?"})` });
        const wanted = attributeList(config.agentAttributes ?? {});
        for (const host of agents) {
            const agent = state.slaves.find((s) => s.hostname === host.address);
            const attributes = agent ? attributeList(agent.attributes) : "";
            results.push({
                host: host.name, check: "agent active at the leader", ok: Boolean(agent?.active) && attributes === wanted,
                detail: !agent ? "not registered" : !agent.active ? "inactive" : attributes === wanted ? `active${attributes ? `, ${attributes}` : ""}`
                    : `attributes ${attributes || "none"}, expected ${wanted || "none"}`,
                repair: { replace: [`mesos-${host.name}-agent`] },
            });
        }
        for (const extra of state.slaves.filter((s) => !agents.some((h) => h.address === s.hostname))) {
            // An agent the leader lost (its host died) stays listed, inactive, until Mesos gives up on it.
            results.push({
                host: "mesos", check: "no agent other than the stack's", ok: false,
                detail: extra.active ? `agent ${extra.hostname} is registered` : `agent ${extra.hostname} is registered, inactive`,
                repair: { command: extra.active ? `stop mesos-agent on ${extra.hostname}`
                    : "none: the leader removes an agent it cannot reach after agent_ping_timeout x max_agent_ping_timeouts (75 s by default)" },
            });
        }
        return results;
    },
};

const masterColor = { fill: "#cfe2f3", line: "#0b5394" };
const agentColor = { fill: "#eaf1fb", line: "#3d85c6" };

/**
 * npm run diagram: the masters (the leader, when deployed) electing their leader in the ZooKeeper
 * ensemble, the agents registering with them and running containers on their host's engine.
 */
const drawing: DrawingContract<MesosConfig, MesosLayout> = ({ config, layout, cluster, live }) => {
    const { masters, agents, quorum } = layout;
    const deployed = live && deployedOutputs(live);
    const zkUrl = `zk://${(cluster.zookeeper as ZookeeperLayout).connectString}/mesos`;
    // Marked only when the stack's outputs tell which master leads.
    const leader = deployed?.mesosLeader ? mesosLeaderAddress(layout, deployed.mesosLeader) : undefined;
    const versionLine = (host: ClusterHost, daemon: string) => {
        const version = deployedVersion(live, host.name, daemon);
        return version ? [{ small: version }] : [];
    };
    const links: Link[] = [
        ...masters.map((host): Link => ({
            from: { host, service: "mesos-master" }, to: { box: zookeeperEnsembleBox }, label: host === masters[0] ? "zk://…/mesos" : undefined,
            color: masterColor.line, tooltip: `${host.name}: --zk=${zkUrl} --quorum=${quorum}`,
        })),
        ...agents.flatMap((agent) => [
            ...masters.map((master): Link => ({
                from: { host: agent, service: "mesos-agent" }, to: { host: master, service: "mesos-master" }, label: master === masters[0] ? "registers" : undefined,
                color: masterColor.line, style: leader === undefined || leader === master.address ? "solid" : "dashed",
                tooltip: `${agent.name} registers with the leading master (found through ${zkUrl})`,
            })),
            {
                from: { host: agent, service: "mesos-agent" }, to: { host: agent, service: "docker" }, label: "containers", sideways: true,
                color: dockerColor.line, tooltip: `${agent.name}: --containerizers=docker,mesos`,
            },
        ]),
    ];
    return {
        services: [
            ...masters.map((host) => ({
                host, service: "mesos-master", color: masterColor, row: Row.master, leads: leader === host.address,
                lines: ["Mesos master", `:${mesosPorts.master}${leader === host.address ? " (leader)" : ""}`, ...versionLine(host, "mesos-master")],
            })),
            ...agents.map((host) => ({
                host, service: "mesos-agent", color: agentColor, row: Row.worker,
                lines: ["Mesos agent", `:${mesosPorts.agent}`, ...versionLine(host, "mesos-agent")],
            })),
        ],
        boxes: [{
            id: "mesos", shape: "note", color: masterColor, row: Row.cluster,
            lines: [
                { bold: "Mesos" },
                `cluster ${config.cluster}`,
                `masters ${masters.map((h) => h.name).join(", ")}: quorum ${quorum} of ${masters.length}`,
                `agents ${agents.map((h) => h.name).join(", ") || "none"}`,
                { small: zkUrl },
                { small: `${config.repository.package} from ${config.repository.url}` },
            ],
        }],
        links,
    };
};

/** The flags that make each daemon ask for credentials (mesosCluster.ts: masterFlags, agentFlags); no setting turns them off. */
const authenticationFlags: Record<string, string[]> = {
    "mesos-master": ["authenticate_agents", "authenticate_http_frameworks", "authenticate_http_readwrite"],
    "mesos-agent": ["authenticate_http_readwrite"],
};
const masters = (stack: StackView) => stack.running(mesosScripts.daemon.name).filter((step) => step.settings.SERVICE === "mesos-master");

/** The policy pack's rules about Mesos: its HTTP endpoints authenticate, its masters are a quorum. */
const policies: PolicyRule[] = [
    {
        name: "mesos-http-authentication",
        description: "Mesos masters authenticate agents, HTTP frameworks and the read-write endpoints; agents their read-write endpoints",
        fix: "components/mesos/mesosCluster.ts (masterFlags, agentFlags): no setting turns these off",
        violations: (stack) => stack.running(mesosScripts.daemon.name).flatMap((step) => {
            const flags = new Map((step.settings.FLAGS ?? "").split("\n").map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
            return (authenticationFlags[step.settings.SERVICE] ?? []).filter((flag) => flags.get(flag) !== "true")
                .map((flag) => `${step.settings.SERVICE} on ${step.address} runs without --${flag}=true`);
        }),
    },
    oddQuorumRule("odd-mesos-masters", "Mesos masters", "roles: mesos-master on 1, 3 or 5 hosts", (stack) => new Set(masters(stack).map((step) => step.address)).size),
];

export const mesos = defineComponent<"mesos", MesosSettings, MesosFiles, MesosConfig, MesosLayout>({
    id: "mesos",
    scripts: mesosScripts,
    settings: { key: "mesos", schema: mesosSettings.prefault({}), description: "Where Mesos comes from, and how masters and agents are set up" },
    roles: {
        "mesos-master": {
            description: "a Mesos master", quorum: true,
            needs: [{ role: "zookeeper", fix: "Mesos masters find each other through ZooKeeper; give one host (or three) the zookeeper role" }],
        },
        "mesos-agent": {
            description: "a Mesos agent (the Docker containerizer runs Twister2's workers)", runsContainers: true,
            needs: [{ role: "mesos-master", fix: "mesos-agent hosts need masters; give one host (or three) the mesos-master role" }],
        },
    },
    readFiles: ({ repository }, read) => repository.keyFile === undefined ? undefined : read.text(repository.keyFile),
    // With Mesos hosts, apt needs the repository's signing key.
    check: ({ repository: { keyFile }, ...settings }, { withRole, files: signingKey }) => {
        const where = "mesos.repository.keyFile";
        if (withRole("mesos-master").length + withRole("mesos-agent").length === 0) return [];
        // The masters' one credentials file holds them all: the same principal twice would make one secret the other's.
        const principals = (["frameworkPrincipal", "operatorPrincipal"] as const).flatMap((key, i, keys) => {
            const earlier = (["agentPrincipal", ...keys.slice(0, i)] as const).find((other) => settings[other] === settings[key]);
            return earlier ? [problem(`mesos.${key}`, `is ${settings[key]}, as ${earlier} is: give each a principal of its own`)] : [];
        });
        if (keyFile === undefined || !signingKey) {
            return [...principals, problem(where, "set the path of the repository's ASCII-armored signing key (apt checks every package against it)")];
        }
        const wrong = "text" in signingKey ? signingKeyProblem(signingKey.text) : notReadable(keyFile);
        return [...principals, ...wrong ? [problem(where, `${signingKey.file} ${wrong}`)] : []];
    },
    warn: (settings, { withRole }) => settings.version === undefined && withRole("mesos-master").length + withRole("mesos-agent").length > 0
        ? [`mesos.version is not set: each Mesos host runs the version its repository offered when it was set up, so hosts set up apart may differ (pin one: apt-cache madison ${settings.repository.package})`]
        : [],
    config: (settings, signingKey) => {
        const { keyFile: _, ...repository } = settings.repository;
        return { ...settings, repository: { ...repository, key: signingKey && "text" in signingKey ? signingKey.text : "" } };
    },
    ports: () => ({
        "mesos-master": [{ port: mesosPorts.master, protocol: "tcp", description: "the Mesos master's port", units: ["mesos-master"], clients: ["submitters", "operators"] }],
        "mesos-agent": [{ port: mesosPorts.agent, protocol: "tcp", description: "the Mesos agent's port", units: ["mesos-agent"], clients: ["operators"] }],
    }),
    // Masters need ZooKeeper (the checks make sure a host has the role).
    layout: (_config, hosts) => {
        const masters = withRole(hosts, "mesos-master");
        return withRole(hosts, "zookeeper").length > 0 && masters.length > 0
            ? { masters, agents: withRole(hosts, "mesos-agent"), quorum: quorumRule.majority(masters.length) }
            : undefined;
    },
    packages: (host, layout, config) => [
        ...layout.masters.includes(host) ? [mesosPackages("mesos-master", config.repository, config.version)] : [],
        ...layout.agents.includes(host) ? [mesosPackages("mesos-agent", config.repository, config.version)] : [],
    ],
    live,
    policies,
    drawing,
});

/** The host of an http(s) URL (`http://10.77.0.12:5050` gives 10.77.0.12, `http://[fd00::2]:5050` fd00::2), if it is one. */
export function urlHost(url: string | undefined): string | undefined {
    try {
        const { protocol, hostname } = new URL(url ?? "");
        return (protocol === "http:" || protocol === "https:") && hostname ? hostname.replace(/^\[(.*)\]$/, "$1") : undefined;
    } catch {
        return undefined;
    }
}

/**
 * The leading Mesos master's address: the host of the leader's URL (the mesosLeader output) when it is
 * known, else the first master's (any master redirects to the leader).
 */
export function mesosLeaderAddress(layout: MesosLayout, leaderUrl?: string): string {
    return urlHost(leaderUrl) ?? layout.masters[0].address;
}
