// The cluster of a stack as a Graphviz (DOT) picture: what runs on which host and how the parts find
// each other. Pure: the stack's config (and, when given, values from `pulumi stack output`) in, DOT out.
// See scripts/diagram.sh for the command (`npm run diagram -- STACK`).
import { plan, StackConfig } from "../components";
import { mesosLeaderAddress, mesosPorts } from "../components/mesos/component";
import { zookeeperPorts } from "../components/zookeeper/component";
import type { ClusterHost } from "../framework/config/stackConfig";

/** What `pulumi stack output --json` adds, when the stack has been deployed (every field optional). */
export interface LiveValues {
    /** `http://<address>:5050` of the leading Mesos master. */
    mesosLeader?: string;
    /** ZooKeeper mode per server address (as the zookeeperModes output has it): leader, follower, standalone. */
    zookeeperModes?: Record<string, string>;
    /** Versions per host and service (`hosts[].services`: docker, zookeeper, mesos-master, mesos-agent, nfs-server). */
    versions?: Record<string, Record<string, string>>;
    /** Swarm node id per host name. */
    swarmNodeIds?: Record<string, string>;
    /** The overlay network's Docker id. */
    overlayNetworkId?: string;
}

export interface DiagramOptions {
    /** The stack's name, for the title. */
    stack?: string;
}

/** Picks the values the picture uses out of `pulumi stack output --json`; anything else (or malformed) is ignored. */
export function liveValues(outputs: unknown): LiveValues | undefined {
    if (!isRecord(outputs)) return undefined;
    const live: LiveValues = {};
    if (typeof outputs.mesosLeader === "string") live.mesosLeader = outputs.mesosLeader;
    const modes = stringMap(outputs.zookeeperModes);
    if (modes) live.zookeeperModes = modes;
    const nodeIds = stringMap(outputs.swarmNodeIds);
    if (nodeIds) live.swarmNodeIds = nodeIds;
    if (isRecord(outputs.overlayNetwork) && typeof outputs.overlayNetwork.id === "string") {
        live.overlayNetworkId = outputs.overlayNetwork.id;
    }
    if (Array.isArray(outputs.hosts)) {
        const versions: Record<string, Record<string, string>> = {};
        for (const host of outputs.hosts) {
            const services = isRecord(host) ? stringMap(host.services) : undefined;
            if (isRecord(host) && typeof host.name === "string" && services) versions[host.name] = services;
        }
        if (Object.keys(versions).length > 0) live.versions = versions;
    }
    return Object.keys(live).length > 0 ? live : undefined;
}

const colors = {
    docker: { fill: "#d9ead3", line: "#38761d" },
    swarm: { fill: "#ead1dc", line: "#741b47" },
    zookeeper: { fill: "#fce5cd", line: "#b45f06" },
    mesosMaster: { fill: "#cfe2f3", line: "#0b5394" },
    mesosAgent: { fill: "#eaf1fb", line: "#3d85c6" },
    overlay: { fill: "#fff2cc", line: "#bf9000" },
    other: { fill: "#eeeeee", line: "#666666" },
};

