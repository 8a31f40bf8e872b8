// `npm run diagram`'s side of the component contract: what a component draws of the cluster (a box
// inside each host's frame for what it runs there, boxes of the whole cluster, the links between them).
// dot.ts loops over the components' drawings and renders them as one Graphviz picture.
import type { ClusterHost } from "../config/hosts";

export interface Color { fill: string; line: string }

/** Grey: what has no colour of its own. */
export const neutral: Color = { fill: "#eeeeee", line: "#666666" };

/**
 * The picture's rows, top to bottom: networks over the nodes that join them, over engines, over the
 * workers that run on them, over the masters, over the other services, over the boxes of the whole cluster.
 */
export const Row = { network: 0, node: 1, firstNode: 2, engine: 3, worker: 4, master: 5, service: 6, cluster: 7 } as const;

/** A line of a label: plain text (escaped when drawn), or in small print, or bold. */
export type LabelLine = string | { small: string } | { bold: string };

/** A box inside a host's frame: one service a component runs there. */
export interface ServiceBox {
    host: ClusterHost;
    /** Its name on the host: `<host>/<service>` is its id. */
    service: string;
    lines: LabelLine[];
    color: Color;
    row: number;
    /** Drawn with a thick line: it leads (the Mesos leader, the ZooKeeper leader). */
    leads?: boolean;
}

/** A box of the whole cluster (the ensemble, Mesos, the overlay network). */
export interface ClusterBox {
    id: string;
    shape: "cylinder" | "note" | "hexagon";
    lines: LabelLine[];
    color: Color;
    row: number;
}

/** An end of a link: a service box, a cluster box by id, or a host's frame (drawn from its first box). */
export type LinkEnd = { host: ClusterHost; service: string } | { box: string } | { frame: ClusterHost };

export interface Link {
    from: LinkEnd;
    to: LinkEnd;
    color: string;
    label?: string;
    style?: "solid" | "dashed" | "dotted";
    /** No arrow head: a membership, not a direction. */
    undirected?: boolean;
    /** Not used to rank the rows. */
    sideways?: boolean;
    /** Shown on hover. */
    tooltip?: string;
}

export interface Drawing {
    services?: ServiceBox[];
    boxes?: ClusterBox[];
    links?: Link[];
}

/** What a component draws from. */
export interface DrawingContext<Config, Layout> {
    config: Config;
    /** Where it runs (a component that runs nowhere is not drawn). */
    layout: Layout;
    /** Every component's layout by id, for a component that draws what it builds on (Mesos: the ensemble's connect string). */
    cluster: Readonly<Record<string, unknown>>;
    /** The stack's outputs when it is deployed (`pulumi stack output`: components/outputs.ts types them), else undefined. */
    live?: Readonly<Record<string, unknown>>;
}

/** A component's part in `npm run diagram`. */
export type DrawingContract<Config, Layout> = (context: DrawingContext<Config, Layout>) => Drawing;
