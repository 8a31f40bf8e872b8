// ZooKeeper's contract: the zookeeper role, its ports, `twister2-cluster:zookeeper` and its checks.
import * as path from "node:path";
import { factOf, LiveContract } from "../../framework/check/contract";
import type { ClusterHost } from "../../framework/config/hosts";
import { DrawingContract, Row } from "../../framework/diagram/contract";
import { problem, withRole } from "../../framework/config/rules";
import type { Problem } from "../../framework/config/settings";
import { pinFor } from "../../framework/packages/packages";
import { hostScriptsIn } from "../../framework/remote/hostScripts";
import { defineComponent, quorumRule } from "../../framework/component";
import { oddQuorumRule } from "../../framework/policy/rule";
import { deployedOutputs, deployedVersion } from "../outputs";
import { serverIdFix, zookeeperPackages, zookeeperSettings, ZookeeperSettings } from "./config";

/** The ports a ZooKeeper server listens on. */
export const zookeeperPorts = { client: 2181, quorum: 2888, election: 3888 } as const;

/** `address:2181,...`, in id order: how ZooKeeper's clients (Mesos, Twister2) name the ensemble. */
export const zookeeperConnectString = (servers: readonly { host: { address: string } }[]): string =>
    servers.map((s) => `${s.host.address}:${zookeeperPorts.client}`).join(",");

/** The ensemble's box in the diagram (Mesos's masters link to it). */
export const zookeeperEnsembleBox = "zookeeper-ensemble";

export interface ZookeeperServerPlan {
    host: ClusterHost;
    /** `myid`, from zookeeper.serverIds. */
    id: number;
}

export interface ZookeeperLayout {
    /** In id order, the order the ensemble lists and restarts them. */
    servers: ZookeeperServerPlan[];
    /** How many servers must be up: a majority. */
    quorum: number;
    /** `address:2181,...`, in id order. */
    connectString: string;
}

/** The scripts its steps run on the hosts (host/). */
export const zookeeperScripts = hostScriptsIn(path.join(__dirname, "host"), {
    configure: "zookeeper-configure.sh",
    restart: "zookeeper-restart.sh",
    remove: "zookeeper-remove.sh",
});

/** npm run check: every server serving in the ensemble, with its id (its probe is read only, so not in the hosts' bundle). */
const live: LiveContract<ZookeeperSettings, ZookeeperLayout> = {
    probe: {
        script: hostScriptsIn(path.join(__dirname, "host"), { probe: "zookeeper-probe.sh" }).probe,
        settings: (host, { layout }) => layout.servers.some((s) => s.host === host) ? { CLIENT_PORT: String(zookeeperPorts.client) } : undefined,
    },
    check: ({ config, layout: { servers }, facts }) => servers.flatMap(({ host, id }) => {
        const got = facts(host);
        if (!got) return [];
        const [mode, myid, version] = [factOf(got, "mode"), factOf(got, "id"), factOf(got, "version")];
        const pinned = pinFor(config.version, factOf(got, "release"));
        const repair = { replace: [`zookeeper-${host.name}-server`] };
        return [
            { host: host.name, check: "serving", ok: (servers.length === 1 ? ["standalone"] : ["leader", "follower"]).includes(mode), detail: `srvr: ${mode}`, repair },
            { host: host.name, check: "server id", ok: myid === String(id), detail: `myid ${myid}${myid === String(id) ? "" : `, expected ${id}`}`, repair },
            // Pinned: the version it runs (a host left on another by hand takes the pin when zookeeper.version next changes).
            ...pinned === undefined ? [] : [{ host: host.name, check: "version", ok: version === pinned,
                detail: `zookeeperd ${version}${version === pinned ? "" : `, expected ${pinned} (zookeeper.version)`}` }],
        ];
    }),
};

const zookeeperColor = { fill: "#fce5cd", line: "#b45f06" };

