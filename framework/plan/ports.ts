// The ports the cluster's services listen on (its own module: component settings check against them, and
// the plan, which they feed, re-exports them).

/** The ports the services listen on, as this program sets them up. */
export const ports = {
    zookeeperClient: 2181,
    zookeeperQuorum: 2888,
    zookeeperElection: 3888,
    mesosMaster: 5050,
    mesosAgent: 5051,
    swarmManagement: 2377,
    swarmGossip: 7946,
    swarmVxlan: 4789,
    nfs: 2049,
} as const;

/** What each of `ports` is, for messages ("2181 is ZooKeeper's client port"). */
export const portDescriptions: Record<keyof typeof ports, string> = {
    zookeeperClient: "ZooKeeper's client port",
    zookeeperQuorum: "ZooKeeper's quorum port",
    zookeeperElection: "ZooKeeper's election port",
    mesosMaster: "the Mesos master's port",
    mesosAgent: "the Mesos agent's port",
    swarmManagement: "the swarm's management port",
    swarmGossip: "the swarm's gossip port",
    swarmVxlan: "the swarm's overlay (VXLAN) port",
    nfs: "NFS's port",
};
