// twister2-cluster: the whole cluster in one screen. Hosts and roles come from Pulumi.<stack>.yaml.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DockerHost } from "./components/dockerHost";
import { MesosCluster } from "./components/mesosCluster";
import { OverlayNetwork } from "./components/overlayNetwork";
import { writeKnownHosts } from "./components/remote";
import { ConfigError, Role, loadStackConfig } from "./components/stackConfig";
import { SwarmCluster } from "./components/swarmCluster";
import { ZookeeperEnsemble } from "./components/zookeeperEnsemble";

const config = (() => {
    try {
        return loadStackConfig(__dirname);
    } catch (err) {
        // Bad config stops here, before any resource exists: no host is touched.
        if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
        throw err;
    }
})();
// Files this stack writes for the operator: known_hosts pins every host's key for `ssh` by hand.
const stackDir = path.join(__dirname, ".twister2", pulumi.getStack());
writeKnownHosts(path.join(stackDir, "known_hosts"), config.hosts);

// Docker on every host that runs containers: swarm nodes and Mesos agents.
const runsContainers = (roles: Role[]) => roles.some((role) => role.startsWith("swarm-") || role === "mesos-agent");
const dockerHosts = new Map(config.hosts.filter((h) => runsContainers(h.roles)).map((host) => [host.name, new DockerHost(
    `docker-${host.name}`,
    { host, source: config.docker.source, daemonJson: config.docker.daemonJson, socketUsers: [host.user] },
)]));
const withRole = (role: Role) => config.hosts.filter((h) => h.roles.includes(role));
const dockerOn = (role: Role) => withRole(role).map((h) => dockerHosts.get(h.name)!);

const managers = dockerOn("swarm-manager");
const swarm = managers.length > 0
    ? new SwarmCluster("swarm", { managers, workers: dockerOn("swarm-worker") })
    : undefined;
const overlay = swarm && new OverlayNetwork("overlay", {
    swarm,
    networkName: config.overlay.name,
    subnet: config.overlay.subnet,
    encrypted: config.overlay.encrypted,
});

const zkServers = withRole("zookeeper");
const zookeeper = zkServers.length > 0 ? new ZookeeperEnsemble("zookeeper", {
    servers: zkServers.map((host) => ({ host, id: config.zookeeper.serverIds[host.name] })),
    tickTime: config.zookeeper.tickTime,
    initLimit: config.zookeeper.initLimit,
    syncLimit: config.zookeeper.syncLimit,
}) : undefined;

const mesos = zookeeper && withRole("mesos-master").length > 0 ? new MesosCluster("mesos", {
    masters: withRole("mesos-master"),
    agents: withRole("mesos-agent").map((host) => ({ host, docker: dockerHosts.get(host.name)! })),
    zookeeperConnectString: zookeeper.connectString,
    ...config.mesos,
}) : undefined;

// What runs where, with versions as the hosts report them: `pulumi stack output hosts`.
export const hosts = config.hosts.map((h) => ({
    name: h.name,
    address: h.address,
    roles: h.roles,
    services: pulumi.all({
        docker: dockerHosts.get(h.name)?.engineVersion,
        zookeeper: zookeeper?.versions[h.name],
        "mesos-master": h.roles.includes("mesos-master") ? mesos?.versions[h.name] : undefined,
        "mesos-agent": h.roles.includes("mesos-agent") ? mesos?.versions[h.name] : undefined,
    }).apply((services) => Object.fromEntries(Object.entries(services).filter(([, version]) => version !== undefined))),
}));
// Where users go: the Mesos UI (the leader), ZooKeeper, the swarm manager.
export const endpoints = {
    mesosUi: mesos?.leaderUrl,
    mesosMasters: mesos?.masterUrls,
    mesosZkUrl: mesos?.zkUrl,
    zookeeper: zookeeper?.connectString,
    swarmManager: swarm?.managerIp.apply((ip) => `${ip}:2377`),
    overlayNetwork: overlay?.networkName,
};
export const swarmManager = swarm?.managerIp;
export const swarmNodeIds = swarm?.nodeIds;
export const overlayNetwork = overlay && { name: overlay.networkName, id: overlay.networkId };
export const zookeeperConnectString = zookeeper?.connectString;
export const zookeeperModes = zookeeper?.modes;
export const zookeeperLastRollingRestart = zookeeper?.lastRollingRestart;
export const mesosZkUrl = mesos?.zkUrl;
export const mesosMasters = mesos?.masterUrls;
export const mesosLeader = mesos?.leaderUrl;
