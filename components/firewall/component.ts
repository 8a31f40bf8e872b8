// The host firewall's contract: `twister2-cluster:access`, nftables on every host, and the rules each
// host gets from the ports its roles listen on (the other components' contracts, by the plan). It is
// part of each host's setup step (after its packages, before any other step), so no service of the
// cluster listens unguarded once that step is done; destroy removes it last.
import * as path from "node:path";
import { factOf, LiveContract } from "../../framework/check/contract";
import type { ClientKind } from "../../framework/component";
import { defineComponent } from "../../framework/component";
import type { PolicyRule } from "../../framework/policy/rule";
import type { ClusterHost } from "../../framework/config/hosts";
import type { ListeningPort } from "../../framework/plan/plan";
import { hostScriptsIn } from "../../framework/remote/hostScripts";
import type { SetupPart } from "../../framework/remote/remote";
import { accessSettings, AccessSettings } from "./config";

export interface FirewallLayout {
    /** Every host with a role: each gets the firewall. */
    hosts: ClusterHost[];
}

/** The script of its part of each host's setup step (host/). */
export const firewallScripts = hostScriptsIn(path.join(__dirname, "host"), { firewall: "firewall.sh" });

const kinds: readonly ClientKind[] = ["submitters", "uploaders", "operators"];

/**
 * The firewall's rules on one host, a line per port its roles listen on: `PROTOCOL PORT KIND SOURCE...`,
 * KIND `clients` when a kind of client outside the cluster reaches it (the machine running pulumi up is
 * admitted there too, firewallSetup says when), else `cluster`. The sources: every host
 * of the stack, the networks `access` names for the port's kinds of client, and those the port's own
 * component names (`nfs.clients`). Empty when the host listens on nothing, or the stack manages no firewall.
 */
export function firewallRules(access: AccessSettings, ports: readonly ListeningPort[], hosts: readonly ClusterHost[]): string {
    if (!access.firewall) return "";
    const byPort = new Map<string, { clients: Set<ClientKind>; sources: Set<string> }>();
    for (const port of ports) {
        const key = `${port.protocol} ${port.port}`;
        const entry = byPort.get(key) ?? { clients: new Set(), sources: new Set(hosts.map((h) => h.address)) };
        for (const kind of port.clients) entry.clients.add(kind);
        for (const source of port.sources ?? []) entry.sources.add(source);
        byPort.set(key, entry);
    }
    return [...byPort].map(([key, { clients, sources }]) => {
        for (const kind of kinds.filter((k) => clients.has(k))) for (const source of access[kind]) sources.add(source);
        return `${key} ${clients.size > 0 ? "clients" : "cluster"} ${[...sources].join(" ")}`;
    }).join("\n");
}

/**
 * Its part of `host`'s setup step: the rules written (none: the firewall removed), and removed on destroy.
 * The machine running pulumi up is admitted to the client ports by the address the step's SSH comes
 * from; behind a bastion that address is the bastion's, so it is admitted nowhere (npm run check and
 * smoke then reach the ports from a host of the stack: ops/bastionHttp.ts).
 */
export function firewallSetup(access: AccessSettings, ports: readonly ListeningPort[], hosts: readonly ClusterHost[], host: Pick<ClusterHost, "bastion">): SetupPart {
    const rules = { RULES: firewallRules(access, ports, hosts) };
    return { script: firewallScripts.firewall, settings: host.bastion ? { ...rules, ADMIT_SSH_CLIENT: "no" } : rules, undoSettings: { RULES: "" } };
}

/** npm run check: each host's firewall is loaded and starts at boot (its probe is read only, so not in the hosts' bundle). */
const live: LiveContract<AccessSettings, FirewallLayout> = {
    probe: {
        script: hostScriptsIn(path.join(__dirname, "host"), { probe: "firewall-probe.sh" }).probe,
        settings: (host, { layout }) => layout.hosts.includes(host) ? {} : undefined,
    },
    check: ({ layout, facts }) => layout.hosts.flatMap((host) => {
        const got = facts(host);
        if (!got) return [];
        const [loaded, boot] = [factOf(got, "loaded"), factOf(got, "boot")];
        return [{
            host: host.name, check: "firewall loaded", ok: loaded !== "absent" && boot === "enabled",
            detail: `${loaded === "absent" ? "not loaded" : loaded}; at boot: ${boot}`,
            // Its host's setup step writes and loads it.
            repair: { replace: [`host-setup-${host.name}`] },
        }];
    }),
};

/** The policy pack's rule: every host the stack reaches has its firewall, with rules. */
const policies: PolicyRule[] = [{
    name: "host-firewall",
    description: "Every host of the stack gets the host firewall, which admits to the cluster's ports only its hosts and the networks access names",
    fix: "access.firewall: true (the default)",
    violations: (stack) => {
        const guarded = new Set(stack.running(firewallScripts.firewall.name).filter((step) => step.settings.RULES).map((step) => step.address));
        const open = [...new Set(stack.steps.map((step) => step.address))].filter((address) => !guarded.has(address)).sort();
        return open.length === 0 ? [] : [`no host firewall on ${open.join(", ")}`];
    },
}];

export const firewall = defineComponent<"firewall", AccessSettings, undefined, AccessSettings, FirewallLayout>({
    id: "firewall",
    scripts: firewallScripts,
    settings: { key: "access", schema: accessSettings.prefault({}), description: "Who besides the cluster's own hosts may reach its ports (each host's firewall)" },
    warn: (access, { ports, withRole }) => access.firewall && kinds.every((kind) => access[kind].length === 0) &&
        ports.some((port) => port.clients.length > 0 && withRole(port.role).length > 0)
        ? ["access names no client networks: the cluster's ports admit only its own hosts and the machine running pulumi up. A host that " +
            "submits Twister2 jobs needs access.submitters (ZooKeeper's client port, the Mesos masters' port); one that uploads job " +
            "packages, access.uploaders; an operator's browser, access.operators (the Mesos web UI)"]
        : [],
    layout: (access, hosts) => access.firewall && hosts.length > 0 ? { hosts: [...hosts] } : undefined,
    packages: () => [{ thing: "firewall", packages: ["nftables"] }],
    live,
    policies,
});
