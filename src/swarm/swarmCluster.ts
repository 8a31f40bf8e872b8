import * as pulumi from "@pulumi/pulumi";
import { DockerHost } from "../docker/dockerHost";
import { hostScript, lastLine } from "../remote/remote";

export interface SwarmClusterArgs {
    /** Swarm managers, an odd number (an even one while a dead manager is replaced; never 2); the first one initialises the swarm and admits the others. */
    managers: DockerHost[];
    workers: DockerHost[];
}

/**
 * A Docker Swarm: `swarm init` on the first manager, then every other node joins with the token and
 * the manager's address, both passed as Outputs. A node removed from the config leaves (a manager is
 * demoted first) and is then removed from the node list by the first manager.
 */
export class SwarmCluster extends pulumi.ComponentResource {
    /** The manager that initialised the swarm. */
    public readonly firstManager: DockerHost;
    /** Address of the first manager; nodes join at `<managerAddress>:2377`. */
    public readonly managerAddress: pulumi.Output<string>;
    public readonly workerToken: pulumi.Output<string>;
    public readonly managerToken: pulumi.Output<string>;
    /** Swarm node id per host name. */
    public readonly nodeIds: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: SwarmClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("twister2:cluster:SwarmCluster", name, {}, opts);
        const [first, ...otherManagers] = args.managers;
        if (!first || args.managers.length === 2) {
            throw new Error(`a swarm needs 1, 3 or more managers, got ${args.managers.length}`);
        }
        this.firstManager = first;

        const init = hostScript(`${name}-init`, {
            host: first.host,
            create: "swarm-init.sh",
            createSettings: { ADVERTISE_ADDR: first.host.address },
            delete: "swarm-leave.sh",
        }, { parent: this, dependsOn: [first] });

        const tokens = hostScript(`${name}-join-tokens`, {
            host: first.host,
            create: "swarm-join-tokens.sh",
            secretStdout: true,
            // A new swarm (a new first-manager node id) has new tokens.
            triggers: [init.stdout],
        }, { parent: this, dependsOn: [init] });
        const parsed = tokens.stdout.apply((json) => JSON.parse(json) as { worker: string; manager: string });
        this.workerToken = pulumi.secret(parsed.worker);
        this.managerToken = pulumi.secret(parsed.manager);
        this.managerAddress = init.stdout.apply(() => first.host.address);

        const nodeIds: Record<string, pulumi.Output<string>> = { [first.host.name]: lastLine(init.stdout) };
        const joiners = [
            ...otherManagers.map((node) => ({ node, role: "manager", token: this.managerToken })),
            ...args.workers.map((node) => ({ node, role: "worker", token: this.workerToken })),
        ];
        for (const { node, role, token } of joiners) {
            const host = node.host;
            // Created before the join and so deleted after the node has left: the first manager then
            // drops it from the node list.
            // A node changes role by leaving and joining again: the role is a trigger of both steps.
            const evict = hostScript(`${name}-evict-${host.name}`, {
                host: first.host,
                delete: "swarm-evict.sh",
                deleteSettings: { NODE_ADDR: host.address },
                triggers: [role],
            }, { parent: this, dependsOn: [init] });
            const join = hostScript(`${name}-join-${host.name}`, {
                host,
                create: "swarm-join.sh",
                createSettings: { MANAGER_ADDR: this.managerAddress, ADVERTISE_ADDR: host.address, ROLE: role },
                stdin: token,
                delete: "swarm-leave.sh",
                triggers: [role],
            }, { parent: this, dependsOn: [node, evict] });
            nodeIds[host.name] = lastLine(join.stdout);
        }
        this.nodeIds = pulumi.all(nodeIds);

        this.registerOutputs({
            managerAddress: this.managerAddress,
            workerToken: this.workerToken,
            managerToken: this.managerToken,
            nodeIds: this.nodeIds,
        });
    }
}
