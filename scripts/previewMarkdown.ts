// Turns a preview (the engine's steps and summary, scripts/automation.ts: previewStack) into a Markdown
// summary for a pull request or a terminal: per component, which hosts a change touches, how (create,
// re-run, replace, delete), and which host scripts will run. The command is scripts/preview-md.sh
// (`npm run preview:md -- STACK`). Pure.
import type { StepEventMetadata } from "@pulumi/pulumi/automation";
import type { StackPreview } from "./automation";

/** The parts of a step this summary reads (the engine's events give null for an absent state). */
type Step = Pick<StepEventMetadata, "op" | "urn" | "type" | "diffs"> & {
    old?: StepState | null;
    new?: StepState | null;
};
type StepState = Pick<NonNullable<StepEventMetadata["old"]>, "parent" | "inputs">;

export interface Preview {
    steps: Step[];
    changeSummary: StackPreview["changeSummary"];
}

// A replacement is three steps of one resource (create-replacement, replace, delete-replaced); the
// summary shows it once, as its replace step. Unchanged resources are counted, not listed.
const hiddenOps = new Set(["same", "read", "create-replacement", "delete-replaced", "discard", "discard-replaced"]);

const nameOf = (urn: string) => urn.split("::").pop() ?? urn;
const typeOf = (urn: string) => (urn.split("::")[2] ?? "").split("$").pop() ?? "";
/** Where and what a command line runs: scriptCommand() ends every command with '<host address>/<script>'. */
function targetOf(command: unknown): { host?: string; script?: string } {
    // A secret command is no text in the preview (its value is hidden): nothing to tell.
    const last = typeof command === "string" ? command.trim().split(/\s+/).pop()?.replace(/^'|'$/g, "") : undefined;
    if (!last) return {};
    const slash = last.lastIndexOf("/");
    return slash < 0 ? { script: last } : { host: last.slice(0, slash), script: last.slice(slash + 1) };
}
const scriptOf = (command: unknown) => targetOf(command).script;

function changeOf(step: Step, state: StepState): string {
    const run = scriptOf(state.inputs?.create);
    const undo = scriptOf(step.old?.inputs?.delete);
    switch (step.op) {
        case "create": return run ? `create: runs \`${run}\`` : "create";
        case "update": return step.diffs?.some((d) => d === "create" || d === "stdin") && run
            ? `update: runs \`${run}\` again` : `update (${(step.diffs ?? []).join(", ") || "settings"})`;
        case "replace": return `replace: ${undo ? `undoes with \`${undo}\`, ` : ""}${run ? `runs \`${run}\`` : "creates anew"}`;
        case "delete": return undo ? `delete: undoes with \`${undo}\`` : "delete";
        default: return step.op;
    }
}

export function renderPreview(stack: string, preview: Preview): string {
    const summary: Record<string, number | undefined> = preview.changeSummary;
    const changes = preview.steps.filter((s) => !hiddenOps.has(s.op));
    const counts = Object.entries(summary).filter(([op]) => op !== "same").map(([op, n]) => `${n} to ${op}`);
    const header = `### \`pulumi preview\` of stack \`${stack}\``;
    if (changes.length === 0) {
        return `${header}\n\nNothing to change: ${summary.same ?? 0} resources are up to date.\n`;
    }

    const rows: string[][] = [];
    for (const step of changes) {
        const state = step.new ?? step.old;
        if (!state || step.type.startsWith("pulumi:")) continue;
        const component = state.parent && !state.parent.includes("pulumi:pulumi:Stack")
            ? `${typeOf(state.parent).split(":").pop()} \`${nameOf(state.parent)}\`` : "(stack)";
        const host = targetOf(state.inputs?.create ?? state.inputs?.delete).host ?? "";
        rows.push([component, host, `\`${nameOf(step.urn)}\``, changeOf(step, state)]);
    }
    rows.sort((a, b) => a.join("\u0000").localeCompare(b.join("\u0000")));
    const hosts = [...new Set(rows.map((r) => r[1]).filter(Boolean))].sort();
    return [
        header,
        "",
        `${counts.join(", ")}; ${summary.same ?? 0} unchanged. Hosts touched: ${hosts.join(", ") || "none"}.`,
        "",
        "| component | host | step | change |",
        "|---|---|---|---|",
        ...rows.map((r) => `| ${r.join(" | ")} |`),
        "",
    ].join("\n");
}
