// twister2-cluster: the whole cluster in one screen. Hosts and roles come from Pulumi.<stack>.yaml.
import "./framework/stackTraces"; // first: short stack traces, for the preview's speed and the state's size
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { components, loadStackConfig, plan } from "./components";
import { DockerHost } from "./components/docker/dockerHost";
import { firewallSetup } from "./components/firewall/component";
import { mesosLeaderAddress } from "./components/mesos/component";
import { MesosCluster } from "./components/mesos/mesosCluster";
import { NfsShare } from "./components/nfs/nfsShare";
import { ImageRegistry } from "./components/registry/imageRegistry";
import { OverlayNetwork } from "./components/swarm/overlayNetwork";
import { SwarmCluster } from "./components/swarm/swarmCluster";
import { renderTwister2Conf, writeTwister2Conf } from "./components/twister2-conf/twister2Conf";
import { UploaderServer } from "./components/uploader/uploaderServer";
import { Twister2WorkerImage } from "./components/worker-image/twister2WorkerImage";
import { ZookeeperEnsemble } from "./components/zookeeper/zookeeperEnsemble";
import { scriptsOf } from "./framework/component";
import { ClusterHost, ConfigError } from "./framework/config/stackConfig";
import { preflight } from "./framework/preflight/preflight";
import { Remote } from "./framework/remote/remote";
import { writeKnownHosts } from "./framework/remote/ssh";

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
// Which host gets which steps, the ports and the quorums: decided once, from the config alone (the components' contracts).
const layout = plan(config);
// Every host checked before any is changed (`pulumi up` only: a preview contacts no host).
const preflighted = pulumi.runtime.isDryRun() ? undefined : preflight(config, layout, knownHostsFile);
if (preflighted?.failures) throw new pulumi.RunError(preflighted.failures);
for (const warning of preflighted?.warnings ?? []) void pulumi.log.warn(warning);
// The stack's context for its steps on hosts; each host's first step: the program's scripts, every
// package its components need (in one apt run), and its firewall, which admits to each port its roles
// listen on only the stack's hosts and the clients `access` names.
const remote = new Remote({ stack: pulumi.getStack(), projectDir: __dirname, knownHostsFile, scripts: scriptsOf(components) });
remote.prepareHosts(layout.hosts.map((host) => ({
    host,
    packages: layout.packages[host.name],
    then: [firewallSetup(config.firewall, layout.ports[host.name], layout.hosts, host)],
})));

const swarmWorker = (host: ClusterHost) => layout.swarm?.workers.some((worker) => worker.name === host.name) ?? false;
const dockerHosts = new Map((layout.docker?.hosts ?? []).map((host) => [host.name, new DockerHost(`docker-${host.name}`, {
    remote, host, source: config.docker.source, daemonJson: config.docker.daemonJson, socketUsers: [host.user],
    // A worker's swarm node is drained by the first manager before its engine restarts.
    swarmManager: swarmWorker(host) ? layout.swarm?.managers[0] : undefined,
})]));
// The plan gives Docker to every swarm node and Mesos agent.
const dockerOf = (host: ClusterHost) => dockerHosts.get(host.name)!;

const swarm = layout.swarm && new SwarmCluster("swarm", {
    remote,
    managers: layout.swarm.managers.map(dockerOf),
    workers: layout.swarm.workers.map(dockerOf),
});
const overlay = swarm && new OverlayNetwork("overlay", {
    swarm,
    networkName: config.swarm.overlay.name,
    subnet: config.swarm.overlay.subnet,
    vxlanId: config.swarm.overlay.vxlanId,
    encrypted: config.swarm.overlay.encrypted,
});

const zookeeper = layout.zookeeper && new ZookeeperEnsemble("zookeeper", {
    remote,
    servers: layout.zookeeper.servers,
    tickTime: config.zookeeper.tickTime,
    initLimit: config.zookeeper.initLimit,
    syncLimit: config.zookeeper.syncLimit,
    version: config.zookeeper.version,
});

const mesos = layout.mesos && zookeeper && new MesosCluster("mesos", {
    remote,
    masters: layout.mesos.masters,
    agents: layout.mesos.agents.map((host) => ({ host, docker: dockerOf(host) })),
    quorum: layout.mesos.quorum,
    zookeeperConnectString: zookeeper.connectString,
    ...config.mesos,
    agentsAtOnce: config.rollout.maxUnavailable,
});

// The registry the worker image is pushed to once and every agent pulls it from (by digest).
const registry = layout.registry && config.registry
    ? new ImageRegistry("registry", { remote, host: layout.registry, ...config.registry })
    : undefined;

