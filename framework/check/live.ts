// npm run check's machinery: it loops over the components' live contracts (contract.ts), builds each
// host's probe from their fragments, and runs their checks on what the hosts reported. Pure but for the
// components' own reads (the Mesos leader's state, the uploader's HTTP answers).
import * as fs from "node:fs";
import * as path from "node:path";
import type { AnyComponent } from "../component";
import type { ClusterHost } from "../config/hosts";
import type { StackConfigOf } from "../config/stackConfig";
import { plan } from "../plan/plan";
import type { CheckResult, HostFacts, LiveContext, LiveContract } from "./contract";
import { subshellFragment } from "../remote/hostScripts";

/** The fetch() the components' checks read with (main.ts's has a deadline; tests give their own). */
export type FetchForChecks = LiveContext<unknown, unknown>["fetch"];

/** Per host name: each component's facts by its id, or why the host could not be read. */
export type ClusterFacts = Map<string, Map<string, HostFacts> | { error: string }>;

/** The components the stack deployed (a live contract, and a layout: some host has their roles), each with what it is. */
function deployedComponents<L extends readonly AnyComponent[]>(components: L, config: StackConfigOf<L>, outputs: Readonly<Record<string, unknown>>) {
    const configs = config as unknown as Record<string, unknown>;
    const layouts = plan(components, config) as unknown as Record<string, unknown>;
    return components.flatMap((component) => {
        const layout = layouts[component.id];
        return component.live && layout !== undefined
            ? [{ id: component.id, live: component.live as LiveContract<unknown, unknown>, deployed: { config: configs[component.id], layout, hosts: config.hosts, outputs } }]
            : [];
    });
}

const preamble = fs.readFileSync(path.join(__dirname, "probe.sh"), "utf8");

/**
 * The probe of `host`: the framework's preamble (probe.sh: `fact`, `unit_state`, the host's OS), then
 * each component's fragment in a subshell with its settings, its lines prefixed with its id. Runs as root
 * after `set -euo pipefail`; changes nothing.
 */
export function probeScript<L extends readonly AnyComponent[]>(components: L, config: StackConfigOf<L>, outputs: Readonly<Record<string, unknown>>, host: ClusterHost): string {
    const parts = deployedComponents(components, config, outputs).flatMap(({ id, live, deployed }) => {
        const settings = live.probe?.settings(host, deployed);
        if (!live.probe || !settings) return [];
        return [`${subshellFragment(live.probe.script, settings)} | sed 's/^/${id} /'`];
    });
    return ["set -euo pipefail", preamble, ...parts].join("\n");
}

/** A probe's output: `<component> <fact> <value...>` lines, by component. */
export function parseProbe(text: string): Map<string, HostFacts> {
    const byComponent = new Map<string, HostFacts>();
    for (const line of text.split("\n")) {
        // A line without a value is not a fact (probe.sh's fact() always gives one).
        const match = /^(\S+) (\S+) (.+)$/.exec(line.trim());
        if (!match) continue;
        const [, component, fact, value] = match;
        const facts = byComponent.get(component) ?? new Map<string, string[]>();
        facts.set(fact, [...facts.get(fact) ?? [], value]);
        byComponent.set(component, facts);
    }
    return byComponent;
}

const isError = (value: unknown): value is { error: string } => typeof value === "object" && value !== null && "error" in value;

/** Every check of the cluster: each host reachable, then each component's, in the components' order. */
export async function checkCluster<L extends readonly AnyComponent[]>(components: L, config: StackConfigOf<L>, outputs: Readonly<Record<string, unknown>>,
    facts: ClusterFacts, fetch: FetchForChecks): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    for (const host of config.hosts) {
        const got = facts.get(host.name);
        if (!got || isError(got)) {
            results.push({ host: host.name, component: "host", check: "reachable over SSH", ok: false, detail: got?.error ?? "not probed",
                repair: { command: `ssh ${host.user}@${host.address} -p ${host.port} (check the host, its sshd and the key; a host gone for good leaves the stack's hosts)` } });
        }
    }
    for (const { id, live, deployed } of deployedComponents(components, config, outputs)) {
        const context: LiveContext<unknown, unknown> = {
            ...deployed,
            // The host's own facts (probe.sh's: os, release) come with the component's.
            facts: (host) => {
                const got = facts.get(host.name);
                return !got || isError(got) ? undefined : new Map([...got.get("host") ?? [], ...got.get(id) ?? []]);
            },
            fetch,
        };
        for (const result of await live.check(context)) {
            results.push({ ...result, component: result.component ?? id, repair: result.ok ? undefined : result.repair });
        }
    }
    return results;
}

/** The one `pulumi up` that replaces every step the differences name, and the commands left to run by hand. */
export function repairPlan(results: CheckResult[], urns: Map<string, string>, stack: string): { pulumiUp?: string; commands: string[]; unknown: string[] } {
    const replace = new Set<string>();
    const commands = new Set<string>();
    const unknown: string[] = [];
    for (const result of results.filter((r) => !r.ok && r.repair)) {
        const repair = result.repair!;
        if ("command" in repair) commands.add(repair.command);
        else {
            for (const name of repair.replace) {
                const urn = urns.get(name);
                if (urn) replace.add(urn);
                else if (!unknown.includes(name)) unknown.push(name);
            }
        }
    }
    const pulumiUp = replace.size > 0
        ? `pulumi up --stack ${stack} ${[...replace].map((urn) => `--replace '${urn}'`).join(" ")}`
        : undefined;
    return { pulumiUp, commands: [...commands], unknown };
}
