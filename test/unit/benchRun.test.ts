// npm run bench's figures from a recorded `pulumi up --json` stream: the longest chain is the one whose
// steps took longest in sum along the dependencies, not the one with the most steps; components are not steps.
import { describe, expect, it } from "vitest";
import { runFigures, StampedEvent } from "../../scripts/benchRun";

const urn = (name: string) => `urn:pulumi:dev::twister2-cluster::command:remote:Command::${name}`;
const step = (name: string, from: number, to: number, op = "create"): StampedEvent[] => [
    { ms: from, event: { resourcePreEvent: { metadata: { op, urn: urn(name) } } } },
    { ms: to, event: { resOutputsEvent: { metadata: { op, urn: urn(name) } } } },
];

describe("bench figures from an up's event stream", () => {
    it("finds the longest dependent chain, the sum of steps and the state per host", () => {
        const events = [
            ...step("install-h1", 0, 40_000), ...step("join-h1", 40_000, 45_000),
            ...step("install-h2", 0, 10_000), ...step("a-h2", 10_000, 12_000), ...step("b-h2", 12_000, 14_000), ...step("c-h2", 14_000, 16_000),
            ...step("unchanged", 0, 1, "same"),
            // a component: its events span its children's
            { ms: 0, event: { resourcePreEvent: { metadata: { op: "create", urn: "urn:pulumi:dev::twister2-cluster::twister2:cluster:X::x" } } } },
            { ms: 45_000, event: { resOutputsEvent: { metadata: { op: "create", urn: "urn:pulumi:dev::twister2-cluster::twister2:cluster:X::x" } } } },
        ].sort((a, b) => a.ms - b.ms);
        const state = { deployment: { resources: [
            { urn: "urn:pulumi:dev::twister2-cluster::pulumi:pulumi:Stack::x", type: "pulumi:pulumi:Stack", outputs: { hosts: [{ name: "h1" }, { name: "h2" }] } },
            { urn: urn("install-h1"), type: "command:remote:Command", custom: true },
            { urn: urn("join-h1"), type: "command:remote:Command", custom: true, dependencies: [urn("install-h1")] },
            { urn: urn("install-h2"), type: "command:remote:Command", custom: true },
            { urn: urn("a-h2"), type: "command:remote:Command", custom: true, dependencies: [urn("install-h2")] },
            { urn: urn("b-h2"), type: "command:remote:Command", custom: true, dependencies: [urn("a-h2")] },
            { urn: urn("c-h2"), type: "command:remote:Command", custom: true, dependencies: [urn("b-h2"), urn("unchanged")] },
        ] } };
        const figures = runFigures(events, state, 10_000);
        expect(figures.wallSeconds).toBe(45);
        expect(figures.steps).toBe(6);
        expect(figures.stepSeconds).toBe(61);
        expect(figures.chainSeconds).toBe(45);
        expect(figures.chain).toEqual([{ name: "install-h1", seconds: 40 }, { name: "join-h1", seconds: 5 }]);
        expect(figures.stateBytesPerHost).toBe(5000);
        expect(figures.compactStateBytesPerHost).toBe(Math.round(JSON.stringify(state).length / 2));
    });
});
