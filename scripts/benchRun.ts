// What one `pulumi up` cost, from its `--json` event stream (each line stamped as it arrived) and the
// `pulumi stack export` after it: wall time, the longest chain of steps that waited on each other, the sum
// of all steps, and state bytes per host. Pure, so that the unit tests can feed it a recorded run.

/** One line of `pulumi up --json`, and when it arrived (milliseconds since the run started). */
export interface StampedEvent { ms: number; event: EngineEvent }

interface StepMetadata { op: string; urn: string; type?: string }
interface EngineEvent {
    resourcePreEvent?: { metadata: StepMetadata };
    resOutputsEvent?: { metadata: StepMetadata };
    resOpFailedEvent?: { metadata: StepMetadata };
}

interface StateResource { urn: string; type: string; custom?: boolean; dependencies?: string[]; outputs?: { hosts?: { name: string }[] } }
export interface StackExport { deployment: { resources?: StateResource[] } }

export interface RunFigures {
    wallSeconds: number;
    /** Steps that did something (not `same`), and the seconds they took together. */
    steps: number;
    stepSeconds: number;
    /** The dependent chain whose steps took longest in sum: its seconds and its steps, first to last. */
    chainSeconds: number;
    chain: { name: string; seconds: number }[];
    /** `pulumi stack export`'s bytes (indented), and the same state as compact JSON, as the backend writes it after every step. */
    stateBytes: number;
    compactStateBytes: number;
    hosts: number;
    stateBytesPerHost: number;
    compactStateBytesPerHost: number;
}

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

export function runFigures(events: StampedEvent[], state: StackExport, stateBytes: number): RunFigures {
    const resources = state.deployment.resources ?? [];
    // Steps are custom resources; a component's events span its children's, and would count them twice.
    const custom = new Set(resources.filter((r) => r.custom).map((r) => r.urn));
    const started = new Map<string, number>();
    const took = new Map<string, number>();
    for (const { ms, event } of events) {
        const pre = event.resourcePreEvent?.metadata;
        if (pre && pre.op !== "same" && custom.has(pre.urn)) started.set(pre.urn, ms);
        const done = (event.resOutputsEvent ?? event.resOpFailedEvent)?.metadata;
        if (done && started.has(done.urn)) took.set(done.urn, (ms - started.get(done.urn)!) / 1000);
    }
    const dependencies = new Map(resources.map((r) => [r.urn, r.dependencies ?? []]));
    // Longest chain ending at each step: its own time plus the longest chain of what it waited for.
    const chainTo = new Map<string, { seconds: number; previous?: string }>();
    const longest = (urn: string): number => {
        const known = chainTo.get(urn);
        if (known) return known.seconds;
        chainTo.set(urn, { seconds: 0 }); // a cycle cannot happen in a deployed graph; this only guards recursion
        let best: { seconds: number; previous?: string } = { seconds: 0 };
        for (const dep of dependencies.get(urn) ?? []) {
            const seconds = longest(dep);
            if (seconds > best.seconds) best = { seconds, previous: dep };
        }
        const total = { seconds: best.seconds + (took.get(urn) ?? 0), previous: best.previous };
        chainTo.set(urn, total);
        return total.seconds;
    };
    let end: string | undefined;
    for (const urn of new Set([...dependencies.keys(), ...took.keys()])) {
        if (end === undefined || longest(urn) > longest(end)) end = urn;
    }
    const chain: { name: string; seconds: number }[] = [];
    for (let urn = end; urn !== undefined; urn = chainTo.get(urn)?.previous) {
        if (took.has(urn)) chain.unshift({ name: nameOf(urn), seconds: took.get(urn)! });
    }
    const hosts = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.outputs?.hosts?.length ?? 0;
    const compactStateBytes = Buffer.byteLength(JSON.stringify(state));
    const perHost = (bytes: number) => hosts ? Math.round(bytes / hosts) : bytes;
    return {
        wallSeconds: events.length ? events[events.length - 1].ms / 1000 : 0,
        steps: took.size,
        stepSeconds: [...took.values()].reduce((a, b) => a + b, 0),
        chainSeconds: end ? longest(end) : 0,
        chain,
        stateBytes,
        compactStateBytes,
        hosts,
        stateBytesPerHost: perHost(stateBytes),
        compactStateBytesPerHost: perHost(compactStateBytes),
    };
}

export function formatFigures(stack: string, f: RunFigures): string {
    const s = (seconds: number) => `${seconds.toFixed(1)} s`;
    const state = `state of ${stack}: ${f.stateBytes} bytes (${f.compactStateBytes} as compact JSON), ${f.hosts} hosts: ` +
        `${f.stateBytesPerHost} bytes per host (${f.compactStateBytesPerHost} compact)`;
    if (f.steps === 0 && f.wallSeconds === 0) return state;
    return [
        `pulumi up of ${stack}: ${s(f.wallSeconds)} wall, ${f.steps} steps taking ${s(f.stepSeconds)} in sum`,
        `  longest dependent chain: ${s(f.chainSeconds)}: ${f.chain.map((c) => `${c.name} ${c.seconds.toFixed(1)}`).join(" -> ") || "none"}`,
        `  ${state}`,
    ].join("\n");
}
