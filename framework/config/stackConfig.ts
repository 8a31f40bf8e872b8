// The stack's configuration (Pulumi.<stack>.yaml), typed and checked before any resource exists. Every
// problem is reported at once, each naming its setting and the fix: schema.ts parses each setting (with
// the components' schemas), load.ts reads the files they name, rules.ts and the components' own checks
// compare them; then each component makes the config its resource takes.
import * as pulumi from "@pulumi/pulumi";
import { AnyComponent, CheckContext, ConfigsOf, FileReader, RolePort, rolesOf } from "../component";
import type { PreflightConfig } from "../preflight/config";
import type { RolloutConfig } from "../remote/rolling";
import type { BastionSettings, ClusterHost } from "./hosts";
import { SecretText } from "./secretText";
import { cacheDirOf, fileSha256, FileText, readInventory, readText, resolvePath } from "./load";
import { hostProblems, roleProblems, sudoPasswordProblems, withRole } from "./rules";
import { parseSettings, ParsedSettings, RawConfig, stackSettings } from "./schema";
import { apartFrom, parseSetting, Problem, problemText, withoutNulls } from "./settings";

export type { ClusterHost } from "./hosts";
export type { RawConfig } from "./schema";

/** What every stack's config holds, whatever its components. */
export interface ClusterConfig {
    /** The hosts with a role, in config order. */
    hosts: ClusterHost[];
    /** What `pulumi up` checks on every host before it changes any. */
    preflight: PreflightConfig;
    /** How a change that restarts a service on several hosts goes through them. */
    rollout: RolloutConfig;
    /** Not wrong, but worth the operator's attention (`pulumi up` shows them as warnings). */
    warnings: string[];
}

/** A stack's config: the hosts, and each component's config by its id. */
export type StackConfigOf<L extends readonly AnyComponent[]> = ClusterConfig & ConfigsOf<L>;

