// npm run check: what the live cluster should be (from the stack's config and outputs) against what its
// hosts and Mesos report. Pure: the facts come in (from check/probe.sh on each host, and
// the leading Mesos master's /master/state), the results go out, each difference with its repair.
import type { StackOutputs } from "../liveStack";
import { plan, StackConfig } from "../../components";
import type { ClusterHost } from "../../framework/config/stackConfig";

/** `<fact> <value...>` lines of check/probe.sh, by fact (a fact may repeat: swarm-node). */
export type HostFacts = Map<string, string[]>;

export function parseFacts(text: string): HostFacts {
    const facts: HostFacts = new Map();
    for (const line of text.split("\n")) {
        const match = /^(\S+) (.*)$/.exec(line.trim());
        if (match) facts.set(match[1], [...(facts.get(match[1]) ?? []), match[2]]);
    }
    return facts;
}

/** How a difference is repaired: steps of the stack to replace (one `pulumi up`), or a command to run. */
export type Repair = { replace: string[] } | { command: string };

export interface CheckResult {
    host: string;
    component: string;
    check: string;
    ok: boolean;
    /** What was found (and, when it differs, what was expected). */
    detail: string;
    repair?: Repair;
}

/** The leading master's /master/state, the parts read here. */
export interface MesosState {
    leader?: string;
    version?: string;
    slaves: { hostname: string; active: boolean; attributes: Record<string, unknown> }[];
}

export interface ClusterFacts {
    /** Per host name: its facts, or why it could not be read. */
    hosts: Map<string, HostFacts | { error: string }>;
    mesos?: MesosState | { error: string };
    /** The uploader's answers: GET of its URL (a listing must be refused), HEAD of the core package. */
    uploader?: { listing: number | string; corePackage?: number | string };
}

const isError = (value: unknown): value is { error: string } => typeof value === "object" && value !== null && "error" in value;

