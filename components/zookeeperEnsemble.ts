import * as pulumi from "@pulumi/pulumi";
import { Host, HostScript } from "./remote";

export interface ZookeeperServer {
    host: Host;
    /** The server's id (`myid`, `server.<id>`): from the config, so it stays when others come and go. */
    id: number;
}

export interface ZookeeperEnsembleArgs {
    /** An odd number of servers. */
    servers: ZookeeperServer[];
    tickTime?: number;
    initLimit?: number;
    syncLimit?: number;
}

/**
 * A ZooKeeper ensemble from the distribution's `zookeeperd`. Packages install in parallel; servers are
 * configured one after another in id order, each waiting until it serves again, so a change of members
 * rolls through a running ensemble without losing quorum. Done when one server leads and the rest follow.
 */
export class ZookeeperEnsemble extends pulumi.ComponentResource {
    /** `host:2181,...`, for clients (Mesos, Twister2). */
    public readonly connectString: pulumi.Output<string>;
    /** Each server's mode by address (`leader`, `follower`, `standalone`), as `srvr` reported it. */
    public readonly modes: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: ZookeeperEnsembleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("twister2:cluster:ZookeeperEnsemble", name, {}, opts);
        const servers = [...args.servers].sort((a, b) => a.id - b.id);
        if (servers.length % 2 === 0) throw new Error(`a ZooKeeper ensemble needs an odd number of servers, got ${servers.length}`);
        const members = servers.map((s) => `${s.id}=${s.host.address}`).join(" ");

        let previous: pulumi.Resource | undefined;
        const configured: pulumi.Resource[] = [];
        for (const server of servers) {
            const pkg = new HostScript(`${name}-${server.host.name}-package`, {
                host: server.host,
                create: "zookeeper-package.sh",
                delete: "zookeeper-remove.sh",
            }, { parent: this });
            const config = new HostScript(`${name}-${server.host.name}-server`, {
                host: server.host,
                create: "zookeeper-configure.sh",
                createSettings: {
                    SERVER_ID: server.id,
                    SERVERS: members,
                    TICK_TIME: args.tickTime ?? 2000,
                    INIT_LIMIT: args.initLimit ?? 10,
                    SYNC_LIMIT: args.syncLimit ?? 5,
                },
                delete: "zookeeper-stop.sh",
            }, { parent: this, dependsOn: previous ? [pkg, previous] : [pkg] });
            previous = config;
            configured.push(config);
        }

        const quorum = new HostScript(`${name}-quorum`, {
            host: servers[0].host,
            create: "zookeeper-quorum.sh",
            createSettings: { SERVERS: members },
        }, { parent: this, dependsOn: configured });

        this.connectString = quorum.stdout.apply(() => servers.map((s) => `${s.host.address}:2181`).join(","));
        this.modes = quorum.stdout.apply((out) => Object.fromEntries(
            out.trim().split("\n").filter(Boolean).map((line) => line.trim().split(/\s+/) as [string, string]),
        ));
        this.registerOutputs({ connectString: this.connectString, modes: this.modes });
    }
}