export class ConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(`the stack configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
}

/** Reads `twister2-cluster:*` from the current stack (a key that is no setting is reported as one). */
export function loadStackConfig<L extends readonly AnyComponent[]>(components: L, projectDir: string): StackConfigOf<L> {
    const config = new pulumi.Config();
    const prefix = `${config.name}:`;
    const keys = Object.keys(pulumi.runtime.allConfig()).filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
    const structured = (key: string) => key !== "hostsFile" && key in stackSettings(components).shape;
    return parseStackConfig(components, Object.fromEntries(keys.map((key) => [key, structured(key) ? config.getObject(key) : config.get(key)])), projectDir,
        secretKeysOf(prefix));
}

/**
 * The keys of the program's config that the stack holds as secrets (without the prefix), as the engine
 * tells the program: PULUMI_CONFIG_SECRET_KEYS, a JSON list of full keys.
 */
function secretKeysOf(prefix: string): Set<string> {
    try {
        const keys: unknown = JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS ?? "[]");
        return new Set(Array.isArray(keys) ? keys.filter((k): k is string => typeof k === "string" && k.startsWith(prefix)).map((k) => k.slice(prefix.length)) : []);
    } catch {
        return new Set();
    }
}

/** What `pulumi config --json` prints for each key: its text, a structured value parsed beside it, and whether it is a secret. */
export type CliConfigEntry = { value?: string; objectValue?: unknown; secret?: boolean };

/**
 * The program's raw config from `pulumi config --json` (the CLI's or the Automation API's): the keys of
 * `project`'s namespace without the `<project>:` prefix, each as `new pulumi.Config()` gives it.
 */
export function rawConfigFromCli(entries: Record<string, CliConfigEntry>, project: string): RawConfig {
    const prefix = `${project}:`;
    return Object.fromEntries(Object.entries(entries)
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, entry]) => [key.slice(prefix.length), entry.objectValue ?? entry.value]));
}

/** The keys of `project`'s namespace (without the prefix) that `pulumi config --json` marks as secrets. */
export function secretKeysFromCli(entries: Record<string, CliConfigEntry>, project: string): Set<string> {
    const prefix = `${project}:`;
    return new Set(Object.entries(entries).filter(([key, entry]) => entry.secret && key.startsWith(prefix)).map(([key]) => key.slice(prefix.length)));
}

/**
 * Checks a raw config (reading the files it names) and returns the typed one, or throws ConfigError
 * listing every problem. `secretKeys`: the keys the stack holds as secrets (a sudoPassword must be in one).
 */
export function parseStackConfig<L extends readonly AnyComponent[]>(components: L, given: RawConfig, projectDir: string,
    secretKeys: ReadonlySet<string> = new Set()): StackConfigOf<L> {
    const raw = withoutNulls(given) as Record<string, unknown>;
    const inventory = typeof raw.hostsFile === "string" ? readInventory(raw.hostsFile, projectDir) : undefined;
    const settings = parseSettings(components, raw, inventory);
    const files = readConfigFiles(components, settings, projectDir);
    const { problems, warnings } = crossChecks(components, settings, files);
    problems.push(...sudoPasswordProblems(settings, secretKeys.has("hosts")));
    const reported = [...settings.problems, ...apartFrom(settings.problems, problems)];
    if (reported.length > 0) throw new ConfigError(reported.map(problemText));
    return stackConfig(components, settings, files, projectDir, warnings);
}

/** The files the settings name, read. */
export interface ConfigFiles {
    /** Each host's privateKeyFile, by the host's setting (`hosts[0]`), and each bastion's (`bastion`, `hosts[0].bastion`). */
    privateKeys: Map<string, FileText>;
    /** Each host's sudoPasswordFile, by the host's setting. */
    sudoPasswords: Map<string, FileText>;
    /** What each component's readFiles returned, by its settings' key. */
    components: Record<string, unknown>;
}

export function readConfigFiles(components: readonly AnyComponent[], settings: ParsedSettings, projectDir: string): ConfigFiles {
    const read: FileReader = {
        text: (setting) => readText(resolvePath(setting, projectDir)),
        sha256: (setting) => fileSha256(resolvePath(setting, projectDir), cacheDirOf(projectDir)),
    };
    return {
        privateKeys: new Map([...settings.hosts, ...bastionsOf(settings)].flatMap(({ where, privateKeyFile }) =>
            privateKeyFile === undefined ? [] : [[where, readText(resolvePath(privateKeyFile, projectDir))] as const])),
        sudoPasswords: new Map(settings.hosts.flatMap(({ where, sudoPasswordFile }) =>
            sudoPasswordFile === undefined ? [] : [[where, readText(resolvePath(sudoPasswordFile, projectDir))] as const])),
        components: Object.fromEntries(components.flatMap(({ settings: own, readFiles }) =>
            own && readFiles && own.key in settings.components ? [[own.key, readFiles(settings.components[own.key], read)]] : [])),
    };
}

/** The bastions the settings give, each with its setting's name: the stack's, and those of hosts of their own. */
function bastionsOf(settings: ParsedSettings): (BastionSettings & { where: string })[] {
    return [
        ...settings.bastion ? [{ ...settings.bastion, where: "bastion" }] : [],
        ...settings.hosts.flatMap(({ where, bastion }) => bastion ? [{ ...bastion, where: `${where}.bastion` }] : []),
    ];
}

/**
 * A component's own settings and the files they name, when it takes part in the stack: it has no
 * settings, or they were parsed (settings that need a role no host has are not).
 */
function ownOf(component: AnyComponent, settings: ParsedSettings, files: ConfigFiles): { settings: unknown; files: unknown } | undefined {
    const key = component.settings?.key;
    if (key === undefined) return { settings: undefined, files: undefined };
    return key in settings.components ? { settings: settings.components[key], files: files.components[key] } : undefined;
}

/** The config a component's resource takes: its contract's, else its settings. */
const configOf = (component: AnyComponent, own: { settings: unknown; files: unknown }, hosts: readonly ClusterHost[]): unknown =>
    component.config ? component.config(own.settings, own.files, hosts) : own.settings;

/** The ports every role of the cluster listens on, with their settings' defaults where a setting is wrong. */
function declaredPorts(components: readonly AnyComponent[], settings: ParsedSettings, files: ConfigFiles, hosts: readonly ClusterHost[]): RolePort[] {
    return components.flatMap((component) => {
        if (!component.ports) return [];
        const own = ownOf(component, settings, files);
        const config = own && configOf(component, own, hosts);
        return config === undefined ? [] : Object.entries(component.ports(config)).flatMap(([role, ports]) => (ports ?? []).map((port) => ({ role, ...port })));
    });
}

function crossChecks(components: readonly AnyComponent[], settings: ParsedSettings, files: ConfigFiles): { problems: Problem[]; warnings: string[] } {
    const { hosts, hostsKnown } = settings;
    const roles = roleProblems(rolesOf(components), settings.roles, hosts, hostsKnown);
    const roleContracts = new Map(rolesOf(components));
    const problems = [...hostProblems(hosts, files.privateKeys, files.sudoPasswords, bastionsOf(settings)), ...roles.problems];
    const warnings = [...roles.warnings];
    for (const component of components) {
        const own = ownOf(component, settings, files);
        if (!own) continue;
        const context: CheckContext<unknown> = {
            hosts, hostsKnown, withRole: (role) => withRole(hosts, role),
            runsContainers: hosts.filter((h) => h.roles.some((role) => roleContracts.get(role)?.runsContainers)),
            files: own.files,
            // Read lazily: only a check that compares ports needs the others' configs.
            get ports() {
                return declaredPorts(components.filter((other) => other !== component), settings, files, clusterHosts(settings, ""));
            },
        };
        problems.push(...component.check?.(own.settings, context) ?? []);
        warnings.push(...component.warn?.(own.settings, context) ?? []);
    }
    return { problems, warnings };
}

/** The hosts whose every setting is right, with their roles (paths resolved from `projectDir`). */
function clusterHosts(settings: ParsedSettings, projectDir: string): ClusterHost[] {
    return settings.hosts.flatMap(({ complete, roles }): ClusterHost[] => {
        if (!complete) return [];
        const { name, address, user, port, privateKeyFile, hostKey, sudoPasswordFile, sudoPassword } = complete;
        const bastion = complete.bastion === false ? undefined : complete.bastion ?? settings.bastion;
        const keyFile = (file: string | undefined) => file === undefined ? {} : { privateKeyFile: resolvePath(file, projectDir) };
        return [{
            name, address, user, port,
            ...keyFile(privateKeyFile),
            hostKey,
            ...sudoPasswordFile === undefined ? {} : { sudoPasswordFile: resolvePath(sudoPasswordFile, projectDir) },
            ...sudoPassword === undefined ? {} : { sudoPassword: new SecretText(sudoPassword) },
            ...bastion === undefined ? {} : { bastion: { address: bastion.address, user: bastion.user, port: bastion.port, ...keyFile(bastion.privateKeyFile), hostKey: bastion.hostKey } },
            roles,
        }];
    });
}

/** The config the components take, from settings without a problem. */
function stackConfig<L extends readonly AnyComponent[]>(components: L, settings: ParsedSettings, files: ConfigFiles, projectDir: string,
    warnings: string[]): StackConfigOf<L> {
    const hosts = clusterHosts(settings, projectDir);
    const configs = Object.fromEntries(components.map((component) => {
        const own = ownOf(component, settings, files);
        return [component.id, own && configOf(component, own, hosts)];
    }));
    return {
        ...configs,
        // A host without roles (an inventory lists more hosts than the stack uses, or one is being retired)
        // gets no step, and neither preflight nor npm run check contacts it.
        hosts: hosts.filter((h) => h.roles.length > 0),
        preflight: settings.preflight,
        rollout: settings.rollout,
        warnings,
    } as StackConfigOf<L>;
}

/**
 * One component's settings (`raw`, as the stack file gives them) checked alone against `hosts` with
 * their roles, as a whole stack's parse checks them: its own roles' counts included. For its unit tests.
 */
export function checkComponent<C extends AnyComponent>(component: C, raw: unknown, hosts: readonly ClusterHost[], projectDir: string):
    { config: ConfigsOf<[C]>[C["id"]] | undefined; problems: string[] } {
    const key = component.settings?.key ?? component.id;
    const seen = hosts.map(({ sudoPassword: _, ...host }, i) => ({ ...host, where: `hosts[${i}]`, complete: host }));
    const settings: ParsedSettings = {
        hosts: seen, hostsKnown: true, roles: Object.fromEntries(hosts.map((h) => [h.name, h.roles])),
        preflight: { cgroupV2: true, minVarMb: 0 }, rollout: { maxUnavailable: 1 }, components: {}, problems: [],
    };
    if (component.settings) {
        const own = parseSetting(component.settings.schema, raw ?? {}, key);
        settings.problems.push(...own.problems);
        if (own.value !== undefined) settings.components[key] = own.value;
    }
    const files = readConfigFiles([component], settings, projectDir);
    const checked = crossChecks([component], settings, files);
    const problems = [...settings.problems, ...apartFrom(settings.problems, checked.problems)];
    const { [component.id]: config } = stackConfig([component], settings, files, projectDir, []) as Record<string, unknown>;
    return { config: config as ConfigsOf<[C]>[C["id"]] | undefined, problems: problems.map(problemText) };
}
