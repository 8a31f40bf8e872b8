import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { opensshOptions } from "../../framework/remote/ssh";
import { Host, lastLine, Remote } from "../../framework/remote/remote";
import { batched, chained, lastBatch, leaderLastVisits, rollTrigger, RollRound, versionAfterRoll, visitStepName } from "../../framework/remote/rolling";
import { dockerScripts } from "./component";
import type { DockerSource } from "./config";


export interface DockerHostArgs {
    /** The stack's context for steps on hosts (index.ts makes one). */
    remote: Remote;
    host: Host;
    /** `docker-ce` from Docker's apt repository (real clusters) or the distribution's `docker.io`. */
    source: DockerSource;
    /** Contents of /etc/docker/daemon.json. */
    daemonJson: Record<string, unknown>;
    /** Users who may use the Docker socket (the SSH user, for the Docker provider over SSH). */
    socketUsers: string[];
    /**
     * A swarm worker's: the manager that drains its swarm node before its engine restarts and makes it active
     * after (a worker cannot; a manager's node drains itself). Left out (not a swarm worker): no drain.
     */
    swarmManager?: Host;
}

/** The Docker engine on one host: installed, configured, running and answering `docker info`. */
export class DockerHost extends pulumi.ComponentResource {
    public readonly host: Host;
    /** The step that installs and configures the engine: steps that need Docker on the host wait for it. */
    public readonly engine: command.remote.Command;
    /** The engine's server version, as the host reports it: its step, or the last roll visit that restarted it. */
    public readonly engineVersion: pulumi.Output<string>;
    private readonly knownHostsFile: string;
    private readonly remote: Remote;
    private readonly name: string;
    private readonly swarmManager?: Host;
    /** What the visits that may restart this engine printed (drainedVisit): each that did says "engine <version>". */
    private readonly visits: pulumi.Output<string>[] = [];

    constructor(name: string, args: DockerHostArgs, opts?: pulumi.ComponentResourceOptions) {
        super("twister2:cluster:DockerHost", name, {}, opts);
        this.host = args.host;
        this.knownHostsFile = args.remote.knownHostsFile;
        this.remote = args.remote;
        this.name = name;
        this.swarmManager = args.swarmManager;

        const engine = this.engine = args.remote.hostScript(`${name}-engine`, {
            host: args.host,
            create: dockerScripts.install,
            createSettings: {
                DOCKER_SOURCE: args.source,
                DAEMON_JSON: JSON.stringify(args.daemonJson, null, 2),
                DOCKER_USERS: args.socketUsers.join(" "),
            },
            delete: dockerScripts.uninstall,
        }, { parent: this });

        // The rolls' visits are declared after this (rollEngines, the Mesos agents' roll), and all of them before any
        // step's output is known: by the time the engine's is, this.visits holds every visit.
        this.engineVersion = engine.stdout.apply(() => versionAfterRoll(lastLine(engine.stdout), this.visits, "engine"));
        this.registerOutputs();
    }

    /**
     * A Docker provider for this engine, over SSH (`docker system dial-stdio` on the host) as the host's
     * SSH user (in the `docker` group, above), with the stack's key and the pinned host key only. The
     * engine is not asked for anything until a resource needs it, so a preview contacts no host.
     */
    provider(name: string, opts?: pulumi.CustomResourceOptions): docker.Provider {
        return new docker.Provider(name, {
            host: `ssh://${this.host.user}@${this.host.address}:${this.host.port}`,
            sshOpts: opensshOptions(this.host, this.knownHostsFile),
            disableDockerDaemonCheck: true,
        }, opts);
    }

    /**
     * A step that may restart this engine (`visit`, given what it waits for), on a swarm worker between a manager's
     * steps that drain the worker's node and make it active again. They run whenever the engine's step does, and
     * drain only when that step left the engine marked. Only the first such visit declared is wrapped: the engine
     * restarts there (the Mesos agents' roll, before the engines'), and a later visit finds nothing marked. Returns
     * the visit, and the step after which the host serves again. A visit that restarted the engine prints
     * "engine <version>" (restart_engine): engineVersion takes it.
     */
    drainedVisit<R extends command.remote.Command>(name: string, dependsOn: pulumi.Resource[], visit: (dependsOn: pulumi.Resource[]) => R): { visit: R; done: pulumi.Resource } {
        const manager = this.visits.length === 0 ? this.swarmManager : undefined;
        if (!manager) {
            const only = visit(dependsOn);
            this.visits.push(only.stdout);
            return { visit: only, done: only };
        }
        const availability = (value: "drain" | "active", why: pulumi.Input<string>, after: pulumi.Resource[]) =>
            this.remote.hostScript(`${name}-swarm-${value}`, {
                host: manager,
                create: dockerScripts.swarmNodeAvailability,
                createSettings: { NODE_ADDR: this.host.address, AVAILABILITY: value, WHY: why },
            }, { parent: this, dependsOn: after });
        const drain = availability("drain", rollTrigger(this.engine), dependsOn);
        const visited = visit([drain]);
        this.visits.push(visited.stdout);
        return { visit: visited, done: availability("active", lastLine(drain.stdout), [visited]) };
    }

    /**
     * The engines' roll: an engine step that finds daemon.json changed on a running engine marks it rather than
     * restarting it (every container on it would stop, on every host at once), and steps after `after`
     * restart the marked engines: first those of hosts that are not swarm managers, `othersAtOnce` at a time
     * (rollout.maxUnavailable, default 1), then the managers' one at a time, up in their order and back down
     * so that the one leading the swarm restarts last (framework/remote/rolling.ts). Every swarm node is drained
     * first (a worker's by a manager: drainedVisit). A step whose engine has nothing pending does nothing; the Mesos agents' roll restarts an
     * agent's engine (drained at the masters), so it comes before. Returns the roll's last steps.
     */
    static rollEngines(engines: DockerHost[], swarmManagers: DockerHost[], after: pulumi.Resource[], othersAtOnce = 1): pulumi.Resource[] {
        const visit = ({ member: engine, round }: { member: DockerHost; round: RollRound }, dependsOn: pulumi.Resource[]) => {
            const name = visitStepName(`${engine.name}-roll`, round);
            return engine.drainedVisit(name, dependsOn, (waitFor) => engine.remote.hostScript(name, {
                host: engine.host,
                create: dockerScripts.roll,
                createSettings: { ROUND: round, PENDING: rollTrigger(engine.engine) },
            }, { parent: engine, dependsOn: waitFor })).done;
        };
        const others = batched(after, engines.filter((engine) => !swarmManagers.includes(engine)).map((member) => ({ member, round: "turn" as const })),
            othersAtOnce, visit);
        const othersDone = others.length > 0 ? lastBatch(others, othersAtOnce) : after;
        const managers = chained(othersDone, leaderLastVisits(swarmManagers), visit);
        return managers.length > 0 ? managers.slice(-1) : othersDone;
    }
}
