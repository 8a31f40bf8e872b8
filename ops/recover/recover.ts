// npm run recover's decisions, pure: which pending creates a killed `pulumi up` left in the state, and
// what becomes of each. A remote step's create is run again by the next `pulumi up` (every host step is
// idempotent), so its pending create is cleared. A Docker network's is not: the network may exist on
// the engine, where creating it again fails ("network with name ... already exists"), so it is imported
// (by the id the engine gives for its name) or, when the engine has none, cleared.
import { Deployment, dialled, StateResource } from "../forget-host/forget";

export interface PendingNetwork {
    urn: string;
    /** The network's name, as the program gave it. */
    name: string;
    /** The engine's host, from the resource's Docker provider (ssh://user@address:port). */
    address: string;
}

/** The pending creates of Docker networks, with the host whose engine has them; the rest needs nothing. */
export function pendingNetworks(deployment: Deployment): PendingNetwork[] {
    const byUrn = new Map((deployment.resources ?? []).map((r) => [r.urn, r]));
    return (deployment.pending_operations ?? [])
        .filter((op) => op.type === "creating" && op.resource.type === "docker:index/network:Network")
        .flatMap(({ resource }) => {
            const provider = resource.provider && byUrn.get(resource.provider.slice(0, resource.provider.lastIndexOf("::")));
            const address = provider && dialled(provider as StateResource)?.address;
            const name = resource.inputs?.name;
            return address && typeof name === "string" ? [{ urn: resource.urn, name, address }] : [];
        });
}

/** `pulumi refresh` arguments that import the networks found (URN, id) and clear every other pending create. */
export function refreshArguments(found: { urn: string; id: string }[]): string[] {
    return ["refresh", "--yes", "--skip-preview", "--clear-pending-creates",
        ...found.length > 0 ? ["--import-pending-creates", ...found.flatMap(({ urn, id }) => [urn, id])] : []];
}
