// The swarm's contract (with its overlay network): the swarm-manager and swarm-worker roles, their
// ports, and `twister2-cluster:overlay`.
import * as path from "node:path";
import * as net from "node:net";
import { factOf, LiveContract, LiveResult, Repair } from "../../framework/check/contract";
import { inCidr } from "../../framework/config/addresses";
import type { ClusterHost } from "../../framework/config/hosts";
import { DrawingContract, Link, Row } from "../../framework/diagram/contract";
import { problem, withRole } from "../../framework/config/rules";
import type { PackageNeed } from "../../framework/packages/packages";
import { hostScriptsIn } from "../../framework/remote/hostScripts";
import { defineComponent, PortContract } from "../../framework/component";
import { oddQuorumRule, PolicyRule } from "../../framework/policy/rule";
import { deployedOutputs } from "../outputs";
import { overlaySettings, OverlaySettings } from "./config";

/** The ports a swarm node listens on. */
export const swarmPorts = { management: 2377, gossip: 7946, vxlan: 4789 } as const;

/** Where nodes join: the first manager's management port. */
export const swarmJoinAddress = (firstManager: { address: string }): string => `${firstManager.address}:${swarmPorts.management}`;

export interface SwarmConfig {
    /** The attachable overlay network Twister2's containers join. */
    overlay: OverlaySettings;
}

export interface SwarmLayout {
    /** The first manager initialises the swarm; the overlay network is made there. */
    managers: ClusterHost[];
    workers: ClusterHost[];
    /** Where nodes join: `<first manager>:2377`. */
    joinAddress: string;
}

const nodePorts: PortContract[] = [
    { port: swarmPorts.gossip, protocol: "tcp", description: "the swarm's gossip port", units: ["docker"], clients: [] },
    { port: swarmPorts.gossip, protocol: "udp", description: "the swarm's gossip port", units: ["docker"], clients: [] },
    { port: swarmPorts.vxlan, protocol: "udp", description: "the swarm's overlay (VXLAN) port", units: ["docker"], clients: [] },
];

/** The scripts its steps run on the hosts (host/). */
export const swarmScripts = hostScriptsIn(path.join(__dirname, "host"), {
    init: "swarm-init.sh",
    join: "swarm-join.sh",
    leave: "swarm-leave.sh",
    members: "swarm-members.sh",
});

/**
 * npm run check: every node active, listed Ready in its role by the first manager, no node but the
 * stack's, and the overlay network attachable (its probe is read only, so not in the hosts' bundle).
 */
const live: LiveContract<SwarmConfig, SwarmLayout> = {
    probe: {
        script: hostScriptsIn(path.join(__dirname, "host"), { probe: "swarm-probe.sh" }).probe,
        settings: (host, { layout, outputs }) => [...layout.managers, ...layout.workers].includes(host)
            ? { FIRST_MANAGER: String(host === layout.managers[0]), OVERLAY_NAME: deployedOutputs(outputs).overlayNetwork?.name ?? "" }
            : undefined,
    },
    check: ({ layout: { managers, workers }, outputs, facts }) => {
        const results: LiveResult[] = [];
        const nodes = [...managers, ...workers];
        const first = managers[0];
        // The first manager's node is made by swarm-init; every other node's by its join step (joined anew,
        // it has a new id, so swarm-members runs again in the same up and removes the entry it left behind).
        const repair = (host: ClusterHost): Repair => ({ replace: [host === first ? "swarm-init" : `swarm-join-${host.name}`] });
        for (const host of nodes) {
            const got = facts(host);
            if (!got) continue;
            const [state] = factOf(got, "state").split(" ");
            results.push({ host: host.name, check: "node active", ok: state === "active", detail: `LocalNodeState ${state}`, repair: repair(host) });
        }
        // The swarm as its first manager sees it: every configured node Ready in its role, no other node.
        const seen = facts(first);
        if (!seen) return results;
        const listed = (seen.get("node") ?? []).map((line) => {
            const [addr, state, role, availability, id] = line.split(" ");
            return { addr, state, role, availability, id };
        });
        for (const host of nodes) {
            const role = managers.includes(host) ? "manager" : "worker";
            const node = listed.find((n) => n.addr === host.address && n.state === "ready");
            results.push({
                host: host.name, check: `listed Ready as ${role}`, ok: node?.role === role && node.availability === "active",
                detail: node ? `${node.state} ${node.role} ${node.availability}` : "not Ready in docker node ls", repair: repair(host),
            });
        }
        // Entries of the stack's hosts that are not Ready go with the host's repair (its join anew runs
        // swarm-members again, which removes every node but the stack's); a node at another address is
        // not the stack's at all: swarm-members run again removes it.
        for (const node of listed.filter((n) => !nodes.some((h) => h.address === n.addr))) {
            results.push({
                host: first.name, check: "no node other than the stack's", ok: false,
                detail: `node ${node.id} (${node.addr}, ${node.state} ${node.role}) is not one of the stack's hosts`, repair: { replace: ["swarm-members"] },
            });
        }
        const overlay = deployedOutputs(outputs).overlayNetwork;
        if (overlay) {
            const [driver, attachable, scope] = factOf(seen, "overlay").split(" ");
            results.push({
                host: first.name, component: "overlay", check: `${overlay.name} attachable`, ok: driver === "overlay" && attachable === "true" && scope === "swarm",
                detail: driver === "absent" ? "missing" : `driver ${driver}, attachable ${attachable}, scope ${scope}`,
                repair: { command: "pulumi refresh --yes, then pulumi up (the network is made again)" },
            });
        }
        return results;
    },
};

const swarmColor = { fill: "#ead1dc", line: "#741b47" };
const overlayColor = { fill: "#fff2cc", line: "#bf9000" };

