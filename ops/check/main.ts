// npm run check -- STACK [--json]: is the live cluster what the stack says? Reads every host (in
// parallel, over SSH, changing nothing), the leading Mesos master and the uploader, and prints a table
// per host and a summary. Exit 0: no difference; 1: differences, each with the command that repairs
// it; 2: the options are wrong or the stack is not deployed.
import * as fs from "node:fs";
import * as path from "node:path";
import { plan } from "../../components";
import { Host } from "../../framework/remote/remote";
import { runSshAsync } from "../../framework/remote/ssh";
import { knownHostsOf, loadLiveStack, resourceUrns, runMain, UsageError } from "../liveStack";
import { checkCluster, CheckResult, ClusterFacts, HostFacts, MesosState, parseFacts, repairPlan } from "./checks";

const usage = "usage: npm run check -- STACK [--json]";

/** probe.sh on one host, as root; its facts or why not. */
function probe(stack: string, host: Host, settings: Record<string, string>): Promise<HostFacts | { error: string }> {
    const script = [
        "set -euo pipefail",
        ...Object.entries(settings).map(([k, v]) => `${k}='${v.replace(/'/g, "'\\''")}'`),
        fs.readFileSync(path.join(__dirname, "probe.sh"), "utf8"),
    ].join("\n");
    return runSshAsync(host, script, { knownHostsFile: knownHostsOf(stack), timeoutMs: 60_000 }).then(({ code, stdout, stderr }) =>
        code === 0 ? parseFacts(stdout) : { error: (stderr.split("\n").at(-1) ?? "") || `exit ${code}` });
}

async function leaderState(masters: string[]): Promise<MesosState | { error: string }> {
    const problems: string[] = [];
    for (const master of masters) {
        try {
            const response = await fetch(`${master}/master/state`, { signal: AbortSignal.timeout(10_000) });
            if (response.ok) return await response.json() as MesosState;
            problems.push(`${master}: HTTP ${response.status}`);
        } catch (err) {
            problems.push(`${master}: ${(err as Error).message}`);
        }
    }
    return { error: `no master answered /master/state: ${problems.join("; ")}` };
}

async function status(url: string, method: "GET" | "HEAD"): Promise<number | string> {
    try {
        return (await fetch(url, { method, redirect: "manual", signal: AbortSignal.timeout(10_000) })).status;
    } catch (err) {
        return (err as Error).message;
    }
}

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

    const firstManager = plan(config).swarm?.managers[0];
    const facts: ClusterFacts = { hosts: new Map() };
    const probes = config.hosts.map(async (host) => {
        facts.hosts.set(host.name, await probe(stack, host, {
            ROLES: host.roles.join(" "),
            FIRST_MANAGER: String(host === firstManager),
            OVERLAY_NAME: outputs.overlayNetwork?.name ?? "",
            IMAGE: outputs.workerImage?.image ?? "",
            NFS_PATH: outputs.nfsShare?.path ?? "",
            NFS_IMPLEMENTATION: config.nfs?.implementation ?? "kernel",
        }));
    });
    const mesos = outputs.mesosMasters ? leaderState(outputs.mesosMasters).then((state) => { facts.mesos = state; }) : undefined;
    const uploader = outputs.uploader ? Promise.all([
        status(outputs.uploader.url, "GET"),
        outputs.uploader.corePackageUrl ? status(outputs.uploader.corePackageUrl, "HEAD") : undefined,
    ]).then(([listing, corePackage]) => { facts.uploader = { listing, corePackage }; }) : undefined;
    await Promise.all([...probes, mesos, uploader]);

    const order = new Map(config.hosts.map((h, i) => [h.name, i]));
    const results = checkCluster(config, outputs, facts).sort((a, b) => (order.get(a.host) ?? 99) - (order.get(b.host) ?? 99));
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
