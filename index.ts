// twister2-cluster: the whole cluster in one screen. Hosts and roles come from Pulumi.<stack>.yaml.
// Pulumi's SDK keeps a stack trace of every promise it makes (to report leaks), and source-mapping
// them was most of a 500-host preview (about 6 ms a resource). Errors keep their messages;
// T2_STACK_TRACES=1 brings full traces back for debugging the program itself.
if (!process.env.T2_STACK_TRACES) Error.stackTraceLimit = 0;
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DockerHost } from "./src/docker/dockerHost";
import { MesosCluster } from "./src/mesos/mesosCluster";
import { NfsShare } from "./src/nfs/nfsShare";
import { OverlayNetwork } from "./src/swarm/overlayNetwork";
import { preflight } from "./src/preflight/preflight";
import { writeKnownHosts } from "./src/remote/remote";
import { ConfigError, Role, loadStackConfig } from "./src/config/stackConfig";
import { SwarmCluster } from "./src/swarm/swarmCluster";
import { renderTwister2Conf, writeTwister2Conf } from "./src/twister2-conf/twister2Conf";
import { Twister2WorkerImage } from "./src/worker-image/twister2WorkerImage";
import { UploaderServer } from "./src/uploader/uploaderServer";
import { ZookeeperEnsemble } from "./src/zookeeper/zookeeperEnsemble";

const config = (() => {
    try {
        return loadStackConfig(__dirname);
    } catch (err) {
        // Bad config stops here, before any resource exists: no host is touched.
        if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
        throw err;
    }
})();
for (const warning of config.warnings) void pulumi.log.warn(warning);
// Files this stack writes for the operator: known_hosts pins every host's key for `ssh` by hand.
const stackDir = path.join(__dirname, ".twister2", pulumi.getStack());
const knownHostsFile = path.join(stackDir, "known_hosts");
writeKnownHosts(knownHostsFile, config.hosts);
// Every host checked before any is changed (`pulumi up` only: a preview contacts no host).
const preflightFailures = pulumi.runtime.isDryRun() ? undefined : preflight(config, knownHostsFile);
if (preflightFailures) throw new pulumi.RunError(preflightFailures);

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
    knownHostsFile,
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

// Twister2's worker image, built on every Mesos agent (no registry), each after its Docker engine.
const agentHosts = withRole("mesos-agent");
const workerImageBuild = agentHosts.length > 0 ? new Twister2WorkerImage("worker-image", {
    ...config.workerImage,
    hosts: agentHosts.map((host) => ({ host, docker: dockerHosts.get(host.name)! })),
}) : undefined;

// Job logs and outputs: the NFS share on the nfs-server host, mounted on the agents.
const nfs = config.nfs && new NfsShare("nfs", config.nfs);

// Twister2's job packages: uploaded with rsync/ssh as the upload account, downloaded over HTTP.
const uploaderHost = withRole("uploader")[0];
const uploaderServer = uploaderHost && config.uploader
    ? new UploaderServer("uploader", { host: uploaderHost, ...config.uploader })
    : undefined;

// Twister2's conf/mesos for this cluster, written beside the stack for the operator's Twister2 client.
const twister2Conf = mesos && pulumi.all([
    mesos.zkUrl, mesos.leaderUrl, overlay?.networkName,
    uploaderServer && pulumi.all([uploaderServer.directory, uploaderServer.scpConnection, uploaderServer.sshConnection, uploaderServer.fetchUri]),
    nfs && pulumi.all([nfs.address, nfs.path]),
    workerImageBuild?.image,
]).apply(([zkUrl, leaderUrl, overlayName, upload, share, image]) => renderTwister2Conf({
    mesosZkUrl: zkUrl,
    // The leader when the stack was deployed (any master redirects to the current one).
    mesosMasterHost: /^https?:\/\/([^:/]+)/.exec(leaderUrl)?.[1] ?? withRole("mesos-master")[0].address,
    mesosCluster: config.mesos.cluster,
    overlayNetworkName: overlayName,
    workerImage: image,
    nfs: share && { address: share[0], path: share[1] },
    uploader: upload && { directory: upload[0], scpConnection: upload[1], sshConnection: upload[2], url: upload[3] },
    jobMasterIp: withRole("mesos-master")[0].address,
}));
export const twister2ConfDir = twister2Conf?.apply((files) => writeTwister2Conf(path.join(stackDir, "conf", "mesos"), files));
export const twister2ConfFiles = twister2Conf;

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
        "nfs-server": h.roles.includes("nfs-server") ? nfs?.version : undefined,
    }).apply((services) => Object.fromEntries(Object.entries(services).filter(([, version]) => version !== undefined))),
}));
// Where users go: the Mesos UI (the leader), ZooKeeper, the swarm manager.
export const endpoints = {
    mesosUi: mesos?.leaderUrl,
    mesosMasters: mesos?.masterUrls,
    mesosZkUrl: mesos?.zkUrl,
    zookeeper: zookeeper?.connectString,
    swarmManager: swarm?.managerAddress.apply((ip) => `${ip}:2377`),
    overlayNetwork: overlay?.networkName,
    uploaderUrl: uploaderServer?.url,
    nfs: nfs && pulumi.interpolate`${nfs.address}:${nfs.path}`,
};
export const swarmManager = swarm?.managerAddress;
export const swarmNodeIds = swarm?.nodeIds;
export const overlayNetwork = overlay && { name: overlay.networkName, id: overlay.networkId };
export const zookeeperConnectString = zookeeper?.connectString;
export const zookeeperModes = zookeeper?.modes;
export const zookeeperLastRollingRestart = zookeeper?.lastRollingRestart;
export const mesosZkUrl = mesos?.zkUrl;
export const mesosMasters = mesos?.masterUrls;
export const mesosLeader = mesos?.leaderUrl;
// Twister2's uploader settings: directory, scp/ssh command.connection, HTTP.fetch.uri (= fetchUri).
export const uploader = uploaderServer && {
    url: uploaderServer.url,
    fetchUri: uploaderServer.fetchUri,
    directory: uploaderServer.directory,
    scpConnection: uploaderServer.scpConnection,
    sshConnection: uploaderServer.sshConnection,
    corePackageUrl: uploaderServer.corePackageUrl,
};
// Twister2's twister2.resource.nfs.server.address and .path.
export const nfsShare = nfs && { address: nfs.address, path: nfs.path };
// The worker image Twister2's Mesos jobs run in (twister2.resource.mesos.docker.image), and its id per agent.
export const workerImage = workerImageBuild && { image: workerImageBuild.image, imageIds: workerImageBuild.imageIds };
