import * as pulumi from "@pulumi/pulumi";
import { DockerHost } from "../docker/dockerHost";
import { quorumRule } from "../../framework/component";
import { lastLine, Remote } from "../../framework/remote/remote";
import { swarmJoinAddress, swarmScripts } from "./component";

export interface SwarmClusterArgs {
    /** The stack's context for steps on hosts (index.ts makes one). */
    remote: Remote;
    /** Swarm managers, an odd number (an even one while a dead manager is replaced; never 2); the first one initialises the swarm and admits the others. */
    managers: DockerHost[];
    workers: DockerHost[];
}

/**
 * A Docker Swarm: `swarm init` on the first manager, then every other node joins with the token and
 * the manager's address, both passed as Outputs. Once they have, the first manager holds the node list
 * to exactly the stack's nodes: a node removed from the config is taken off it (a manager demoted
 * first) and then leaves.
 */
export class SwarmCluster extends pulumi.ComponentResource {
    /** The manager that initialised the swarm. */
    public readonly firstManager: DockerHost;
    /** Address of the first manager. */
    public readonly managerAddress: pulumi.Output<string>;
    /** Where nodes join: the first manager's management port (swarmJoinAddress). */
    public readonly joinAddress: pulumi.Output<string>;
    public readonly workerToken: pulumi.Output<string>;
    public readonly managerToken: pulumi.Output<string>;
    /** Swarm node id per host name. */
    public readonly nodeIds: pulumi.Output<Record<string, string>>;
    /** The step after which every node has joined and no other node is listed: what needs the whole swarm waits for it. */
    public readonly members: pulumi.Resource;

    constructor(name: string, args: SwarmClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("twister2:cluster:SwarmCluster", name, {}, opts);
        const [first, ...otherManagers] = args.managers;
        if (!first || quorumRule.refuses(args.managers.length)) throw new Error(quorumRule.message("a swarm's managers", args.managers.length));
        this.firstManager = first;

        // Its result is secret (the join tokens); the node id on its last line is not.
        const init = args.remote.hostScript(`${name}-init`, {
            host: first.host,
            create: swarmScripts.init,
            createSettings: { ADVERTISE_ADDR: first.host.address },
            secretStdout: true,
            delete: swarmScripts.leave,
        }, { parent: this, dependsOn: [first.engine] });
        const tokens = init.stdout.apply((out) => JSON.parse(out.trim().split("\n")[0]) as { worker: string; manager: string });
        this.workerToken = pulumi.secret(tokens.worker);
        this.managerToken = pulumi.secret(tokens.manager);
        const firstNodeId = pulumi.unsecret(lastLine(init.stdout));
        this.managerAddress = firstNodeId.apply(() => first.host.address);
        this.joinAddress = firstNodeId.apply(() => swarmJoinAddress(first.host));

        const nodeIds: Record<string, pulumi.Output<string>> = { [first.host.name]: firstNodeId };
        const joiners = [
            ...otherManagers.map((node) => ({ node, role: "manager", token: this.managerToken })),
            ...args.workers.map((node) => ({ node, role: "worker", token: this.workerToken })),
        ];
        for (const { node, role, token } of joiners) {
            const host = node.host;
            // A node changes role by leaving and joining again: the role is a trigger.
            const join = args.remote.hostScript(`${name}-join-${host.name}`, {
                host,
                create: swarmScripts.join,
                createSettings: { JOIN_ADDRESS: this.joinAddress, ADVERTISE_ADDR: host.address, ROLE: role },
                stdin: token,
                delete: swarmScripts.leave,
                triggers: [role],
            }, { parent: this, dependsOn: [node.engine] });
            nodeIds[host.name] = lastLine(join.stdout);
        }
        this.nodeIds = pulumi.all(nodeIds);

        // Runs again whenever a node joins anew (a new id) or leaves the config.
        this.members = args.remote.hostScript(`${name}-members`, {
            host: first.host,
            create: swarmScripts.members,
            createSettings: { NODE_IDS: this.nodeIds.apply((ids) => Object.values(ids).sort().join(" ")) },
        }, { parent: this, dependsOn: [init] });

        this.registerOutputs();
    }
}