/** npm run diagram: each node on its engine, every node joining the first manager, the overlay network over them all. */
const drawing: DrawingContract<SwarmConfig, SwarmLayout> = ({ config: { overlay }, layout: { managers, workers, joinAddress }, live }) => {
    const [first, nodes] = [managers[0], [...managers, ...workers]];
    const deployed = live && deployedOutputs(live);
    const links: Link[] = [
        ...nodes.filter((host) => host !== first).map((host): Link => ({
            from: { host, service: "swarm" }, to: { host: first, service: "swarm" }, label: "join", color: swarmColor.line,
            tooltip: `${host.name} joins the swarm as a ${managers.includes(host) ? "manager" : "worker"}`,
        })),
        ...nodes.map((host): Link => ({
            from: { host, service: "swarm" }, to: { host, service: "docker" }, style: "dotted", undirected: true, color: swarmColor.line,
            tooltip: `swarm mode of ${host.name}'s Docker Engine`,
        })),
        ...nodes.map((host): Link => ({
            from: { box: "overlay-network" }, to: { host, service: "swarm" }, undirected: true, style: "dashed", color: overlayColor.line,
            tooltip: `${overlay.name} spans ${host.name}`,
        })),
    ];
    return {
        services: nodes.map((host) => {
            const nodeId = deployed?.swarmNodeIds?.[host.name];
            return {
                host, service: "swarm", color: swarmColor, row: host === first ? Row.firstNode : Row.node,
                lines: [
                    managers.includes(host) ? (host === first ? "Swarm manager (first)" : "Swarm manager") : "Swarm worker",
                    ...host === first ? [joinAddress] : [],
                    ...nodeId ? [{ small: `node ${nodeId.slice(0, 12)}` }] : [],
                ],
            };
        }),
        boxes: [{
            id: "overlay-network", shape: "hexagon", color: overlayColor, row: Row.network,
            lines: [
                `Overlay network ${overlay.name}`,
                `${overlay.subnet ?? "subnet chosen by Docker"}${overlay.encrypted ? ", encrypted" : ""}, attachable`,
                ...deployed?.overlayNetwork ? [{ small: `id ${deployed.overlayNetwork.id.slice(0, 12)}` }] : [],
            ],
        }],
        links,
    };
};

/** What a joining node needs besides Docker. */
const swarmJoinPackages: PackageNeed = { thing: "swarm-join", packages: ["curl"] };

/** The policy pack's rules about the swarm: its data plane encrypted, its managers a quorum. */
const policies: PolicyRule[] = [
    {
        name: "encrypted-overlay",
        description: "Overlay networks encrypt their VXLAN traffic between hosts (IPsec)",
        fix: "overlay.encrypted: true (the default)",
        violations: (stack) => stack.ofType("docker:index/network:Network")
            .filter((network) => network.props.driver === "overlay" && !Object.keys(network.props.options ?? {}).includes("encrypted"))
            .map((network) => `the overlay network ${network.props.name ?? network.name} is not encrypted`),
    },
    oddQuorumRule("odd-swarm-managers", "swarm managers", "roles: swarm-manager on 1, 3 or 5 hosts", (stack) =>
        stack.running(swarmScripts.init.name).length + stack.running(swarmScripts.join.name).filter((step) => step.settings.ROLE === "manager").length),
];

export const swarm = defineComponent<"swarm", OverlaySettings, undefined, SwarmConfig, SwarmLayout>({
    id: "swarm",
    scripts: swarmScripts,
    settings: { key: "overlay", schema: overlaySettings.prefault({}), description: "The swarm's attachable overlay network, which Twister2's containers join" },
    roles: {
        "swarm-manager": { description: "a swarm manager (the first one initialises the swarm)", quorum: true, runsContainers: true, excludes: "swarm-worker" },
        "swarm-worker": {
            description: "a swarm worker", runsContainers: true,
            needs: [{ role: "swarm-manager", fix: "swarm workers need a swarm-manager; give one host (or three) the swarm-manager role" }],
        },
    },
    // The overlay's subnet is apart from the hosts' network.
    check: ({ subnet }, { hosts }) => subnet === undefined ? []
        : hosts.filter((h) => h.address !== undefined && net.isIPv4(h.address) && inCidr(h.address, subnet)).map((h) =>
            problem("overlay.subnet", `${subnet} contains ${h.name}'s address ${h.address}; choose a subnet outside the hosts' network`)),
    config: (overlay) => ({ overlay }),
    ports: () => ({
        "swarm-manager": [
            { port: swarmPorts.management, protocol: "tcp", description: "the swarm's management port", units: ["docker"], clients: [] },
            ...nodePorts,
        ],
        "swarm-worker": nodePorts,
    }),
    layout: (_config, hosts) => {
        const [managers, workers] = [withRole(hosts, "swarm-manager"), withRole(hosts, "swarm-worker")];
        return managers.length > 0 ? { managers, workers, joinAddress: swarmJoinAddress(managers[0]) } : undefined;
    },
    // An encrypted overlay needs the kernel's IPsec (ESP with AES-GCM) on every node.
    preflight: {
        script: hostScriptsIn(path.join(__dirname, "host"), { preflight: "swarm-preflight.sh" }).preflight,
        settings: (host, layout, { overlay }) => overlay.encrypted && [...layout.managers, ...layout.workers].includes(host) ? {} : undefined,
    },
    // Joins go through Docker's API with curl: the token on its stdin, never in a process's arguments.
    packages: (host, layout) => [...layout.managers.slice(1), ...layout.workers].includes(host) ? [swarmJoinPackages] : [],
    live,
    policies,
    drawing,
});
