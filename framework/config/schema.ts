// The stack's configuration, the `twister2-cluster:*` keys of Pulumi.<stack>.yaml: the hosts and roles
// (hosts.ts) and one schema per component (components/<component>/config.ts), put together; and their parse, each
// setting on its own, into what the rules (rules.ts) compare.
import { z } from "zod";
import { dockerSettings } from "../../components/docker/config";
import { mesosSettings } from "../../components/mesos/config";
import { nfsSettings } from "../../components/nfs/config";
import { preflightSettings } from "../preflight/config";
import { overlaySettings } from "../../components/swarm/config";
import { uploaderSettings, type UploaderSettings } from "../../components/uploader/config";
import { workerImageSettings } from "../../components/worker-image/config";
import { zookeeperSettings } from "../../components/zookeeper/config";
import { HostSettings, hostSettings, inventoryHostSettings, inventorySettings, roleSettings, SeenHost } from "./hosts";
import type { Inventory } from "./load";
import { parseSetting, Problem, text, Unchecked } from "./settings";

export const stackSettings = z.strictObject({
    hostsFile: text().optional().describe("An inventory JSON with the hosts (`npm run lab:up` writes .lab/inventory.json); or hosts"),
    hosts: z.array(hostSettings).optional().describe("The machines the cluster is built on; or hostsFile"),
    roles: roleSettings.default({}),
    docker: dockerSettings.prefault({}),
    overlay: overlaySettings.prefault({}),
    zookeeper: zookeeperSettings.prefault({}),
    mesos: mesosSettings.prefault({}),
    uploader: uploaderSettings().optional().describe("Twister2's job packages, on the host with the uploader role"),
    nfs: nfsSettings.prefault({}).describe("Job logs and outputs, on the host with the nfs-server role"),
    workerImage: workerImageSettings.prefault({}).describe("Twister2's worker image, built on every mesos-agent host"),
    preflight: preflightSettings.prefault({}).describe("What pulumi up checks on every host before it changes any"),
});

/** The `twister2-cluster:*` keys, as Pulumi.<stack>.yaml holds them (unchecked: any value in each). */
export type RawConfig = Unchecked<z.input<typeof stackSettings>>;

/** Every setting but the hosts and the uploader's, which are parsed with what they depend on. */
const sectionSettings = stackSettings.extend({ hosts: z.unknown().optional(), uploader: z.unknown().optional() });

/** The settings, parsed: each with the problems of its own left out (its default applies), see parseSetting. */
export interface ParsedSettings extends Omit<z.output<typeof sectionSettings>, "hosts" | "uploader"> {
    hosts: SeenHost[];
    /** False when the hosts could not be read at all (hosts or hostsFile wrong): then no check names a host. */
    hostsKnown: boolean;
    /** Set when a host has the uploader role: without one, the uploader's settings are not checked. */
    uploader?: UploaderSettings;
    /** Every setting's own problems (its type, its format, its range). */
    problems: Problem[];
}

/** Parses `raw` (nulls left out, see withoutNulls); `inventory` is hostsFile's, when one is given. */
export function parseSettings(raw: Record<string, unknown>, inventory: Inventory | undefined): ParsedSettings {
    const parsed = parseSetting(sectionSettings, raw, "");
    const { hosts: _, uploader: __, ...settings } = parsed.value ?? sectionSettings.parse({});
    const hosts = parseHosts(raw.hosts, inventory, raw.hostsFile !== undefined);
    const seen = hosts.hosts.map((host) => ({ ...host, roles: host.name === undefined ? [] : settings.roles[host.name] ?? [] }));

    const uploaderHost = seen.find((h) => h.roles.includes("uploader"));
    const uploader = uploaderHost && parseSetting(uploaderSettings(uploaderHost).prefault({}), raw.uploader, "uploader");
    return {
        ...settings,
        hosts: seen,
        hostsKnown: hosts.known,
        uploader: uploader?.value,
        problems: [...parsed.problems, ...hosts.problems, ...uploader?.problems ?? []],
    };
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
