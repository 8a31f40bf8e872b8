// npm run check -- STACK [--json]: is the live cluster what the stack says? Reads every host (in
// parallel, over SSH, changing nothing: each component's probe fragment), then runs the components'
// checks (framework/check/live.ts; they also read the leading Mesos master and the uploader), and
// prints a table per host and a summary. Exit 0: no difference; 1: differences, each with the command
// that repairs it; 2: the options are wrong or the stack is not deployed.
import { checkCluster, probeScript, StackConfig } from "../../components";
import type { CheckResult } from "../../framework/check/contract";
import { ClusterFacts, FetchForChecks, parseProbe, repairPlan } from "../../framework/check/live";
import type { ClusterHost } from "../../framework/config/hosts";
import { runSshAsync } from "../../framework/remote/ssh";
import { knownHostsOf, loadLiveStack, resourceUrns, runMain, StackOutputs, UsageError } from "../liveStack";

const usage = "usage: npm run check -- STACK [--json]";

/** The probe of one host (every component's fragment that concerns it), as root; its facts or why not. */
async function probe(stack: string, config: StackConfig, outputs: StackOutputs, host: ClusterHost): Promise<ReturnType<typeof parseProbe> | { error: string }> {
    const { code, stdout, stderr } = await runSshAsync(host, probeScript(config, outputs, host), { knownHostsFile: knownHostsOf(stack), timeoutMs: 60_000 });
    return code === 0 ? parseProbe(stdout) : { error: (stderr.trim().split("\n").at(-1) ?? "") || `exit ${code}` };
}

/** The components' reads from this machine (the Mesos leader, the uploader), each within 10 s. */
const fetchWithDeadline: FetchForChecks = (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });

function table(results: CheckResult[]): string {
    const rows = results.map((r) => [r.host, r.component, r.check, r.ok ? "ok" : "DIFFERS", r.detail]);
    const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i].length), ["host", "component", "check", "status"][i].length));
    const line = (cells: string[]) => cells.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c)).join("  ").trimEnd();
    return [line(["host", "component", "check", "status", "detail"]), ...rows.map(line)].join("\n");
}

async function main(): Promise<number> {
    const args = process.argv.slice(2).filter((a) => a !== "--");
    const json = args.includes("--json");
    const rest = args.filter((a) => a !== "--json");
    if (rest.length !== 1 || rest[0].startsWith("-")) throw new UsageError(usage);
    const stack = rest[0];
    const started = Date.now();
    const { config, outputs } = loadLiveStack(stack);
    if (!outputs.hosts) throw new UsageError(`stack ${stack} has no outputs: deploy it first (pulumi up)`);

    const facts: ClusterFacts = new Map();
    await Promise.all(config.hosts.map(async (host) => { facts.set(host.name, await probe(stack, config, outputs, host)); }));

    const order = new Map(config.hosts.map((h, i) => [h.name, i]));
    const results = (await checkCluster(config, outputs, facts, fetchWithDeadline)).sort((a, b) => (order.get(a.host) ?? 99) - (order.get(b.host) ?? 99));
    const differences = results.filter((r) => !r.ok);
    const repair = differences.length > 0 ? repairPlan(differences, resourceUrns(stack), stack) : { commands: [], unknown: [] };
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (json) {
        console.log(JSON.stringify({ stack, checks: results, differences: differences.length, repair, seconds: Number(seconds) }, null, 2));
    } else {
        console.log(table(results));
        console.log(`\n${stack}: ${results.length} checks on ${config.hosts.length} hosts in ${seconds} s: ` +
            (differences.length === 0 ? "the cluster is what the stack says" : `${differences.length} differ`));
        for (const d of differences) console.log(`  ${d.host} ${d.component}: ${d.check}: ${d.detail}`);
        if (repair.pulumiUp) console.log(`repair (one run replaces the steps above):\n  ${repair.pulumiUp}`);
        for (const command of repair.commands) console.log(`repair by hand:\n  ${command}`);
        if (repair.unknown.length) console.log(`not in the stack's state (run pulumi up): ${repair.unknown.join(", ")}`);
    }
    return differences.length === 0 ? 0 : 1;
}

runMain("check", main);
