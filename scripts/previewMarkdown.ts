// Turns a preview (the engine's steps and summary, scripts/automation.ts: previewStack) into a Markdown
// summary for a pull request or a terminal: per component, which hosts a change touches, how (create,
// re-run, replace, delete), which host scripts will run, and the order in which a roll's steps restart
// services. The command is scripts/preview-md.sh (`npm run preview:md -- STACK`). Pure.
import type { StepEventMetadata } from "@pulumi/pulumi/automation";
import { isRollScript } from "../framework/remote/rolling";
import type { PolicyViolation, StackPreview } from "./automation";

/** The parts of a step this summary reads (the engine's events give null for an absent state). */
type Step = Pick<StepEventMetadata, "op" | "urn" | "type" | "diffs"> & {
    old?: StepState | null;
    new?: StepState | null;
};
type StepState = Pick<NonNullable<StepEventMetadata["old"]>, "parent" | "inputs">;

export interface Preview {
    steps: Step[];
    changeSummary: StackPreview["changeSummary"];
    /** The policy pack's verdict; absent: no pack ran. */
    violations?: PolicyViolation[];
}

// A replacement is three steps of one resource (create-replacement, replace, delete-replaced); the
// summary shows it once, as its replace step. Unchanged resources are counted, not listed.
const hiddenOps = new Set(["same", "read", "create-replacement", "delete-replaced", "discard", "discard-replaced"]);

const nameOf = (urn: string) => urn.split("::").pop() ?? urn;
const typeOf = (urn: string) => (urn.split("::")[2] ?? "").split("$").pop() ?? "";
/**
 * Where and what a command line runs: scriptCommand() ends every command with '<host address>/<script>';
 * a command of several (the setup step's) names each so. Other paths in it (the scripts' own) are not in that form.
 */
function targetOf(command: unknown): { host?: string; scripts: string[] } {
    // A secret command is no text in the preview (its value is hidden): nothing to tell.
    if (typeof command !== "string") return { scripts: [] };
    const targets = command.trim().split(/\s+/).map((word) => word.replace(/^'|'$/g, ""))
        .filter((word) => /^[^/]+\/[^/]+\.sh$/.test(word)).map((word) => word.split("/"));
    return { host: targets[0]?.[0], scripts: targets.map(([, script]) => script) };
}
/** The scripts a command runs, for the table: `a.sh`, or `a.sh` then `b.sh`. */
const scriptsOf = (command: unknown): string | undefined => {
    const { scripts } = targetOf(command);
    return scripts.length === 0 ? undefined : scripts.map((script) => `\`${script}\``).join(" then ");
};

/**
 * The command a step will run: the new one, or, while the new one is unknown (a setting comes from a step
 * that runs first, as a roll's from its service's step), the one it ran last, whose host and scripts are the same.
 */
function commandOf(step: Step, state: StepState): unknown {
    const command: unknown = state.inputs?.create ?? state.inputs?.delete;
    return targetOf(command).host === undefined && step.op !== "create" ? step.old?.inputs?.create ?? command : command;
}

function changeOf(step: Step, state: StepState): string {
    const run = scriptsOf(commandOf(step, state));
    const undo = scriptsOf(step.old?.inputs?.delete);
    switch (step.op) {
        case "create": return run ? `create: runs ${run}` : "create";
        case "update": return step.diffs?.some((d) => d === "create" || d === "stdin") && run
            ? `update: runs ${run} again` : `update (${(step.diffs ?? []).join(", ") || "settings"})`;
        case "replace": return `replace: ${undo ? `undoes with ${undo}, ` : ""}${run ? `runs ${run}` : "creates anew"}`;
        case "delete": return undo ? `delete: undoes with ${undo}` : "delete";
        default: return step.op;
    }
}

export function renderPreview(stack: string, preview: Preview): string {
    const summary: Record<string, number | undefined> = preview.changeSummary;
    const changes = preview.steps.filter((s) => !hiddenOps.has(s.op));
    const counts = Object.entries(summary).filter(([op]) => op !== "same").map(([op, n]) => `${n} to ${op}`);
    const header = `### \`pulumi preview\` of stack \`${stack}\``;
    const policy = policyVerdict(preview.violations);
    if (changes.length === 0) {
        return `${header}\n\nNothing to change: ${summary.same ?? 0} resources are up to date.\n${policy}`;
    }

    const rows: string[][] = [];
    for (const step of changes) {
        const state = step.new ?? step.old;
        if (!state || step.type.startsWith("pulumi:")) continue;
        const component = state.parent && !state.parent.includes("pulumi:pulumi:Stack")
            ? `${typeOf(state.parent).split(":").pop()} \`${nameOf(state.parent)}\`` : "(stack)";
        const host = targetOf(commandOf(step, state)).host ?? "";
        rows.push([component, host, `\`${nameOf(step.urn)}\``, changeOf(step, state)]);
    }
    // The engine previews a step once those it waits for are previewed: a roll's steps come in its order.
    const restarts = changes.filter((step) => step.new && (step.op === "update" || step.op === "replace")).flatMap((step) => {
        const { host, scripts } = targetOf(commandOf(step, step.new!));
        return host !== undefined && scripts.some(isRollScript) ? [`${host} \`${nameOf(step.urn)}\``] : [];
    });
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
        ...restarts.length === 0 ? [] : [
            "Restarts, in this order: each of these steps restarts its host's service if the change needs it, " +
            "drained first (a leader waits for the way back; with rollout.maxUnavailable above 1, agents and engines go that many at a time):",
            "",
            ...restarts.map((restart, i) => `${i + 1}. ${restart}`),
            "",
        ],
    ].join("\n") + policy;
}

/** The policy pack's verdict: each rule broken, blocking ones first; nothing when no pack ran. */
function policyVerdict(violations: readonly PolicyViolation[] | undefined): string {
    if (violations === undefined) return "";
    if (violations.length === 0) return "\nPolicy pack: every rule kept.\n";
    const blocking = violations.some((v) => v.level === "mandatory");
    const sorted = [...violations].sort((a, b) => (a.level === b.level ? a.rule.localeCompare(b.rule) : a.level === "mandatory" ? -1 : 1));
    return [
        "",
        blocking ? "**Policy pack: blocked.** Rules broken:" : "Policy pack: kept, with advice:",
        "",
        ...sorted.map((v) => `- ${v.level === "mandatory" ? "**blocks**" : "advises"} \`${v.rule}\`: ${v.message.trim().split("\n").pop()}`),
        "",
    ].join("\n");
}
