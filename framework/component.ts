// The contract every component implements (components/<name>/component.ts), and the one thing the
// framework knows of a component: its settings, its roles with their ports, its checks, its packages.
// The framework (config loading, the plan, preflight) loops over the list in components/index.ts and
// names no component; index.ts builds each component's ComponentResource from what the contract gave.
import type { z } from "zod";
import type { LiveContract } from "./check/contract";
import type { ClusterHost, SeenHost } from "./config/hosts";
import type { DrawingContract } from "./diagram/contract";
import type { FileDigest, FileText } from "./config/load";
import type { Problem } from "./config/settings";
import type { PackageNeed } from "./packages/packages";
import type { PolicyRule } from "./policy/rule";
import type { HostScript } from "./remote/hostScripts";

/** A port a role's service listens on. */
export interface PortContract {
    port: number;
    protocol: "tcp" | "udp";
    /** What it is, for messages: "ZooKeeper's client port". */
    description: string;
    /** The systemd units that may hold it: found held by one of them, the port is this stack's own (a re-run). */
    units: string[];
    /**
     * Who besides the stack's own hosts must reach it: the kinds of client whose networks the stack names
     * (`access.submitters`, ...); none: the cluster's hosts only. The host firewall admits no one else.
     */
    clients: readonly ClientKind[];
    /** Addresses, CIDRs or DNS names the component's own settings admit as well (`nfs.clients`). */
    sources?: readonly string[];
}

/** A port, with the role whose hosts listen on it. */
export type RolePort = PortContract & { role: string };

/**
 * The kinds of client outside the cluster: hosts that submit Twister2 jobs, hosts that upload job
 * packages, and operators' machines (the web UIs and read APIs).
 */
export type ClientKind = "submitters" | "uploaders" | "operators";

/** A role a component gives hosts (`roles.h1: [zookeeper]`). */
export interface RoleContract {
    /** What a host with the role runs, for messages and the docs. */
    description: string;
    /** Kept by a majority of its hosts: 1, or 3 or more, odd (see quorumRule). */
    quorum?: boolean;
    /** One host at the most. */
    single?: boolean;
    /** The host runs containers, so it gets a Docker engine. */
    runsContainers?: boolean;
    /** A role a host with this one may not also have. */
    excludes?: string;
    /** A role some host must have while a host has this one, and what to tell the operator when none does. */
    needs?: { role: string; fix: string }[];
}

/**
 * A component's own preflight check of a host, before `pulumi up` changes any (framework/preflight):
 * what only it knows to look for, such as what its settings ask of the host's kernel.
 */
export interface PreflightContract<Config, Layout> {
    /** Its fragment (host/<name>-preflight.sh): runs as the SSH login after preflight.sh, whose `problem` it calls; reads only (`as_root CMD` to read as root). */
    script: HostScript;
    /** Its settings on `host`; undefined: nothing to check there. */
    settings(host: ClusterHost, layout: Layout, config: Config): Record<string, string | number | boolean> | undefined;
}

/** The hosts as a check sees them: each setting when it is right, and the roles. */
export type HostView = Pick<SeenHost, "where" | "name" | "address" | "port" | "user"> & { roles: readonly string[] };

/** What a component's checks are given beside its own settings. */
export interface CheckContext<Files> {
    hosts: readonly HostView[];
    /** False when the hosts could not be read at all (hosts or hostsFile wrong): then no check names a host. */
    hostsKnown: boolean;
    /** The hosts with `role`. */
    withRole(role: string): HostView[];
    /** The hosts with a role that runs containers (each gets a Docker engine). */
    runsContainers: readonly HostView[];
    /** What the files its settings name hold (readFiles). */
    files: Files;
    /** Every port the components' roles listen on (held by a host or not), for settings that must not take one of them. */
    ports: readonly RolePort[];
}

/** How a component reads the files its settings name on this machine: the framework resolves the paths. */
export interface FileReader {
    text(setting: string): FileText;
    sha256(setting: string): FileDigest;
}

/**
 * One component's whole contract with the framework. `Id` is its field in the stack config and the
 * plan, `Settings` its settings schema's output (its ComponentResource's args are built from it),
 * `Config` what its resource takes once the files are read and the hosts known, `Layout` where it runs.
 */