// Twister2's worker image: built on the registry's host and pulled by every Mesos agent (with no registry,
// built on each agent), after each host's Docker engine.
const workerImageBuild = layout.workerImage && new Twister2WorkerImage("worker-image", {
    remote,
    ...config.workerImage,
    hosts: layout.workerImage.hosts.map((host) => ({ host, docker: dockerOf(host) })),
    registry: registry && layout.registry && { registry, docker: dockerOf(layout.registry) },
});

// A daemon.json change restarts the engines a few hosts at a time (an agent's in the Mesos roll, drained), after
// everything that runs on them; the swarm's managers one at a time and last, its leader last of all.
DockerHost.rollEngines([...dockerHosts.values()], layout.swarm?.managers.map(dockerOf) ?? [],
    [...mesos?.rolled ?? [], ...[swarm?.members, overlay, workerImageBuild].filter((resource) => resource !== undefined)],
    config.rollout.maxUnavailable);

// The registry keeps the image the agents run and no other: an older build's layers are collected.
if (registry && workerImageBuild) registry.keepOnly([workerImageBuild.image], [workerImageBuild]);

// Job logs and outputs: the NFS share on the nfs-server host, mounted on the agents.
const nfs = config.nfs && new NfsShare("nfs", { remote, ...config.nfs });

// Twister2's job packages: uploaded with rsync/ssh as the upload account, downloaded over HTTP.
const uploaderServer = layout.uploader && config.uploader
    ? new UploaderServer("uploader", { remote, host: layout.uploader, ...config.uploader })
    : undefined;

// Every step is declared, and so every file the hosts need: their bundle of scripts and files is written.
remote.writeBundle();

// Twister2's conf/mesos for this cluster, written beside the stack for the operator's Twister2 client.
// (pulumi.output, not pulumi.all: the same unwrapping, and it keeps each field's type.)
const mesosLayout = layout.mesos;
const twister2Conf = mesosLayout && mesos && pulumi.output({
    zkUrl: mesos.zkUrl,
    leaderUrl: mesos.leaderUrl,
    overlayNetworkName: overlay?.networkName,
    nfs: nfs && { address: nfs.address, path: nfs.path },
    workerImage: workerImageBuild?.image,
}).apply((deployed) => renderTwister2Conf({
    mesosZkUrl: deployed.zkUrl,
    // The leader when the stack was deployed (any master redirects to the current one).
    mesosMasterHost: mesosLeaderAddress(mesosLayout, deployed.leaderUrl),
    mesosCluster: config.mesos.cluster,
    overlayNetworkName: deployed.overlayNetworkName,
    workerImage: deployed.workerImage,
    nfs: deployed.nfs,
    uploader: uploaderServer && {
        directory: uploaderServer.directory,
        scpConnection: uploaderServer.scpConnection,
        sshConnection: uploaderServer.sshConnection,
        url: uploaderServer.fetchUri,
    },
    jobMasterIp: mesosLayout.masters[0].address,
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
        registry: h.roles.includes("registry") ? registry?.version : undefined,
    }).apply((services) => Object.fromEntries(Object.entries(services).filter((entry): entry is [string, string] => entry[1] !== undefined))),
}));
// Where users go. The Mesos UI is mesosLeader; Twister2's settings are in uploader, nfsShare and workerImage.
// Where nodes join the swarm (`docker swarm join --token ... <swarmJoinAddress>`): the first manager's management port.
export const swarmJoinAddress = layout.swarm?.joinAddress;
export const swarmNodeIds = swarm?.nodeIds;
export const overlayNetwork = overlay && { name: overlay.networkName, id: overlay.networkId };
export const zookeeperConnectString = zookeeper?.connectString;
export const zookeeperModes = zookeeper?.modes;
export const zookeeperLastRollingRestart = zookeeper?.lastRollingRestart;
export const mesosZkUrl = mesos?.zkUrl;
export const mesosMasters = mesos?.masterUrls;
// The leading master's URL when the stack was deployed: the Mesos UI (any master redirects to the leader).
export const mesosLeader = mesos?.leaderUrl;
// What a framework on Mesos's HTTP scheduler API authenticates with (a secret: `--show-secrets`).
export const mesosFramework = mesos?.frameworkCredential;
// What an operator gives the masters' and agents' read-write endpoints, such as the operator API (a secret too).
export const mesosOperator = mesos?.operatorCredential;
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
// The registry's pull address (its CA: `pulumi stack output registry`), where agents pull the image from.
export const imageRegistry = registry && { pullAddress: registry.pullAddress, pushAddress: registry.pushAddress, caCertificate: registry.caCertificate };
export const workerImage = workerImageBuild && { image: workerImageBuild.image, imageIds: workerImageBuild.imageIds };
