// Three swarm managers, and nodes that change role: a manager leaves (demoted first, so the others
// keep their quorum) and a worker comes back as a manager, with nothing stale left in the node list.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LabHost, labInventory, onHost, PulumiStack, reportTimings } from "./harness";

let hosts: LabHost[];
let stack: PulumiStack;
const host = (name: string) => hosts.find((h) => h.name === name)!;
const nodeList = () => onHost(host("h1"), "docker node ls --format '{{.Hostname}} {{.Status}} {{.ManagerStatus}}'")
    .stdout.trim().split("\n").map((line) => line.trim()).sort();

beforeAll(async () => {
    hosts = labInventory();
    stack = new PulumiStack("e2e-managers", "Pulumi.dev.yaml");
    await stack.init();
    // The swarm only: ZooKeeper and Mesos have their own tests.
    await stack.setConfig("roles", { h1: ["swarm-manager"], h2: ["swarm-manager"], h3: ["swarm-manager"], h4: ["swarm-worker"] });
    await stack.removeConfig("zookeeper");
});

afterAll(async () => {
    await stack?.dispose();
    reportTimings("swarm-managers-timings.json");
});

describe("a swarm with three managers", () => {
    it("deploys three managers and a worker", async () => {
        await stack.up();
        expect(nodeList()).toEqual(["h1 Ready Leader", "h2 Ready Reachable", "h3 Ready Reachable", "h4 Ready"]);
    });

    it("swaps a manager and a worker by leaving and joining again, touching only those two hosts", async () => {
        await stack.setConfig("roles.h3[0]", "swarm-worker", { path: true });
        await stack.setConfig("roles.h4[0]", "swarm-manager", { path: true });
        const preview = await stack.preview();
        const touched = new Set(preview.steps.filter((s) => s.op !== "same").map((s) => s.urn.split("::").pop()));
        // The two rejoin; then the first manager drops the entries they left behind.
        expect([...touched].sort()).toEqual(["swarm-join-h3", "swarm-join-h4", "swarm-members"]);

        await stack.up();
        expect(nodeList()).toEqual(["h1 Ready Leader", "h2 Ready Reachable", "h3 Ready", "h4 Ready Reachable"]);
        await stack.preview({ expectNoChanges: true });
    });

    it("destroys the swarm from every host", async () => {
        await stack.destroy();
        for (const h of hosts) {
            expect(onHost(h, "command -v docker || echo none").stdout.trim(), h.name).toBe("none");
        }
    });
});
