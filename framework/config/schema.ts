// The stack's configuration, the `twister2-cluster:*` keys of Pulumi.<stack>.yaml: the hosts and roles
// (hosts.ts), each component's settings (its contract's schema) and the preflight's, put together; and
// their parse, each setting on its own, into what the checks (rules.ts and the components') compare.
import { z } from "zod";
import { AnyComponent, RoleContract, rolesOf } from "../component";
import { policySettings } from "../policy/config";
import { policyRulesOf } from "../policy/rules";
import { preflightSettings } from "../preflight/config";
import { rolloutSettings } from "../remote/rolling";
import { BastionSettings, bastionSettings, HostSettings, hostSettings, inventoryHostSettings, inventorySettings, SeenHost } from "./hosts";
import type { Inventory } from "./load";
import { oneOf, parseSetting, Problem, text } from "./settings";

/** The schema of every `twister2-cluster:*` key, in the order the docs list them. */
export function stackSettings(components: readonly AnyComponent[]) {
    return z.strictObject({
        hostsFile: text().optional().describe("An inventory JSON with the hosts (`npm run lab:up` writes .lab/inventory.json); or hosts"),
        hosts: z.array(hostSettings).optional().describe("The machines the cluster is built on; or hostsFile"),
        roles: roleSettings(rolesOf(components)).default({}),
        bastion: bastionSettings.optional(),
        ...Object.fromEntries(components.flatMap(({ settings, settingsNeedRole }) => {
            if (!settings) return [];
            const schema = settingsNeedRole ? settings.schema.optional() : settings.schema;
            return [[settings.key, settings.description ? schema.describe(settings.description) : schema]];
        })),
        preflight: preflightSettings.prefault({}).describe("What pulumi up checks on every host before it changes any"),
        rollout: rolloutSettings.prefault({}).describe("How a change that restarts a service on several hosts rolls through them (docs/operations.md)"),
        policy: policySettings(policyRulesOf(components)).prefault({}).describe("What the policy pack (policy/, run by npm run up and the previews) lets this stack break"),
    });
}

/** Each host's roles, by host name: those the components give (`roles`, in their order). */
export function roleSettings(roles: readonly [string, RoleContract][]) {
    const names = roles.map(([name]) => name) as [string, ...string[]];
    const exclusions = roles.flatMap(([name, role]) => role.excludes ? [[name, role.excludes] as const] : []);
    const roleList = z.array(oneOf(names, (value) => `unknown role '${String(value)}'; known roles: ${names.join(", ")}`))
        .superRefine((list, context) => {
            for (const [one, other] of exclusions.filter(([one, other]) => list.includes(one) && list.includes(other))) {
                context.addIssue({ code: "custom", message: `a host is either ${one} or ${other}, not both` });
            }
        })
        .transform((list) => [...new Set(list)]);
    return z.record(z.string(), roleList).describe("Each host's roles, e.g. h1: [swarm-manager, zookeeper]");
}

/**
 * The `twister2-cluster:*` keys without the prefix, as Pulumi.<stack>.yaml holds them: unchecked, any
 * value in each (the tests give wrong types on purpose; the schema says what is right).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RawConfig = Record<string, any>;

/** The settings, parsed: each with the problems of its own left out (its default applies), see parseSetting. */
export interface ParsedSettings {
    hosts: SeenHost[];
    /** False when the hosts could not be read at all (hosts or hostsFile wrong): then no check names a host. */
    hostsKnown: boolean;
    roles: Record<string, string[]>;
    /** The stack's jump host, for every host that names none of its own. */
    bastion?: BastionSettings;
    preflight: z.output<typeof preflightSettings>;
    rollout: z.output<typeof rolloutSettings>;
    /** Each component's settings by key; a component whose settings need a role no host has is missing. */
    components: Record<string, unknown>;
    /** Every setting's own problems (its type, its format, its range). */
    problems: Problem[];
}

