// The live check behind npm run check and npm run drift: reads every host (in parallel, over SSH,
// changing nothing: each component's probe fragment), then runs the components' checks
// (framework/check/live.ts; they also read the leading Mesos master and the uploader).
import { checkCluster, probeScript, StackConfig } from "../../components";
import type { CheckResult } from "../../framework/check/contract";
import { ClusterFacts, FetchForChecks, parseProbe, repairPlan } from "../../framework/check/live";
import type { ClusterHost } from "../../framework/config/hosts";
import { runSshAsync } from "../../framework/remote/ssh";
import { routeHttpThroughBastions } from "../bastionHttp";
import { knownHostsOf, loadLiveStack, resourceUrns, StackOutputs, UsageError } from "../liveStack";

/** The probe of one host (every component's fragment that concerns it), as root; its facts or why not. */
async function probe(stack: string, config: StackConfig, outputs: StackOutputs, host: ClusterHost): Promise<ReturnType<typeof parseProbe> | { error: string }> {
    const { code, stdout, stderr } = await runSshAsync(host, probeScript(config, outputs, host), { knownHostsFile: knownHostsOf(stack), timeoutMs: 60_000 });
    return code === 0 ? parseProbe(stdout) : { error: (stderr.trim().split("\n").at(-1) ?? "") || `exit ${code}` };
}

/** The components' reads from this machine (the Mesos leader, the uploader), each within 10 s. */
const fetchWithDeadline: FetchForChecks = (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });

export interface CheckReport {
    stack: string;
    hosts: number;
    checks: CheckResult[];
    differences: CheckResult[];
    repair: ReturnType<typeof repairPlan>;
    seconds: number;
}

/** Is the live cluster what `stack` says? Every check, in the hosts' order, and the repair of what differs. */
export async function checkStack(stack: string): Promise<CheckReport> {
    const started = Date.now();
    const { config, outputs } = loadLiveStack(stack);
    if (!outputs.hosts) throw new UsageError(`stack ${stack} has no outputs: deploy it first (pulumi up)`);
    await routeHttpThroughBastions(config.hosts, knownHostsOf(stack));

    const facts: ClusterFacts = new Map();
    await Promise.all(config.hosts.map(async (host) => { facts.set(host.name, await probe(stack, config, outputs, host)); }));

    const order = new Map(config.hosts.map((h, i) => [h.name, i]));
    const checks = (await checkCluster(config, outputs, facts, fetchWithDeadline)).sort((a, b) => (order.get(a.host) ?? 99) - (order.get(b.host) ?? 99));
    const differences = checks.filter((r) => !r.ok);
    const repair = differences.length > 0 ? repairPlan(differences, resourceUrns(stack), stack) : { commands: [], unknown: [] };
    return { stack, hosts: config.hosts.length, checks, differences, repair, seconds: Number(((Date.now() - started) / 1000).toFixed(1)) };
}

/** What differs, a line each, and how to repair it (npm run check's and npm run drift's words). */
export function differenceLines({ differences, repair }: CheckReport): string[] {
    return [
        ...differences.map((d) => `  ${d.host} ${d.component}: ${d.check}: ${d.detail}`),
        ...repair.pulumiUp ? [`repair (one run replaces the steps above):\n  ${repair.pulumiUp}`] : [],
        ...repair.commands.map((command) => `repair by hand:\n  ${command}`),
        ...repair.unknown.length ? [`not in the stack's state (run pulumi up): ${repair.unknown.join(", ")}`] : [],
    ];
}
