// The cluster a stack's config describes, as plain data: which host gets which role's steps, the ports
// each host listens on, the quorums. Pure: no Pulumi resources, no I/O. index.ts builds its components
// from it, and the tools (preflight, npm run diagram, check, smoke) read the same decisions from it.
import type { ClusterHost, Role, StackConfig } from "../config/stackConfig";
import { dockerPackages } from "../../components/docker/config";
import { mesosPackages } from "../../components/mesos/config";
import { nfsMountPackages, nfsServerPackages } from "../../components/nfs/config";
import type { PackageNeed } from "../packages/packages";
import { uploaderPackages } from "../../components/uploader/config";
import { zookeeperPackages } from "../../components/zookeeper/config";

export { portDescriptions, ports } from "./ports";
import { ports } from "./ports";

/** `address:2181,...`: how ZooKeeper's clients (Mesos, Twister2) name the ensemble. */
export const zookeeperConnectString = (servers: readonly { host: { address: string } }[]): string =>
    servers.map((s) => `${s.host.address}:${ports.zookeeperClient}`).join(",");

export interface ListeningPort {
    role: Role;
    port: number;
    protocol: "tcp" | "udp";
    /** The systemd units that may hold it: found held by one of them, the port is this stack's own (a re-run). */
    units: string[];
}

export interface ZookeeperServerPlan {
    host: ClusterHost;
    /** `myid`, from zookeeper.serverIds. */
    id: number;
}

export interface ClusterPlan {
    /** Every host with a role, in config order. */
    hosts: ClusterHost[];
    /** The hosts that run containers (swarm nodes and Mesos agents): each gets a Docker engine. */
    dockerHosts: ClusterHost[];
    /** Set when a host is a swarm-manager. The first manager initialises the swarm; the overlay network is made there. */
    swarm?: {
        managers: ClusterHost[];
        workers: ClusterHost[];
        /** Where nodes join: `<first manager>:2377`. */
        joinAddress: string;
    };
    /** Set when a host has the zookeeper role. */
    zookeeper?: {
        /** In id order, the order the ensemble lists and restarts them. */
        servers: ZookeeperServerPlan[];
        /** How many servers must be up: a majority. */
        quorum: number;
        /** `address:2181,...`, in id order. */
        connectString: string;
    };
    /** Set when hosts are mesos-master (the config makes sure ZooKeeper is there too). */
    mesos?: {
        masters: ClusterHost[];
        agents: ClusterHost[];
        /** The masters' `--quorum` for their replicated log: a majority, never set by hand. */
        quorum: number;
    };
    /** Where Twister2's worker image is built: every Mesos agent (there is no registry). */
    workerImageHosts: ClusterHost[];
    /** Set when a host is the nfs-server; `clients` are the hosts that mount the share. */
    nfs?: { server: ClusterHost; clients: ClusterHost[] };
    /** The uploader's host, when one has the role. */
    uploader?: ClusterHost;
    /** What each host listens on, by host name, role by role in the order of its roles. */
    ports: Record<string, ListeningPort[]>;
    /** What each host's components need installed, by host name: its setup step installs it all in one apt run. */
    packages: Record<string, PackageNeed[]>;
}

/** A majority of `members`: how many of them must be up for the group to work. */
export const majority = (members: number): number => Math.floor(members / 2) + 1;

/** The plan of the cluster `config` describes. */
export function plan(config: StackConfig): ClusterPlan {
    const withRole = (role: Role) => config.hosts.filter((h) => h.roles.includes(role));
    const byName = new Map(config.hosts.map((h) => [h.name, h]));
    const [managers, workers] = [withRole("swarm-manager"), withRole("swarm-worker")];
    const zookeeperServers = withRole("zookeeper")
        .map((host) => ({ host, id: config.zookeeper.serverIds[host.name] }))
        .sort((a, b) => a.id - b.id);
    const [masters, agents] = [withRole("mesos-master"), withRole("mesos-agent")];
    const nfsServer = config.nfs && byName.get(config.nfs.server.name);
    const uploader = config.uploader && withRole("uploader")[0];

    const dockerHosts = config.hosts.filter((h) => h.roles.some((role) => role.startsWith("swarm-") || role === "mesos-agent"));
    const mesos = zookeeperServers.length > 0 && masters.length > 0 ? { masters, agents, quorum: majority(masters.length) } : undefined;
    const nfs = config.nfs && nfsServer ? {
        server: nfsServer,
        clients: config.nfs.mountOn.flatMap((client) => byName.get(client.name) ?? []),
    } : undefined;
    const packagesOf = (host: ClusterHost): PackageNeed[] => [
        ...dockerHosts.includes(host) ? [dockerPackages(config.docker.source)] : [],
        ...host.roles.includes("zookeeper") ? [zookeeperPackages] : [],
        ...mesos?.masters.includes(host) ? [mesosPackages("mesos-master", config.mesos.repository)] : [],
        ...mesos?.agents.includes(host) ? [mesosPackages("mesos-agent", config.mesos.repository)] : [],
        ...config.nfs && nfs?.server === host ? [nfsServerPackages(config.nfs.implementation)] : [],
        ...config.nfs && nfs?.clients.includes(host) ? [nfsMountPackages(config.nfs.path)] : [],
        ...uploader === host ? [uploaderPackages.web, uploaderPackages.account] : [],
    ];

    return {
        hosts: config.hosts,
        dockerHosts,
        swarm: managers.length > 0
            ? { managers, workers, joinAddress: `${managers[0].address}:${ports.swarmManagement}` }
            : undefined,
        zookeeper: zookeeperServers.length > 0 ? {
            servers: zookeeperServers,
            quorum: majority(zookeeperServers.length),
            connectString: zookeeperConnectString(zookeeperServers),
        } : undefined,
        mesos,
        workerImageHosts: agents,
        nfs,
        uploader,
        ports: Object.fromEntries(config.hosts.map((host) => [host.name, host.roles.flatMap((role) => portsOf(role, config))])),
        packages: Object.fromEntries(config.hosts.map((host) => [host.name, packagesOf(host)])),
    };
}

function portsOf(role: Role, config: StackConfig): ListeningPort[] {
    const held = (units: string[], ...specs: [number, "tcp" | "udp"][]): ListeningPort[] =>
        specs.map(([port, protocol]) => ({ role, port, protocol, units }));
    const swarmNode = held(["docker"], [ports.swarmGossip, "tcp"], [ports.swarmGossip, "udp"], [ports.swarmVxlan, "udp"]);
    switch (role) {
        case "swarm-manager": return [...held(["docker"], [ports.swarmManagement, "tcp"]), ...swarmNode];
        case "swarm-worker": return swarmNode;
        case "zookeeper": return held(["zookeeper"], [ports.zookeeperClient, "tcp"], [ports.zookeeperQuorum, "tcp"], [ports.zookeeperElection, "tcp"]);
        case "mesos-master": return held(["mesos-master"], [ports.mesosMaster, "tcp"]);
        case "mesos-agent": return held(["mesos-agent"], [ports.mesosAgent, "tcp"]);
        case "uploader": return config.uploader ? held(["nginx"], [config.uploader.port, "tcp"]) : [];
        case "nfs-server": return config.nfs ? held(["nfs-server", "nfs-ganesha"], [ports.nfs, "tcp"]) : [];
    }
}

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
export function mesosLeaderAddress(mesos: NonNullable<ClusterPlan["mesos"]>, leaderUrl?: string): string {
    return urlHost(leaderUrl) ?? mesos.masters[0].address;
}
