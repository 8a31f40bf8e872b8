import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { zookeeperConnectString } from "../plan/plan";
import { Host, hostScript, lastLine } from "../remote/remote";
import { zookeeperPackages, ZookeeperSettings } from "./config";

export interface ZookeeperServer {
    host: Host;
    /** The server's id (`myid`, `server.<id>`): from the config, so it stays when others come and go. */
    id: number;
}

/** The ensemble's timing comes from `twister2-cluster:zookeeper` (its defaults: config.ts). */
export interface ZookeeperEnsembleArgs extends Pick<ZookeeperSettings, "tickTime" | "initLimit" | "syncLimit"> {
    /** An odd number of servers (an even one while a dead server is replaced; never 2). */
    servers: ZookeeperServer[];
}

/**
 * A ZooKeeper ensemble from the distribution's `zookeeperd`. Servers are installed and configured in
 * parallel; new servers start at once, while running members only take the new configuration and are
 * then restarted one at a time, followers first and the leader last, so a change of members keeps
 * quorum throughout. Done when one server leads and the rest follow.
 */
export class ZookeeperEnsemble extends pulumi.ComponentResource {
    /** `host:2181,...`, for clients (Mesos, Twister2). */
    public readonly connectString: pulumi.Output<string>;
    /** Each server's mode by address (`leader`, `follower`, `standalone`), as `srvr` reported it. */
    public readonly modes: pulumi.Output<Record<string, string>>;
    /** The installed ZooKeeper version by host name. */
    public readonly versions: Record<string, pulumi.Output<string>> = {};
    /** The servers the last change restarted, in order ("h1 follower", ..., the leader last). */
    public readonly lastRollingRestart: pulumi.Output<string[]>;

    constructor(name: string, args: ZookeeperEnsembleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("twister2:cluster:ZookeeperEnsemble", name, {}, opts);
        const servers = [...args.servers].sort((a, b) => a.id - b.id);
        if (servers.length === 0 || servers.length === 2) throw new Error(`a ZooKeeper ensemble needs 1, 3 or more servers, got ${servers.length}`);
        const members = servers.map((s) => `${s.id}=${s.host.address}`).join(" ");
        const settings = {
            SERVERS: members,
            TICK_TIME: args.tickTime,
            INIT_LIMIT: args.initLimit,
            SYNC_LIMIT: args.syncLimit,
        };

        const configured = servers.map((server) => {
            const configure = hostScript(`${name}-${server.host.name}-server`, {
                host: server.host,
                create: "zookeeper-configure.sh",
                createSettings: { SERVER_ID: server.id, ...settings, PACKAGES: zookeeperPackages.packages.join(" ") },
                delete: "zookeeper-remove.sh",
            }, { parent: this });
            this.versions[server.host.name] = lastLine(configure.stdout);
            return configure;
        });

        // The rolling restart: a chain of steps, one server at a time in id order, twice. The first
        // round restarts the marked servers that follow; the second restarts what is still marked, the
        // leader. Each waits until its server serves again. Every step carries the ensemble's settings,
        // so a change of them runs the whole chain again, in order.
        let previous: pulumi.Resource[] = configured;
        const restarts: command.remote.Command[] = [];
        for (const round of ["followers", "leader"] as const) {
            for (const server of servers) {
                const restart = hostScript(`${name}-${server.host.name}-restart-${round}`, {
                    host: server.host,
                    create: "zookeeper-restart.sh",
                    createSettings: { ...settings, SERVER_ID: server.id, ROUND: round },
                }, { parent: this, dependsOn: previous });
                restarts.push(restart);
                previous = [restart];
            }
        }

        const quorum = hostScript(`${name}-quorum`, {
            host: servers[0].host,
            create: "zookeeper-quorum.sh",
            createSettings: { SERVERS: members },
        }, { parent: this, dependsOn: previous });

        this.connectString = quorum.stdout.apply(() => zookeeperConnectString(servers));
        this.modes = quorum.stdout.apply((out) => Object.fromEntries(
            out.trim().split("\n").filter(Boolean).map((line) => line.trim().split(/\s+/) as [string, string]),
        ));
        // Each restart step prints "restarted <mode before>" or nothing.
        this.lastRollingRestart = pulumi.all(restarts.map((r, i) => r.stdout.apply((out) => {
            const restarted = /^restarted (\S+)/m.exec(out);
            return restarted ? `${servers[i % servers.length].host.name} ${restarted[1]}` : undefined;
        }))).apply((entries) => entries.filter((e): e is string => e !== undefined));
        this.registerOutputs({ connectString: this.connectString, modes: this.modes, lastRollingRestart: this.lastRollingRestart });
    }
}
