// npm run recover's decisions, pure: which pending operations a killed `pulumi up` or `destroy` left in
// the state, and what becomes of each. Every pending create is cleared: a remote step's create is run
// again by the next `pulumi up` (every host step is idempotent). A Docker network's is not idempotent:
// the killed run may have made the network on the engine, where making it again fails ("network with
// name ... already exists"), so a network the state does not know is removed from the engine first (it
// is the killed run's, and nothing uses it yet), and the next `pulumi up` makes it again.
// A step whose undo was cut short stays in the state as if it had never been undone, while on its host
// the undo may have gone all the way (Docker removed): the next `pulumi up` would see nothing to do. So
// it is tainted: the next `pulumi up` replaces it (its undo again, then the step; both idempotent), and
// the next `pulumi destroy` undoes it, as it would have anyway.
import { Deployment, dialled, StateResource } from "../forget-host/forget";

export interface PendingNetwork {
    urn: string;
    /** The network's name, as the program gave it. */
    name: string;
    /** The engine's host, from the resource's Docker provider (ssh://user@address:port). */
    address: string;
    /** Ids of the networks the state does know (one being replaced): those stay. */
    knownIds: string[];
}

/** The pending creates of Docker networks, with the host whose engine has them. */
export function pendingNetworks(deployment: Deployment): PendingNetwork[] {
    const resources = deployment.resources ?? [];
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const knownIds = resources.filter((r) => r.type === "docker:index/network:Network" && r.id).map((r) => r.id!);
    return (deployment.pending_operations ?? [])
        .filter((op) => op.type === "creating" && op.resource.type === "docker:index/network:Network")
        .flatMap(({ resource }) => {
            const provider = resource.provider && byUrn.get(resource.provider.slice(0, resource.provider.lastIndexOf("::")));
            const address = provider && dialled(provider as StateResource)?.address;
            const name = resource.inputs?.name;
            return address && typeof name === "string" ? [{ urn: resource.urn, name, address, knownIds }] : [];
        });
}

/**
 * The host script (bash, as root) that removes the killed run's network from the engine: the one named
 * `name`, unless the state knows its id. It prints what it did; Docker refuses to remove a network in use.
 */
export function removeLeftoverNetwork({ name, knownIds }: Pick<PendingNetwork, "name" | "knownIds">): string {
    const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
    return [
        `id=$(docker network inspect --format '{{.Id}}' ${quote(name)} 2>/dev/null || true)`,
        `if [ -z "$id" ]; then echo absent`,
        ...knownIds.map((id) => `elif [ "$id" = ${quote(id)} ]; then echo known`),
        `else docker network rm "$id" >/dev/null && echo removed; fi`,
    ].join("\n");
}

/**
 * Clears every pending operation: a refresh drops those of updates and deletes, and with
 * --clear-pending-creates those of creates (a network's too, once it is off the engine).
 */
export const clearPendingOperations = ["refresh", "--yes", "--skip-preview", "--clear-pending-creates"];

/** The resources whose undo (delete) a killed run had started: still in the state, maybe gone on the host. */
export function interruptedUndos(deployment: Deployment): string[] {
    const inState = new Set((deployment.resources ?? []).map((r) => r.urn));
    const undos = (deployment.pending_operations ?? []).filter((op) => op.type === "deleting").map((op) => op.resource.urn);
    return [...new Set(undos)].filter((urn) => inState.has(urn));
}

/**
 * Steps an earlier version of this program declared and this one does not, whose undo would take away
 * what a step of this version keeps: `pulumi up` would run that undo after this version's steps. They
 * leave the state without their undo. (Retired steps without an undo, such as zookeeper-quorum, are
 * simply deleted by the next `pulumi up`: nothing runs.)
 */
const retired: { step: RegExp; now: string }[] = [
    { step: /::twister2:cluster:SwarmCluster\$command:remote:Command::[^:]+-evict-[^:]+$/,
        now: "the first manager's swarm-members step keeps the node list now; its undo would remove the node from the swarm" },
    { step: /::twister2:cluster:UploaderServer\$command:remote:Command::[^:]+-(nginx|account)$/,
        now: "the uploader's server step keeps the site and the upload account now; its undo would remove them" },
];

/** The retired steps in the state, and why each goes without its undo. */
export function retiredSteps(deployment: Deployment): { urn: string; now: string }[] {
    return (deployment.resources ?? []).flatMap((r) => retired.filter(({ step }) => step.test(r.urn)).map(({ now }) => ({ urn: r.urn, now })));
}
