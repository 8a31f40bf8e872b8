// npm run check's side of the component contract: what a component reads of itself on the live hosts
// (its probe, a read-only fragment of host shell), what it expects there, and how each difference is
// repaired. live.ts loops over the components' contracts.
import type { ClusterHost } from "../config/hosts";
import type { HostScript } from "../remote/hostScripts";

/** `<fact> <value...>` lines of one component's probe on one host, by fact (a fact may repeat: the swarm's node lines). */
export type HostFacts = Map<string, string[]>;

/** How a difference is repaired: steps of the stack to replace (one `pulumi up`), or a command to run. */
export type Repair = { replace: string[] } | { command: string };

export interface CheckResult {
    /** The host the check is about, or a cluster-wide subject ("mesos"). */
    host: string;
    component: string;
    check: string;
    ok: boolean;
    /** What was found (and, when it differs, what was expected). */
    detail: string;
    repair?: Repair;
}

/** A component's result: its component is the component's id unless it names another ("worker image"). */
export type LiveResult = Omit<CheckResult, "component"> & { component?: string };

/** What a deployed component is, as its checks and its probe see it. */
export interface Deployed<Config, Layout> {
    config: Config;
    /** Where it runs (a component that runs nowhere is not checked). */
    layout: Layout;
    /** Every host of the stack, in config order. */
    hosts: readonly ClusterHost[];
    /** The stack's outputs (`pulumi stack output --json`: components/outputs.ts types them). */
    outputs: Readonly<Record<string, unknown>>;
}

export interface LiveContext<Config, Layout> extends Deployed<Config, Layout> {
    /** What the component's probe printed on `host`, with the host's own facts (`os`, `release`: its Debian codename); undefined when the host could not be read (reported once, by the framework). */
    facts(host: ClusterHost): HostFacts | undefined;
    /** fetch(), with a deadline: the component's reads from this machine (tests give their own). */
    fetch(url: string, init?: { method?: string; redirect?: "manual" }): Promise<{ status: number; ok: boolean; json(): Promise<unknown> }>;
}

/** A component's part in `npm run check`. */
export interface LiveContract<Config, Layout> {
    /** Its read-only fragment of host shell (prints `<fact> <value...>` lines with `fact`), and its settings on a host (undefined: it does not probe that host). */
    probe?: { script: HostScript; settings(host: ClusterHost, deployed: Deployed<Config, Layout>): Record<string, string> | undefined };
    /** Its checks, from the facts its probe printed (and its own reads): each difference with its repair. */
    check(context: LiveContext<Config, Layout>): LiveResult[] | Promise<LiveResult[]>;
}

/** The first value of `fact`, or "absent". */
export const factOf = (facts: HostFacts, fact: string): string => facts.get(fact)?.[0] ?? "absent";
