import * as pulumi from "@pulumi/pulumi";
import { quorumRule } from "../../framework/component";
import { Host, lastLine, Remote } from "../../framework/remote/remote";
import { pinText } from "../../framework/packages/packages";
import { chained, leaderLastVisits, versionAfterRoll, visitStepName } from "../../framework/remote/rolling";
import { zookeeperConnectString, zookeeperPorts, zookeeperScripts } from "./component";
import type { ZookeeperSettings } from "./config";

export interface ZookeeperServer {
    host: Host;
    /** The server's id (`myid`, `server.<id>`): from the config, so it stays when others come and go. */
    id: number;
}

/** The ensemble's timing comes from `twister2-cluster:zookeeper` (its defaults: config.ts). */
export interface ZookeeperEnsembleArgs extends Pick<ZookeeperSettings, "tickTime" | "initLimit" | "syncLimit" | "version"> {
    /** The stack's context for steps on hosts (index.ts makes one). */
    remote: Remote;
    /** An odd number of servers (an even one while a dead server is replaced; never 2). */
    servers: ZookeeperServer[];
}

/**
 * A ZooKeeper ensemble from the distribution's `zookeeperd`. Servers are configured in parallel; new
 * servers start at once, while running members only take the new configuration (or package version) and
 * are then restarted one at a time, followers first and the leader last, so a change of members keeps
 * quorum throughout and elects a leader once. Done when one server leads and the rest follow.
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
        if (quorumRule.refuses(servers.length)) throw new Error(quorumRule.message("a ZooKeeper ensemble's servers", servers.length));
        const settings = {
            SERVERS: servers.map((s) => `${s.id}=${s.host.address}`).join(" "),
            TICK_TIME: args.tickTime,
            INIT_LIMIT: args.initLimit,
            SYNC_LIMIT: args.syncLimit,
            CLIENT_PORT: zookeeperPorts.client,
            // The pin itself the host's setup step gives (zookeeperPackages); a new one runs the servers' steps again.
            ...args.version === undefined ? {} : { VERSION: pinText(args.version) },
        };

        const configured = servers.map((server) => {
            const configure = args.remote.hostScript(`${name}-${server.host.name}-server`, {
                host: server.host,
                create: zookeeperScripts.configure,
                createSettings: { SERVER_ID: server.id, ...settings, QUORUM_PORT: zookeeperPorts.quorum, ELECTION_PORT: zookeeperPorts.election },
                delete: zookeeperScripts.remove,
            }, { parent: this });
            return configure;
        });

        // The rolling restart: a chain of steps up the servers in id order and back down, the leader last
        // (framework/remote/rolling.ts). Every step carries the ensemble's settings, so a change of them runs
        // the whole chain again.
        const visits = leaderLastVisits(servers);
        const restarts = chained(configured, visits, ({ member: server, round }, dependsOn, i) =>
            args.remote.hostScript(visitStepName(`${name}-${server.host.name}-restart`, round), {
                host: server.host,
                create: zookeeperScripts.restart,
                createSettings: { ...settings, SERVER_ID: server.id, ROUND: round, ...i === visits.length - 1 ? { WAIT_FOR_ENSEMBLE: true } : {} },
            }, { parent: this, dependsOn }));
        // The chain's last step waits for the ensemble and prints each server's mode.
        const formed = restarts[restarts.length - 1].stdout;
        // A server's version: what its configure step found, or what a visit of the roll installed since ("version <v>").
        servers.forEach((server, i) => {
            const visitsOf = restarts.filter((_, v) => visits[v].member === server).map((visit) => visit.stdout);
            this.versions[server.host.name] = versionAfterRoll(lastLine(configured[i].stdout), visitsOf);
        });

        this.connectString = formed.apply(() => zookeeperConnectString(servers));
        this.modes = formed.apply((out) => Object.fromEntries(out.trim().split("\n")
            .map((line) => line.trim().split(/\s+/))
            .filter((words): words is [string, string] => words.length === 2 && words[0] !== "restarted")));
        // A step that restarted its server printed "restarted <mode before>".
        this.lastRollingRestart = pulumi.all(restarts.map((restart, i) => restart.stdout.apply((out) => {
            const restarted = /^restarted (\S+)/m.exec(out);
            return restarted ? `${visits[i].member.host.name} ${restarted[1]}` : undefined;
        }))).apply((entries) => entries.filter((e): e is string => e !== undefined));
        this.registerOutputs();
    }
}
