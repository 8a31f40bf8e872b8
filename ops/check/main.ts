// npm run check -- STACK [--json]: is the live cluster what the stack says? Every host read (changing
// nothing) and every component's check (ops/check/check.ts); a table per host and a summary. Exit 0: no
// difference; 1: differences, each with the command that repairs it; 2: the options are wrong or the
// stack is not deployed.
import type { CheckResult } from "../../framework/check/contract";
import { runMain, UsageError } from "../liveStack";
import { checkStack, differenceLines } from "./check";

const usage = "usage: npm run check -- STACK [--json]";

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
    const report = await checkStack(rest[0]);
    const { stack, checks, differences, repair, seconds } = report;
    if (json) {
        console.log(JSON.stringify({ stack, checks, differences: differences.length, repair, seconds }, null, 2));
    } else {
        console.log(table(checks));
        console.log(`\n${stack}: ${checks.length} checks on ${report.hosts} hosts in ${seconds.toFixed(1)} s: ` +
            (differences.length === 0 ? "the cluster is what the stack says" : `${differences.length} differ`));
        for (const line of differenceLines(report)) console.log(line);
    }
    return differences.length === 0 ? 0 : 1;
}

runMain("check", main);
