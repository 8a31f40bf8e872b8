// `npm run diagram`: the cluster of a stack as a Graphviz (DOT) picture, from the components' drawings
// (contract.ts): one frame per host with what runs on it, the boxes of the whole cluster, and the links
// between the parts. Pure: the stack's config (and, when deployed, its outputs) in, DOT out.
import type { AnyComponent } from "../component";
import type { StackConfigOf } from "../config/stackConfig";
import { plan } from "../plan/plan";
import { DrawingContract, LabelLine, Link, LinkEnd, neutral, ServiceBox } from "./contract";

export interface DiagramOptions {
    /** The stack's name, for the title. */
    stack?: string;
}

/** The DOT text of the stack's cluster; `live`: the stack's outputs when it is deployed. */
export function clusterDot<L extends readonly AnyComponent[]>(components: L, config: StackConfigOf<L>, live?: Readonly<Record<string, unknown>>, options: DiagramOptions = {}): string {
    const configs = config as unknown as Record<string, unknown>;
    const cluster = plan(components, config) as unknown as Record<string, unknown>;
    const drawings = components.flatMap((component) => component.drawing && cluster[component.id] !== undefined
        ? [(component.drawing as DrawingContract<unknown, unknown>)({ config: configs[component.id], layout: cluster[component.id], cluster, live })]
        : []);
    const services = drawings.flatMap((drawing) => drawing.services ?? []);
    const rows = new Map<number, string[]>();
    const inRow = (row: number, nodeId: string) => rows.set(row, [...rows.get(row) ?? [], nodeId]);
    const serviceId = (box: Pick<ServiceBox, "host" | "service">) => `${box.host.name}/${box.service}`;

    const out: string[] = [];
    const title = [
        `<b>${html(options.stack ? `twister2-cluster: stack ${options.stack}` : "twister2-cluster")}</b>`,
        html(`${config.hosts.length} host(s); ${live ? "with live values from `pulumi stack output`" : "from the stack config (not deployed, or no live values)"}`),
    ];
    out.push(`digraph ${quote(options.stack ? `twister2-cluster ${options.stack}` : "twister2-cluster")} {`);
    out.push(`  graph [rankdir=TB, compound=true, newrank=true, nodesep=0.35, ranksep=0.6, fontname="Helvetica", fontsize=12, labelloc=t, label=<${title.join("<br/>")}>];`);
    out.push(`  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, margin="0.12,0.06"];`);
    out.push(`  edge [fontname="Helvetica", fontsize=9];`);

    // One frame per host: name, address, roles; inside it, the services the components run there.
    const firstBox = new Map<string, string>();
    for (const host of config.hosts) {
        out.push("");
        out.push(`  subgraph ${quote(frameId(host.name))} {`);
        out.push(`    label=<${[`<b>${html(host.name)}</b>`, html(host.address), `<i>${html(host.roles.join(", ") || "no roles")}</i>`].join("<br/>")}>;`);
        out.push(`    style="rounded,filled"; fillcolor="#f7f7f7"; color="#999999"; fontsize=11;`);
        const here = services.filter((box) => box.host.name === host.name);
        for (const box of here) {
            inRow(box.row, serviceId(box));
            out.push(`    ${quote(serviceId(box))} [label=<${label(box.lines)}>, fillcolor=${quote(box.color.fill)}, color=${quote(box.color.line)}${box.leads ? ", penwidth=2.5" : ""}];`);
        }
        if (here.length === 0) {
            out.push(`    ${quote(`${host.name}/idle`)} [label=<nothing deployed>, fillcolor=${quote(neutral.fill)}, color=${quote(neutral.line)}, style="rounded,dashed"];`);
        }
        firstBox.set(host.name, here.length > 0 ? serviceId(here[0]) : `${host.name}/idle`);
        out.push("  }");
    }

    for (const box of drawings.flatMap((drawing) => drawing.boxes ?? [])) {
        inRow(box.row, box.id);
        out.push("");
        out.push(`  ${quote(box.id)} [shape=${box.shape}, label=<${label(box.lines)}>, fillcolor=${quote(box.color.fill)}, color=${quote(box.color.line)}];`);
    }
    const drawn = new Set([...services.map(serviceId), ...drawings.flatMap((drawing) => (drawing.boxes ?? []).map((box) => box.id))]);
    const end = (link: LinkEnd): string => {
        const id = "frame" in link ? firstBox.get(link.frame.name)! : "box" in link ? link.box : serviceId(link);
        if (!drawn.has(id) && !id.endsWith("/idle")) throw new Error(`the diagram links to ${id}, which no component draws`);
        return id;
    };
    for (const link of drawings.flatMap((drawing) => drawing.links ?? [])) out.push(edge(link, end(link.from), end(link.to)));

    // The rows: an invisible chain of anchors fixes their order, each row hangs on its anchor.
    out.push("");
    const used = [...rows.entries()].sort(([a], [b]) => a - b);
    used.forEach(([row, ids]) => {
        out.push(`  { rank=same; ${quote(`row-${row}`)} [style=invis, shape=point, width=0, label=""]; ${ids.map(quote).join("; ")}; }`);
    });
    for (let i = 1; i < used.length; i++) {
        out.push(`  ${quote(`row-${used[i - 1][0]}`)} -> ${quote(`row-${used[i][0]}`)} [style=invis];`);
    }
    out.push("}");
    return `${out.join("\n")}\n`;
}

const frameId = (hostName: string) => `cluster_host_${hostName}`;

function edge(link: Link, from: string, to: string): string {
    const attrs: Record<string, string | undefined> = {
        label: link.label,
        style: link.style,
        dir: link.undirected ? "none" : undefined,
        constraint: link.sideways ? "false" : undefined,
        color: link.color,
        tooltip: link.tooltip,
        ltail: "frame" in link.from ? frameId(link.from.frame.name) : undefined,
        lhead: "frame" in link.to ? frameId(link.to.frame.name) : undefined,
    };
    const set = Object.entries(attrs).filter((entry): entry is [string, string] => entry[1] !== undefined);
    return `  ${quote(from)} -> ${quote(to)} [${set.map(([k, v]) => `${k}=${quote(v)}`).join(", ")}];`;
}

/** A DOT double-quoted string: only `"` and `\` need escaping, and line breaks become spaces. */
export function quote(text: string): string {
    return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/[\r\n]+/g, " ")}"`;
}

/** Text inside a DOT HTML-like label (`<...>`). */
export function html(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const label = (lines: LabelLine[]): string => lines.map((line) => typeof line === "string" ? html(line)
    : "small" in line ? `<font point-size="8">${html(line.small)}</font>` : `<b>${html(line.bold)}</b>`).join("<br/>");
