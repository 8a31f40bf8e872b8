// The cluster a stack's config describes, as plain data: where each component runs (its contract's
// layout), the ports each host listens on and the packages it needs, from the components' contracts.
// Pure: no Pulumi resources, no I/O. index.ts builds the components from it, and the tools (preflight,
// npm run diagram, check, smoke) read the same decisions from it.
import type { AnyComponent, LayoutsOf, RolePort } from "../component";
import type { ClusterHost } from "../config/hosts";
import type { StackConfigOf } from "../config/stackConfig";
import type { PackageNeed } from "../packages/packages";
import type { HostScript } from "../remote/hostScripts";

/** A port a host listens on, for one of its roles. */
export type ListeningPort = RolePort;

export interface ClusterPlan {
    /** Every host with a role, in config order. */
    hosts: ClusterHost[];
    /** The hosts with a role that runs containers: each gets a container engine. */
    runsContainers: ClusterHost[];
    /** What each host listens on, by host name, role by role in the order of its roles. */
    ports: Record<string, ListeningPort[]>;
    /** What each host's components need installed, by host name: its setup step installs it all in one apt run. */
    packages: Record<string, PackageNeed[]>;
    /** The components' own preflight checks of each host, by host name. */
    preflight: Record<string, PreflightCheck[]>;
}

/** A component's preflight fragment for one host, with its settings there. */
export interface PreflightCheck {
    component: string;
    script: HostScript;
    settings: Record<string, string | number | boolean>;
}

/** The plan, and each component's layout by its id. */
export type ClusterPlanOf<L extends readonly AnyComponent[]> = ClusterPlan & LayoutsOf<L>;

/** The plan of the cluster `config` describes. */
export function plan<L extends readonly AnyComponent[]>(components: L, config: StackConfigOf<L>): ClusterPlanOf<L> {
    const configs = config as unknown as Record<string, unknown>;
    const owners = new Map(components.flatMap((component) => Object.entries(component.roles ?? {}).map(([role, contract]) => [role, { component, contract }])));
    const runsContainers = config.hosts.filter((h) => h.roles.some((role) => owners.get(role)?.contract.runsContainers));
    const layouts = new Map(components.map((component) => {
        const own = configs[component.id];
        const given = !component.settings || own !== undefined;
        return [component, given && component.layout ? component.layout(own, config.hosts, runsContainers) : undefined];
    }));
    const portsOf = (role: string): ListeningPort[] => {
        const owner = owners.get(role);
        const own = owner && configs[owner.component.id];
        if (!owner?.component.ports || own === undefined) return [];
        return (owner.component.ports(own)[role] ?? []).map((port) => ({ role, ...port }));
    };
    const packagesOf = (host: ClusterHost): PackageNeed[] => components.flatMap((component) => {
        const layout = layouts.get(component);
        return layout === undefined || !component.packages ? [] : component.packages(host, layout, configs[component.id]);
    });
    const preflightOf = (host: ClusterHost): PreflightCheck[] => components.flatMap((component) => {
        const layout = layouts.get(component);
        const settings = layout === undefined ? undefined : component.preflight?.settings(host, layout, configs[component.id]);
        return component.preflight && settings ? [{ component: component.id, script: component.preflight.script, settings }] : [];
    });
    return {
        ...Object.fromEntries(components.map((component) => [component.id, layouts.get(component)])),
        hosts: config.hosts,
        runsContainers,
        ports: Object.fromEntries(config.hosts.map((host) => [host.name, host.roles.flatMap(portsOf)])),
        packages: Object.fromEntries(config.hosts.map((host) => [host.name, packagesOf(host)])),
        preflight: Object.fromEntries(config.hosts.map((host) => [host.name, preflightOf(host)])),
    } as ClusterPlanOf<L>;
}
