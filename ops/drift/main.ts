// npm run drift -- STACK [--markdown]: has the cluster drifted from its stack since the last pulumi up?
// Two reads, one report: the live cluster against the stack (npm run check's checks), and the stack's
// config and program against its state, refreshed where a provider reads the live thing (the overlay
// network): `pulumi preview --refresh`, whose changes the next `pulumi up` would make. Changes nothing.
// Exit 0: no drift; 1: drift, each difference with its repair; 2: the options are wrong, the stack is
// not deployed or its preview fails (so that the drift workflow never takes a failure for drift). --markdown: the report as an issue's body (the scheduled drift workflow's).
import { pulumiJson, resourceName, resourceType, runMain, UsageError } from "../liveStack";
import { checkStack, differenceLines } from "../check/check";

const usage = "usage: npm run drift -- STACK [--markdown]";

/** A step of `pulumi preview --json`. */
interface PreviewStep { op: string; urn: string }

/** What `pulumi preview --refresh` would change: "op name (type)" a step. */
function pendingChanges(stack: string): string[] {
    const preview = pulumiJson(["preview", "--refresh", "--non-interactive"], stack) as { steps?: PreviewStep[] };
    // Sorted: the engine's order varies from run to run, and the report is an issue's body.
    return (preview.steps ?? []).filter((step) => !["same", "read", "refresh"].includes(step.op))
        .map((step) => `${step.op} ${resourceName(step.urn)} (${resourceType(step.urn)})`)
        .sort();
}

async function main(): Promise<number> {
    const args = process.argv.slice(2).filter((a) => a !== "--");
    const markdown = args.includes("--markdown");
    const rest = args.filter((a) => a !== "--markdown");
    if (rest.length !== 1 || rest[0].startsWith("-")) throw new UsageError(usage);
    const stack = rest[0];
    const live = await checkStack(stack);
    const changes = pendingChanges(stack);
    const drifted = live.differences.length + changes.length > 0;
    const summary = `${stack}: ${drifted ? "drift" : "no drift"}: ${live.differences.length} of ${live.checks.length} live checks differ, ` +
        `${changes.length} changes pending in the stack`;
    const liveLines = differenceLines(live);
    const changeLines = changes.map((change) => `  ${change}`);
    if (markdown) {
        const block = (lines: string[]) => ["```", ...lines, "```"];
        console.log([
            `## ${summary}`, "",
            "### The live cluster (npm run check)", "",
            ...liveLines.length > 0 ? block(liveLines) : ["Every check passes."], "",
            "### The stack (pulumi preview --refresh: what the next pulumi up changes)", "",
            ...changeLines.length > 0 ? block(changeLines) : ["Nothing."],
        ].join("\n"));
    } else {
        console.log(summary);
        if (liveLines.length > 0) console.log(["the live cluster (npm run check):", ...liveLines].join("\n"));
        if (changeLines.length > 0) console.log(["the stack (pulumi preview --refresh; pulumi up applies them):", ...changeLines].join("\n"));
    }
    return drifted ? 1 : 0;
}

runMain("drift", main);
