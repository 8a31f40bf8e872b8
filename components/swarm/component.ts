// The swarm's contract (with its overlay network): the swarm-manager and swarm-worker roles, their
// ports, and `twister2-cluster:overlay`.
import * as path from "node:path";
import * as net from "node:net";
import { inCidr } from "../../framework/config/addresses";
import type { ClusterHost } from "../../framework/config/hosts";
import { problem, withRole } from "../../framework/config/rules";
import { hostScriptsIn } from "../../framework/remote/hostScripts";
import { defineComponent, PortContract } from "../../framework/component";
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
    { port: swarmPorts.gossip, protocol: "tcp", description: "the swarm's gossip port", units: ["docker"], reachedBy: "cluster" },
    { port: swarmPorts.gossip, protocol: "udp", description: "the swarm's gossip port", units: ["docker"], reachedBy: "cluster" },
    { port: swarmPorts.vxlan, protocol: "udp", description: "the swarm's overlay (VXLAN) port", units: ["docker"], reachedBy: "cluster" },
];

/** The scripts its steps run on the hosts (host/). */
export const swarmScripts = hostScriptsIn(path.join(__dirname, "host"), {
    init: "swarm-init.sh",
    join: "swarm-join.sh",
    leave: "swarm-leave.sh",
    members: "swarm-members.sh",
});

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
            { port: swarmPorts.management, protocol: "tcp", description: "the swarm's management port", units: ["docker"], reachedBy: "cluster" },
            ...nodePorts,
        ],
        "swarm-worker": nodePorts,
    }),
    layout: (_config, hosts) => {
        const [managers, workers] = [withRole(hosts, "swarm-manager"), withRole(hosts, "swarm-worker")];
        return managers.length > 0 ? { managers, workers, joinAddress: swarmJoinAddress(managers[0]) } : undefined;
    },
});
