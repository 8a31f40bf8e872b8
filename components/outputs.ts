// What a stack exports (index.ts's `export const`s), as `pulumi stack output --json` prints them: typed
// once here, and read so by the operator commands (ops/), the diagram and the e2e harness. A unit test
// (test/unit/program.test.ts) fails to compile when index.ts exports something else.
import type { Twister2ConfFiles } from "./twister2-conf/twister2Conf";

export interface StackOutputs {
    /** What runs where, with versions as the hosts report them (docker, zookeeper, mesos-master, mesos-agent, nfs-server, registry). */
    hosts: { name: string; address: string; roles: string[]; services: Record<string, string> }[];
    /** Where Twister2's conf/mesos was written on the machine that ran `pulumi up`, and its files. */
    twister2ConfDir?: string;
    twister2ConfFiles?: Twister2ConfFiles;
    /** Where nodes join the swarm: the first manager's management port. */
    swarmJoinAddress?: string;
    /** Swarm node id per host name. */
    swarmNodeIds?: Record<string, string>;
    overlayNetwork?: { name: string; id: string };
    /** `address:2181,...` in id order. */
    zookeeperConnectString?: string;
    /** Each server's mode by address (leader, follower, standalone), as `srvr` reported it at the last change. */
    zookeeperModes?: Record<string, string>;
    /** The servers the last change restarted, in order ("h1 follower", ..., the leader last). */
    zookeeperLastRollingRestart?: string[];
    /** `zk://.../mesos`. */
    mesosZkUrl?: string;
    /** Every master's URL. */
    mesosMasters?: string[];
    /** The leading master's URL when the stack was deployed (the Mesos UI; any master redirects to the leader). */
    mesosLeader?: string;
    /** The HTTP frameworks' principal and secret (a secret output: `pulumi stack output --show-secrets`). */
    mesosFramework?: { principal: string; secret: string };
    /** The principal and secret of the masters' and agents' read-write endpoints, such as the operator API (a secret output). */
    mesosOperator?: { principal: string; secret: string };
    /** Twister2's uploader settings. */
    uploader?: { url: string; fetchUri: string; directory: string; scpConnection: string; sshConnection: string; corePackageUrl?: string };
    /** Twister2's twister2.resource.nfs.server.address and .path. */
    nfsShare?: { address: string; path: string };
    /** The worker image Twister2's Mesos jobs run in (by digest, with a registry), and its id per agent. */
    workerImage?: { image: string; imageIds: Record<string, string> };
    /** The cluster's registry of the worker image: where agents pull, where the build pushes, and the PEM certificate of the CA that signed its own. */
    imageRegistry?: { pullAddress: string; pushAddress: string; caCertificate: string };
}

/** The outputs as `npm run check` gives them to a component's live checks (untyped there): index.ts's, typed. */
export const deployedOutputs = (outputs: Readonly<Record<string, unknown>>): Partial<StackOutputs> => outputs as Partial<StackOutputs>;

/** The version of `service` on `host` that the stack recorded (`hosts[].services`), when it is deployed. */
export const deployedVersion = (outputs: Readonly<Record<string, unknown>> | undefined, host: string, service: string): string | undefined =>
    outputs && deployedOutputs(outputs).hosts?.find((h) => h.name === host)?.services[service];