/** Every check of the cluster, in host order, then the cluster-wide ones. */
export function checkCluster(config: StackConfig, outputs: StackOutputs, facts: ClusterFacts): CheckResult[] {
    const results: CheckResult[] = [];
    const add = (host: string, component: string, check: string, ok: boolean, detail: string, repair?: Repair) =>
        results.push({ host, component, check, ok, detail, repair: ok ? undefined : repair });
    const replace = (...names: string[]): Repair => ({ replace: names });
    const layout = plan(config);
    const managers = layout.swarm?.managers ?? [];
    const swarmHosts = [...managers, ...layout.swarm?.workers ?? []];
    // The first manager's node is made by swarm-init; every other node's by its join step (joined anew,
    // it has a new id, so swarm-members runs again in the same up and removes the entry it left behind).
    const swarmSteps = (host: ClusterHost) => host === managers[0] ? replace("swarm-init") : replace(`swarm-join-${host.name}`);
    const zookeeperCount = layout.zookeeper?.servers.length ?? 0;
    const agents = layout.mesos?.agents ?? [];
    const services = new Map((outputs.hosts ?? []).map((h) => [h.name, h.services]));

    for (const host of config.hosts) {
        const got = facts.hosts.get(host.name);
        if (!got || isError(got)) {
            add(host.name, "host", "reachable over SSH", false, got?.error ?? "not probed",
                { command: `ssh ${host.user}@${host.address} -p ${host.port} (check the host, its sshd and the key; a host gone for good leaves the stack's hosts)` });
            continue;
        }
        const one = (key: string) => got.get(key)?.[0] ?? "absent";
        if (layout.docker?.hosts.includes(host)) {
            const expected = services.get(host.name)?.docker;
            const engine = one("docker");
            add(host.name, "docker", "engine running", /^\d/.test(engine) && (!expected || engine === expected),
                expected && engine !== expected ? `${engine}, expected ${expected}` : engine, replace(`docker-${host.name}-engine`));
        }
        if (swarmHosts.includes(host)) {
            const [state] = one("swarm").split(" ");
            add(host.name, "swarm", "node active", state === "active", `LocalNodeState ${state}`,
                swarmSteps(host));
        }
        if (host.roles.includes("zookeeper")) {
            const mode = one("zookeeper");
            const wanted = zookeeperCount === 1 ? ["standalone"] : ["leader", "follower"];
            add(host.name, "zookeeper", "serving", wanted.includes(mode), `srvr: ${mode}`, replace(`zookeeper-${host.name}-server`));
            const id = String(config.zookeeper.serverIds[host.name]);
            add(host.name, "zookeeper", "server id", one("zookeeper-id") === id, `myid ${one("zookeeper-id")}${one("zookeeper-id") === id ? "" : `, expected ${id}`}`,
                replace(`zookeeper-${host.name}-server`));
        }
        for (const role of ["mesos-master", "mesos-agent"] as const) {
            if (!host.roles.includes(role)) continue;
            const unit = one(role);
            add(host.name, "mesos", `${role} service`, unit === "active", unit, replace(`mesos-${host.name}-${role.slice("mesos-".length)}`));
        }
        if (host.roles.includes("mesos-agent") && outputs.workerImage) {
            const expected = outputs.workerImage.imageIds[host.name];
            const id = one("image");
            add(host.name, "worker image", outputs.workerImage.image, id === expected,
                id === expected ? id.slice(0, 19) : `${id === "absent" ? "missing" : id.slice(0, 19)}, expected ${expected?.slice(0, 19)}`,
                replace(`worker-image-${host.name}`));
        }
        if (host.roles.includes("nfs-server") && outputs.nfsShare) {
            add(host.name, "nfs", "server running", one("nfs-service") === "active", one("nfs-service"), replace("nfs-server"));
            add(host.name, "nfs", `exports ${outputs.nfsShare.path}`, one("nfs-export") === outputs.nfsShare.path, one("nfs-export"), replace("nfs-server"));
        }
        if (host.roles.includes("uploader")) {
            add(host.name, "uploader", "nginx running", one("uploader-nginx") === "active", one("uploader-nginx"), replace("uploader-server"));
        }
    }

    // The swarm as its first manager sees it: every configured node Ready in its role, no other node.
    const first = managers[0] && facts.hosts.get(managers[0].name);
    if (first && !isError(first)) {
        const nodes = (first.get("swarm-node") ?? []).map((line) => {
            const [addr, state, role, availability, id] = line.split(" ");
            return { addr, state, role, availability, id };
        });
        for (const host of swarmHosts) {
            const role = managers.includes(host) ? "manager" : "worker";
            const node = nodes.find((n) => n.addr === host.address && n.state === "ready");
            add(host.name, "swarm", `listed Ready as ${role}`, node?.role === role && node.availability === "active",
                node ? `${node.state} ${node.role} ${node.availability}` : "not Ready in docker node ls", swarmSteps(host));
        }
        // Entries of the stack's hosts that are not Ready go with the host's repair (its join anew runs
        // swarm-members again, which removes every node but the stack's); a node at another address is
        // not the stack's at all: swarm-members run again removes it.
        for (const node of nodes.filter((n) => !swarmHosts.some((h) => h.address === n.addr))) {
            add(managers[0].name, "swarm", "no node other than the stack's", false, `node ${node.id} (${node.addr}, ${node.state} ${node.role}) is not one of the stack's hosts`,
                replace("swarm-members"));
        }
        if (outputs.overlayNetwork) {
            const [driver, attachable, scope] = (first.get("overlay")?.[0] ?? "absent").split(" ");
            add(managers[0].name, "overlay", `${outputs.overlayNetwork.name} attachable`, driver === "overlay" && attachable === "true" && scope === "swarm",
                driver === "absent" ? "missing" : `driver ${driver}, attachable ${attachable}, scope ${scope}`, { command: "pulumi refresh --yes, then pulumi up (the network is made again)" });
        }
    }

    // Mesos as the leading master sees it: a leader, every configured agent active with its attributes.
    if (layout.mesos) {
        const mesos = facts.mesos;
        if (!mesos || isError(mesos)) {
            add("mesos", "mesos", "a leading master", false, mesos?.error ?? "not asked");
        } else {
            add("mesos", "mesos", "a leading master", Boolean(mesos.leader), `${mesos.leader ?? "none"} (${mesos.version ?? "?"})`);
            const wantedAttributes = Object.entries(config.mesos.agentAttributes ?? {}).map(([k, v]) => `${k}:${v}`).sort().join(";");
            for (const host of agents) {
                const agent = mesos.slaves.find((s) => s.hostname === host.address);
                const attributes = agent ? Object.entries(agent.attributes).map(([k, v]) => `${k}:${v}`).sort().join(";") : "";
                add(host.name, "mesos", "agent active at the leader", Boolean(agent?.active) && attributes === wantedAttributes,
                    !agent ? "not registered" : !agent.active ? "inactive" : attributes === wantedAttributes ? `active${attributes ? `, ${attributes}` : ""}` : `attributes ${attributes || "none"}, expected ${wantedAttributes || "none"}`,
                    replace(`mesos-${host.name}-agent`));
            }
            for (const extra of mesos.slaves.filter((s) => !agents.some((h) => h.address === s.hostname))) {
                // An agent the leader lost (its host died) stays listed, inactive, until Mesos gives up on it.
                add("mesos", "mesos", "no agent other than the stack's", false, extra.active ? `agent ${extra.hostname} is registered`
                    : `agent ${extra.hostname} is registered, inactive`, { command: extra.active ? `stop mesos-agent on ${extra.hostname}`
                    : "none: the leader removes an agent it cannot reach after agent_ping_timeout x max_agent_ping_timeouts (75 s by default)" });
            }
        }
    }

    if (outputs.uploader && facts.uploader) {
        const { listing, corePackage } = facts.uploader;
        const host = layout.uploader?.name ?? "uploader";
        add(host, "uploader", `GET ${outputs.uploader.url} refuses a listing`, listing === 403 || listing === 404, `HTTP ${listing}`, replace("uploader-server"));
        if (outputs.uploader.corePackageUrl) {
            add(host, "uploader", "HEAD of the core package", corePackage === 200, `HTTP ${corePackage}`, replace("uploader-core-package"));
        }
    }
    return results;
}

/** The one `pulumi up` that replaces every step the differences name, and the commands left to run by hand. */
export function repairPlan(results: CheckResult[], urns: Map<string, string>, stack: string): { pulumiUp?: string; commands: string[]; unknown: string[] } {
    const replace = new Set<string>();
    const commands = new Set<string>();
    const unknown: string[] = [];
    for (const result of results.filter((r) => !r.ok && r.repair)) {
        const repair = result.repair!;
        if ("command" in repair) commands.add(repair.command);
        else {
            for (const name of repair.replace) {
                const urn = urns.get(name);
                if (urn) replace.add(urn);
                else if (!unknown.includes(name)) unknown.push(name);
            }
        }
    }
    const pulumiUp = replace.size > 0
        ? `pulumi up --stack ${stack} ${[...replace].map((urn) => `--replace '${urn}'`).join(" ")}`
        : undefined;
    return { pulumiUp, commands: [...commands], unknown };
}