/** The DOT text of the stack's cluster: one box per host with what runs on it, and the links between the parts. */
export function clusterDot(config: StackConfig, live?: LiveValues, options: DiagramOptions = {}): string {
    const out: string[] = [];
    // Rows, top to bottom, so that every host box reads the same way and the links run downwards.
    const rows = new Map<Row, string[]>();
    const inRow = (row: Row, nodeId: string) => rows.set(row, [...(rows.get(row) ?? []), nodeId]);
    // What runs where, as index.ts deploys it.
    const layout = plan(config);
    const { swarm, zookeeper, mesos } = layout;
    const dockerHosts = layout.docker?.hosts ?? [];
    const managers = swarm?.managers ?? [];
    const workers = swarm?.workers ?? [];
    const masters = mesos?.masters ?? [];
    const agents = mesos?.agents ?? [];
    // Marked only when `pulumi stack output` tells which master leads.
    const leaderAddress = mesos && live?.mesosLeader ? mesosLeaderAddress(mesos, live.mesosLeader) : undefined;
    const version = (host: ClusterHost, service: string): string | undefined => live?.versions?.[host.name]?.[service];

    const title = [
        `<b>${html(options.stack ? `twister2-cluster: stack ${options.stack}` : "twister2-cluster")}</b>`,
        html(`${config.hosts.length} host(s); ${live ? "with live values from `pulumi stack output`" : "from the stack config (not deployed, or no live values)"}`),
    ];
    out.push(`digraph ${quote(options.stack ? `twister2-cluster ${options.stack}` : "twister2-cluster")} {`);
    out.push(`  graph [rankdir=TB, compound=true, newrank=true, nodesep=0.35, ranksep=0.6, fontname="Helvetica", fontsize=12, labelloc=t, label=<${title.join("<br/>")}>];`);
    out.push(`  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, margin="0.12,0.06"];`);
    out.push(`  edge [fontname="Helvetica", fontsize=9];`);

    // One box per host: name, address, roles; inside it, the services it runs.
    for (const host of config.hosts) {
        out.push("");
        out.push(`  subgraph ${quote(`cluster_host_${host.name}`)} {`);
        out.push(`    label=<${lines([`<b>${html(host.name)}</b>`, html(host.address), `<i>${html(host.roles.join(", ") || "no roles")}</i>`])}>;`);
        out.push(`    style="rounded,filled"; fillcolor="#f7f7f7"; color="#999999"; fontsize=11;`);
        const nodes: string[] = [];
        const node = (id: string, label: string[], color: { fill: string; line: string }, extra = "", row?: Row) => {
            if (row !== undefined) inRow(row, id);
            nodes.push(`    ${quote(id)} [label=<${lines(label)}>, fillcolor=${quote(color.fill)}, color=${quote(color.line)}${extra}];`);
        };
        if (dockerHosts.includes(host)) {
            const v = version(host, "docker");
            node(id.docker(host), ["Docker Engine", html(v ? `${config.docker.source} ${v}` : config.docker.source)], colors.docker, "", Row.docker);
        }
        if (managers.includes(host) || workers.includes(host)) {
            const isManager = managers.includes(host);
            const nodeId = live?.swarmNodeIds?.[host.name];
            node(id.swarm(host), [
                isManager ? (host === managers[0] ? "Swarm manager (first)" : "Swarm manager") : "Swarm worker",
                ...(swarm && host === managers[0] ? [html(swarm.joinAddress)] : []),
                ...(nodeId ? [small(`node ${nodeId.slice(0, 12)}`)] : []),
            ], colors.swarm, "", host === managers[0] ? Row.firstManager : Row.swarmNodes);
        }
        const zkServer = zookeeper?.servers.find((s) => s.host === host);
        if (zkServer) {
            const mode = live?.zookeeperModes?.[host.address];
            const v = version(host, "zookeeper");
            node(id.zookeeper(host), [
                html(`ZooKeeper server.${zkServer.id}`),
                html(`:${zookeeperPorts.client}${mode ? ` (${mode})` : ""}`),
                ...(v ? [small(v)] : []),
            ], colors.zookeeper, mode === "leader" ? ", penwidth=2.5" : "", Row.zookeeper);
        }
        if (masters.includes(host)) {
            const leader = leaderAddress === host.address;
            const v = version(host, "mesos-master");
            node(id.master(host), [
                "Mesos master",
                html(`:${mesosPorts.master}${leader ? " (leader)" : ""}`),
                ...(v ? [small(v)] : []),
            ], colors.mesosMaster, leader ? ", penwidth=2.5" : "", Row.mesosMasters);
        }
        if (agents.includes(host)) {
            const v = version(host, "mesos-agent");
            node(id.agent(host), ["Mesos agent", html(`:${mesosPorts.agent}`), ...(v ? [small(v)] : [])], colors.mesosAgent, "", Row.mesosAgents);
        }
        if (host === layout.uploader && config.uploader) {
            node(id.uploader(host), ["Uploader (nginx)", html(`:${config.uploader.port}${config.uploader.urlPath}`)], colors.other, "", Row.zookeeper);
        }
        if (host === layout.nfs?.server && config.nfs) {
            const v = version(host, "nfs-server");
            node(id.nfs(host), [html(`NFS server (${config.nfs.implementation})`), html(config.nfs.path), ...(v ? [small(v)] : [])], colors.other, "", Row.zookeeper);
        }
        if (nodes.length === 0) node(id.idle(host), ["nothing deployed"], colors.other, ", style=\"rounded,dashed\"");
        out.push(...nodes);
        out.push("  }");
    }

    const edge = (from: string, to: string, attrs: Record<string, string | number>) =>
        out.push(`  ${quote(from)} -> ${quote(to)} [${Object.entries(attrs).map(([k, v]) => `${k}=${typeof v === "number" ? v : quote(v)}`).join(", ")}];`);

    // ZooKeeper: the ensemble, which the Mesos masters use to elect their leader.
    if (zookeeper) {
        inRow(Row.hubs, id.ensemble);
        out.push("");
        out.push(`  ${quote(id.ensemble)} [shape=cylinder, label=<${lines([
            "<b>ZooKeeper ensemble</b>",
            html(`${zookeeper.servers.length} server(s), quorum ${zookeeper.quorum}`),
            html(zookeeper.servers.map((s) => `server.${s.id}=${s.host.name}`).join("  ")),
            small(zookeeper.connectString),
        ])}>, fillcolor=${quote(colors.zookeeper.fill)}, color=${quote(colors.zookeeper.line)}];`);
        for (const { host } of zookeeper.servers) {
            edge(id.zookeeper(host), id.ensemble, { dir: "none", style: "dashed", color: colors.zookeeper.line, tooltip: `${host.name} serves in the ensemble` });
        }
    }

    // Mesos: masters (a quorum of them) elect a leader in ZooKeeper; agents register with the masters.
    if (mesos && zookeeper) {
        const zkUrl = `zk://${zookeeper.connectString}/mesos`;
        inRow(Row.hubs, id.mesos);
        out.push("");
        out.push(`  ${quote(id.mesos)} [shape=note, label=<${lines([
            "<b>Mesos</b>",
            html(`cluster ${config.mesos.cluster}`),
            html(`masters ${masters.map((h) => h.name).join(", ")}: quorum ${mesos.quorum} of ${masters.length}`),
            html(`agents ${agents.map((h) => h.name).join(", ") || "none"}`),
            small(zkUrl),
            small(`${config.mesos.repository.package} from ${config.mesos.repository.url}`),
        ])}>, fillcolor=${quote(colors.mesosMaster.fill)}, color=${quote(colors.mesosMaster.line)}];`);
        for (const host of masters) {
            edge(id.master(host), id.ensemble, {
                label: host === masters[0] ? "zk://…/mesos" : "",
                color: colors.zookeeper.line,
                tooltip: `${host.name}: --zk=${zkUrl} --quorum=${mesos.quorum}`,
            });
        }
        for (const agent of agents) {
            for (const master of masters) {
                const toLeader = leaderAddress === undefined || leaderAddress === master.address;
                edge(id.agent(agent), id.master(master), {
                    label: master === masters[0] ? "registers" : "",
                    color: colors.mesosMaster.line,
                    style: toLeader ? "solid" : "dashed",
                    tooltip: `${agent.name} registers with the leading master (found through ${zkUrl})`,
                });
            }
            if (dockerHosts.includes(agent)) {
                edge(id.agent(agent), id.docker(agent), { label: "containers", constraint: "false", color: colors.docker.line, tooltip: `${agent.name}: --containerizers=docker,mesos` });
            }
        }
    }

    // Docker Swarm: every node joins the first manager; the overlay network spans the swarm.
    if (swarm) {
        const first = managers[0];
        for (const host of [...managers.slice(1), ...workers]) {
            edge(id.swarm(host), id.swarm(first), {
                label: "join",
                color: colors.swarm.line,
                tooltip: `${host.name} joins the swarm as a ${host.roles.includes("swarm-manager") ? "manager" : "worker"}`,
            });
        }
        for (const host of [...managers, ...workers]) {
            edge(id.swarm(host), id.docker(host), { style: "dotted", dir: "none", color: colors.swarm.line, tooltip: `swarm mode of ${host.name}'s Docker Engine` });
        }
        inRow(Row.overlay, id.overlay);
        out.push("");
        out.push(`  ${quote(id.overlay)} [shape=hexagon, label=<${lines([
            html(`Overlay network ${config.swarm.overlay.name}`),
            html(`${config.swarm.overlay.subnet ?? "subnet chosen by Docker"}${config.swarm.overlay.encrypted ? ", encrypted" : ""}, attachable`),
            ...(live?.overlayNetworkId ? [small(`id ${live.overlayNetworkId.slice(0, 12)}`)] : []),
        ])}>, fillcolor=${quote(colors.overlay.fill)}, color=${quote(colors.overlay.line)}];`);
        for (const host of [...managers, ...workers]) {
            edge(id.overlay, id.swarm(host), { dir: "none", style: "dashed", color: colors.overlay.line, tooltip: `${config.swarm.overlay.name} spans ${host.name}` });
        }
    }

    // NFS: the hosts that mount the share.
    if (layout.nfs) {
        for (const client of layout.nfs.clients) {
            edge(firstNode(client), id.nfs(layout.nfs.server), { label: "mounts", style: "dashed", constraint: "false", color: colors.other.line, ltail: `cluster_host_${client.name}` });
        }
    }

    // The rows: an invisible chain of anchors fixes their order, each row hangs on its anchor.
    out.push("");
    const used = [...rows.entries()].sort(([a], [b]) => a - b);
    used.forEach(([row, ids]) => {
        out.push(`  { rank=same; ${quote(`row-${row}`)} [style=invis, shape=point, width=0, label=""]; ${ids.map(quote).join("; ")}; }`);
    });
    for (let i = 1; i < used.length; i++) {
        out.push(`  ${quote(`row-${used[i - 1][0]}`)} -> ${quote(`row-${used[i][0]}`)} [style=invis];`);
    }
    out.push("}");
    return `${out.join("\n")}\n`;

    function firstNode(host: ClusterHost): string {
        if (dockerHosts.includes(host)) return id.docker(host);
        const order: [string, (h: ClusterHost) => string][] = [
            ["zookeeper", id.zookeeper], ["mesos-master", id.master], ["uploader", id.uploader], ["nfs-server", id.nfs],
        ];
        return order.find(([role]) => host.roles.includes(role))?.[1](host) ?? id.idle(host);
    }
}