/** Parses `raw` (nulls left out, see withoutNulls); `inventory` is hostsFile's, when one is given. */
export function parseSettings(components: readonly AnyComponent[], raw: Record<string, unknown>, inventory: Inventory | undefined): ParsedSettings {
    const schema = stackSettings(components);
    // The hosts, and the settings that only a host with a role needs, are parsed with what they depend on.
    const needRole = components.flatMap(({ settings, settingsNeedRole }) => settings && settingsNeedRole ? [settings.key] : []);
    const sectionSettings = schema.extend({ hosts: z.unknown().optional(), ...Object.fromEntries(needRole.map((key) => [key, z.unknown().optional()])) });
    const parsed = parseSetting(sectionSettings, raw, "");
    const { hostsFile: _, hosts: __, policy: ___, roles, bastion, preflight, rollout, ...sections } = (parsed.value ?? sectionSettings.parse({})) as Record<string, unknown> &
        { roles: Record<string, string[]>; bastion?: BastionSettings; preflight: z.output<typeof preflightSettings>; rollout: z.output<typeof rolloutSettings> };
    const hosts = parseHosts(raw.hosts, inventory, raw.hostsFile !== undefined);
    const seen = hosts.hosts.map((host) => ({ ...host, roles: host.name === undefined ? [] : roles[host.name] ?? [] }));

    const problems = [...parsed.problems, ...hosts.problems];
    const componentSettings: Record<string, unknown> = {};
    for (const { settings, settingsNeedRole } of components) {
        if (!settings) continue;
        if (!settingsNeedRole) {
            componentSettings[settings.key] = sections[settings.key];
        } else if (seen.some((h) => h.roles.includes(settingsNeedRole))) {
            const own = parseSetting(settings.schema, raw[settings.key] ?? {}, settings.key);
            problems.push(...own.problems);
            if (own.value !== undefined) componentSettings[settings.key] = own.value;
        }
    }
    return { hosts: seen, hostsKnown: hosts.known, roles, ...bastion === undefined ? {} : { bastion }, preflight, rollout, components: componentSettings, problems };
}

/** A host's settings, each if right: the problems were said when it was parsed whole. */
const hostSettingsThatAreRight = inventoryHostSettings.partial();
const aList = z.array(z.unknown()).optional();

/** The hosts of `hosts` and of the inventory, each as far as its settings are right. */
function parseHosts(yamlHosts: unknown, inventory: Inventory | undefined, hostsFileGiven: boolean) {
    const problems: Problem[] = [];
    const hosts: Omit<SeenHost, "roles">[] = [];
    const parseEach = (list: unknown, where: string, schema: z.ZodType<HostSettings>, hostWhere: (i: number) => string) => {
        const parsedList = parseSetting(aList, list, where);
        problems.push(...parsedList.problems);
        (parsedList.value ?? []).forEach((item, i) => {
            const host = parseSetting(schema, item, hostWhere(i));
            problems.push(...host.problems);
            // A host with a problem still takes part in the checks with the settings it has right (its roles count).
            hosts.push({ where: hostWhere(i), complete: host.value, ...host.value ?? parseSetting(hostSettingsThatAreRight, item, hostWhere(i)).value });
        });
    };

    if (inventory && "error" in inventory) {
        problems.push({ where: "hostsFile", message: `cannot read ${inventory.file} (${inventory.error}); ` +
            "for the lab run `npm run lab:up`, or point hostsFile at an inventory JSON" });
    } else if (inventory) {
        const where = `hostsFile (${inventory.file})`;
        const parsed = parseSetting(inventorySettings, inventory.json, where);
        problems.push(...parsed.problems);
        parseEach(parsed.value?.hosts, `${where}.hosts`, inventoryHostSettings, (i) => `${where} hosts[${i}]`);
    }
    parseEach(yamlHosts, "hosts", hostSettings, (i) => `hosts[${i}]`);
    if (hosts.length === 0 && !hostsFileGiven && yamlHosts === undefined) {
        problems.push({ where: "hosts", message: "no hosts configured; add `hosts` (name, address, user, hostKey, and privateKeyFile unless the SSH agent logs in) or `hostsFile`" });
    }
    return { hosts, problems, known: hosts.length > 0 || problems.length === 0 };
}
