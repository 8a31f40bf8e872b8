// Turns `pulumi preview --json` into a Markdown summary for a pull request or a terminal: per
// component, which hosts a change touches, how (create, re-run, replace, delete), and which host
// scripts will run. The command is scripts/preview-md.sh (`npm run preview:md -- STACK`).

interface ResourceState {
    type: string;
    parent?: string;
    inputs?: { create?: string; delete?: string };
}

interface PreviewStep {
    op: string;
    urn: string;
    oldState?: ResourceState;
    newState?: ResourceState;
    diffReasons?: string[];
}

export interface PreviewJson {
    steps?: PreviewStep[];
    changeSummary?: Record<string, number>;
}

// Replacement shows as three steps of one resource; the summary shows it once.
const hiddenOps = new Set(["same", "read", "create-replacement", "delete-replaced", "discard", "discard-replaced"]);

const nameOf = (urn: string) => urn.split("::").pop() ?? urn;
const typeOf = (urn: string) => (urn.split("::")[2] ?? "").split("$").pop() ?? "";
/** Where and what a command line runs: scriptCommand() ends every command with '<host address>/<script>'. */
function targetOf(command?: string): { host?: string; script?: string } {
    const last = command?.trim().split(/\s+/).pop()?.replace(/^'|'$/g, "");
    if (!last) return {};
    const slash = last.lastIndexOf("/");
    return slash < 0 ? { script: last } : { host: last.slice(0, slash), script: last.slice(slash + 1) };
}
const scriptOf = (command?: string) => targetOf(command).script;

function changeOf(step: PreviewStep, state: ResourceState): string {
    const run = scriptOf(state.inputs?.create);
    const undo = scriptOf(step.oldState?.inputs?.delete);
    switch (step.op) {
        case "create": return run ? `create: runs \`${run}\`` : "create";
        case "update": return step.diffReasons?.some((r) => r === "create" || r === "stdin") && run
            ? `update: runs \`${run}\` again` : `update (${(step.diffReasons ?? []).join(", ") || "settings"})`;
        case "replace": return `replace: ${undo ? `undoes with \`${undo}\`, ` : ""}${run ? `runs \`${run}\`` : "creates anew"}`;
        case "delete": return undo ? `delete: undoes with \`${undo}\`` : "delete";
        default: return step.op;
    }
}

export function renderPreview(stack: string, preview: PreviewJson): string {
    const summary = preview.changeSummary ?? {};
    const changes = (preview.steps ?? []).filter((s) => !hiddenOps.has(s.op));
    const counts = Object.entries(summary).filter(([op]) => op !== "same").map(([op, n]) => `${n} to ${op}`);
    const header = `### \`pulumi preview\` of stack \`${stack}\``;
    if (changes.length === 0) {
        return `${header}\n\nNothing to change: ${summary.same ?? 0} resources are up to date.\n`;
    }

    const rows: string[][] = [];
    for (const step of changes) {
        const state = step.newState ?? step.oldState;
        if (!state || state.type.startsWith("pulumi:")) continue;
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