/** npm run diagram: each server (its mode when deployed), and the ensemble they make; Mesos draws its masters' links to it. */
const drawing: DrawingContract<ZookeeperSettings, ZookeeperLayout> = ({ layout: { servers, quorum, connectString }, live }) => ({
    services: servers.map(({ host, id }) => {
        const [mode, version] = [live && deployedOutputs(live).zookeeperModes?.[host.address], deployedVersion(live, host.name, "zookeeper")];
        return {
            host, service: "zookeeper", color: zookeeperColor, row: Row.service, leads: mode === "leader",
            lines: [`ZooKeeper server.${id}`, `:${zookeeperPorts.client}${mode ? ` (${mode})` : ""}`, ...version ? [{ small: version }] : []],
        };
    }),
    boxes: [{
        id: zookeeperEnsembleBox, shape: "cylinder", color: zookeeperColor, row: Row.cluster,
        lines: [
            { bold: "ZooKeeper ensemble" },
            `${servers.length} server(s), quorum ${quorum}`,
            servers.map((s) => `server.${s.id}=${s.host.name}`).join("  "),
            { small: connectString },
        ],
    }],
    links: servers.map(({ host }) => ({
        from: { host, service: "zookeeper" }, to: { box: zookeeperEnsembleBox }, undirected: true, style: "dashed", color: zookeeperColor.line,
        tooltip: `${host.name} serves in the ensemble`,
    })),
});

export const zookeeper = defineComponent<"zookeeper", ZookeeperSettings, undefined, ZookeeperSettings, ZookeeperLayout>({
    id: "zookeeper",
    scripts: zookeeperScripts,
    settings: { key: "zookeeper", schema: zookeeperSettings.prefault({}), description: "The ZooKeeper servers' ids and the ensemble's timing" },
    roles: { zookeeper: { description: "a ZooKeeper server", quorum: true } },
    // Each zookeeper host has an id of its own, and only they have one.
    check: (settings, { withRole, hostsKnown }) => {
        const problems: Problem[] = [];
        const servers = withRole("zookeeper").flatMap((h) => h.name ?? []);
        const owners = new Map<number, string>();
        for (const name of servers) {
            const id = settings.serverIds[name];
            const where = `zookeeper.serverIds.${name}`;
            if (id === undefined) problems.push(problem(where, serverIdFix(name)));
            else if (owners.has(id)) problems.push(problem(where, `id ${id} is also ${owners.get(id)}'s; each server needs its own`));
            else owners.set(id, name);
        }
        for (const name of Object.keys(settings.serverIds)) {
            if (hostsKnown && !servers.includes(name)) {
                problems.push(problem(`zookeeper.serverIds.${name}`, `${name} does not have the zookeeper role; add the role or remove the id`));
            }
        }
        return problems;
    },
    warn: (settings, { withRole }) => settings.version === undefined && withRole("zookeeper").length > 0
        ? ["zookeeper.version is not set: each ZooKeeper host runs the version its package sources offered when it was set up, so hosts set up apart may differ (pin one: apt-cache madison zookeeperd)"]
        : [],
    ports: () => ({
        zookeeper: [
            { port: zookeeperPorts.client, protocol: "tcp", description: "ZooKeeper's client port", units: ["zookeeper"], clients: ["submitters"] },
            { port: zookeeperPorts.quorum, protocol: "tcp", description: "ZooKeeper's quorum port", units: ["zookeeper"], clients: [] },
            { port: zookeeperPorts.election, protocol: "tcp", description: "ZooKeeper's election port", units: ["zookeeper"], clients: [] },
        ],
    }),
    layout: (settings, hosts) => {
        const servers = withRole(hosts, "zookeeper")
            .map((host) => ({ host, id: settings.serverIds[host.name] }))
            .sort((a, b) => a.id - b.id);
        return servers.length > 0
            ? { servers, quorum: quorumRule.majority(servers.length), connectString: zookeeperConnectString(servers) }
            : undefined;
    },
    packages: (host, _layout, settings) => host.roles.includes("zookeeper") ? [zookeeperPackages(settings.version)] : [],
    live,
    policies: [oddQuorumRule("odd-zookeeper-ensemble", "ZooKeeper servers", "roles: zookeeper on 1, 3 or 5 hosts",
        (stack) => new Set(stack.running(zookeeperScripts.configure.name).map((step) => step.address)).size)],
    drawing,
});