/** The picture's rows, top to bottom. */
enum Row { overlay, swarmNodes, firstManager, docker, mesosAgents, mesosMasters, zookeeper, hubs }

/** Node ids: `<host>/<service>`, always quoted in the DOT text. */
const id = {
    docker: (h: ClusterHost) => `${h.name}/docker`,
    swarm: (h: ClusterHost) => `${h.name}/swarm`,
    zookeeper: (h: ClusterHost) => `${h.name}/zookeeper`,
    master: (h: ClusterHost) => `${h.name}/mesos-master`,
    agent: (h: ClusterHost) => `${h.name}/mesos-agent`,
    uploader: (h: ClusterHost) => `${h.name}/uploader`,
    nfs: (h: ClusterHost) => `${h.name}/nfs-server`,
    idle: (h: ClusterHost) => `${h.name}/idle`,
    ensemble: "zookeeper-ensemble",
    mesos: "mesos",
    overlay: "overlay-network",
};

/** A DOT double-quoted string: only `"` and `\` need escaping, and line breaks become spaces. */
export function quote(text: string): string {
    return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/[\r\n]+/g, " ")}"`;
}

/** Text inside a DOT HTML-like label (`<...>`). */
export function html(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const lines = (parts: string[]): string => parts.join("<br/>");
const small = (text: string): string => `<font point-size="8">${html(text)}</font>`;

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringMap(value: unknown): Record<string, string> | undefined {
    if (!isRecord(value)) return undefined;
    const entries = Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string");
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}