export interface Component<Id extends string = string, Settings = unknown, Files = undefined, Config = Settings, Layout = undefined> {
    /** Its field in the stack config and the plan (`config.zookeeper`, `layout.zookeeper`). */
    readonly id: Id;
    /** Its settings, `twister2-cluster:<key>`, when it has any: types, defaults and descriptions (the JSON Schema and docs/configuration.md are made from it). */
    readonly settings?: { key: string; schema: z.ZodType<Settings>; description?: string };
    /** Its settings are parsed and checked only while a host has this role (they hold what only that host needs). */
    readonly settingsNeedRole?: string;
    /** The roles it gives hosts, in the order the docs list them. */
    readonly roles?: Readonly<Record<string, RoleContract>>;
    /** The files its settings name, read once per run (before any check). */
    readFiles?(settings: Settings, read: FileReader): Files;
    /** Its own checks, the cross-field ones included; each problem names a setting and the fix. */
    check?(settings: Settings, context: CheckContext<Files>): Problem[];
    /** Warnings: not wrong, but worth the operator's attention. */
    warn?(settings: Settings, context: CheckContext<Files>): string[];
    /** What its resource takes, from settings without a problem, the files and the hosts with their roles. */
    config?(settings: Settings, files: Files, hosts: readonly ClusterHost[]): Config;
    /** Where it runs: undefined when no host has its roles. Pure. */
    layout?(config: Config, hosts: readonly ClusterHost[], runsContainers: readonly ClusterHost[]): Layout | undefined;
    /** The ports a host with each of its roles listens on (a role left out listens on none). */
    ports?(config: Config): Partial<Record<string, PortContract[]>>;
    /** The host scripts its steps run: its host/ folder, declared with hostScriptsIn (the hosts get them in one bundle). */
    readonly scripts?: Readonly<Record<string, HostScript>>;
    /** What `host` needs installed for it (the host's setup step installs every component's in one apt run). */
    packages?(host: ClusterHost, layout: Layout, config: Config): PackageNeed[];
    /** What preflight checks of it on each host before `pulumi up` changes any. */
    readonly preflight?: PreflightContract<Config, Layout>;
    /** What `npm run check` reads of it on the live hosts and expects there (framework/check/contract.ts). */
    readonly live?: LiveContract<Config, Layout>;
    /** The policy pack's rules about it (framework/policy/rule.ts), checked on the resources of every preview and up. */
    readonly policies?: readonly PolicyRule[];
    /** What `npm run diagram` draws of it (framework/diagram/contract.ts). */
    readonly drawing?: DrawingContract<Config, Layout>;
}

/** Any component, as the framework loops over them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyComponent = Component<string, any, any, any, any>;

/** A component's contract, typed: `export const zookeeper = defineComponent<"zookeeper", ZookeeperSettings, ...>({ ... })`. */
export function defineComponent<Id extends string, Settings, Files = undefined, Config = Settings, Layout = undefined>(
    component: Component<Id, Settings, Files, Config, Layout>,
): Component<Id, Settings, Files, Config, Layout> {
    return component;
}

/** The config each component's resource takes, by id. */
export type ConfigsOf<L extends readonly AnyComponent[]> = {
    [C in L[number] as C["id"]]: C extends Component<string, infer _S, infer _F, infer Config, infer _L> ? Config : never
};

/** Where each component runs, by id (undefined: no host has its roles). */
export type LayoutsOf<L extends readonly AnyComponent[]> = {
    [C in L[number] as C["id"]]: C extends Component<string, infer _S, infer _F, infer _C, infer Layout> ? Layout | undefined : never
};

/** Every host script the components' steps run. */
export const scriptsOf = (components: readonly AnyComponent[]): HostScript[] => components.flatMap((component) => Object.values(component.scripts ?? {}));

/** Every role the components give, in their order. */
export function rolesOf(components: readonly AnyComponent[]): [string, RoleContract][] {
    return components.flatMap((component) => Object.entries(component.roles ?? {}));
}

/**
 * Swarm managers, ZooKeeper servers and Mesos masters work while a majority of them does: 1, or 3 or more.
 * Two survive no failure (worse than one); four survive one, as three do: fine while a dead host is being
 * replaced, not as a layout.
 */
export const quorumRule = {
    /** A count the quorum rule refuses: none, or 2. */
    refuses: (count: number): boolean => count === 0 || count === 2,
    /** What a component that needs a quorum says of a count it refuses. */
    message: (what: string, count: number): string => `${what} needs 1, 3 or more, got ${count}`,
    /** A majority of `members`: how many of them must be up for the group to work. */
    majority: (members: number): number => Math.floor(members / 2) + 1,
};
