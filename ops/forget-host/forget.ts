// npm run forget-host's decisions, pure: which resources of a stack's state act on a host (their
// connection dials it, or their Docker provider does), and the state without them.

/** A resource as `pulumi stack export` writes it (the fields this tool reads or edits). */
export interface StateResource {
    urn: string;
    type: string;
    custom?: boolean;
    id?: string;
    parent?: string;
    provider?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    deletedWith?: string;
    [field: string]: unknown;
}

export interface Deployment {
    resources?: StateResource[];
    pending_operations?: { resource: StateResource; type: string }[];
    [field: string]: unknown;
}

/** A secret as `stack export --show-secrets` writes it: the signature key and the JSON of the value. */
const secretSignature = "4dabf18193072939515e22adb298388d";

function reveal(value: unknown): unknown {
    if (value && typeof value === "object" && secretSignature in value && "plaintext" in value) {
        return JSON.parse(String((value as { plaintext: unknown }).plaintext));
    }
    return value;
}

/** An address and port a resource dials. */
export interface Endpoint { address: string; port: number }

/**
 * Where a resource dials, if it dials: a remote command's connection (and `via`, its bastion, when it
 * has a proxy), a Docker provider's ssh:// host.
 */
export function dialled(resource: StateResource): (Endpoint & { via?: Endpoint }) | undefined {
    if (resource.type.startsWith("command:remote:")) {
        const connection = reveal(resource.inputs?.connection) as { host?: unknown; port?: unknown; proxy?: { host?: unknown; port?: unknown } } | undefined;
        const endpoint = (c: { host?: unknown; port?: unknown } | undefined) =>
            typeof c?.host === "string" ? { address: c.host, port: typeof c.port === "number" ? c.port : 22 } : undefined;
        const host = endpoint(connection);
        const via = endpoint(connection?.proxy);
        return host && (via ? { ...host, via } : host);
    }
    if (resource.type === "pulumi:providers:docker") {
        const host = reveal(resource.inputs?.host);
        const url = typeof host === "string" ? /^ssh:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?/.exec(host) : null;
        return url ? { address: url[1].replace(/^\[|\]$/g, ""), port: Number(url[2] ?? 22) } : undefined;
    }
    return undefined;
}

/** `<provider urn>::<id>` names the provider of a resource. */
const providerUrn = (reference: string) => reference.slice(0, reference.lastIndexOf("::"));

/**
 * The URNs of every resource that acts on `address`: steps whose connection dials it, Docker
 * providers that reach its engine, and what those providers manage. `revealed` is the state with
 * secrets shown (connections are secret); nothing of it is returned but URNs.
 */
export function resourcesOnHost(revealed: Deployment, address: string): string[] {
    const onHost = new Set<string>();
    for (const resource of revealed.resources ?? []) {
        if (dialled(resource)?.address === address) onHost.add(resource.urn);
        else if (resource.provider && onHost.has(providerUrn(resource.provider))) onHost.add(resource.urn);
    }
    return [...onHost];
}

/**
 * The state without the forgotten resources: they leave the resource list and pending operations,
 * and every other resource's references to them go (a remaining step no longer waits on one that is
 * gone). Nothing else changes; secrets stay as encrypted as they were.
 */
export function withoutResources(deployment: Deployment, forgotten: string[]): Deployment {
    const gone = new Set(forgotten);
    const keep = (urn: string) => !gone.has(urn);
    const resources = (deployment.resources ?? []).filter((r) => keep(r.urn)).map((r) => {
        const edited: StateResource = { ...r };
        if (r.dependencies) edited.dependencies = r.dependencies.filter(keep);
        if (r.propertyDependencies) {
            edited.propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, urns]) => [k, urns.filter(keep)]));
        }
        if (r.deletedWith && gone.has(r.deletedWith)) delete edited.deletedWith;
        return edited;
    });
    const pending = deployment.pending_operations?.filter((op) => keep(op.resource.urn));
    return { ...deployment, resources, ...(pending ? { pending_operations: pending } : {}) };
}
