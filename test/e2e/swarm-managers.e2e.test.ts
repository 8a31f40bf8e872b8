// Three swarm managers, and nodes that change role: a manager leaves (demoted first, so the others
// keep their quorum) and a worker comes back as a manager, with nothing stale left in the node list.
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { LabHost, labInventory, onHost, PulumiStack, reportTimings } from "./harness";

let hosts: LabHost[];
let stack: PulumiStack;
const host = (name: string) => hosts.find((h) => h.name === name)!;
const nodeList = () => onHost(host("h1"), "docker node ls --format '{{.Hostname}} {{.Status}} {{.ManagerStatus}}'")
    .stdout.trim().split("\n").map((line) => line.trim()).sort();

beforeAll(async () => {
    hosts = labInventory();
    stack = new PulumiStack("e2e-managers", "Pulumi.dev.yaml");
    // The swarm only: ZooKeeper and Mesos have their own tests.
    const config = parseDocument(fs.readFileSync(stack.configFile, "utf8"));
    config.setIn(["config", "twister2-cluster:roles"],
        { h1: ["swarm-manager"], h2: ["swarm-manager"], h3: ["swarm-manager"], h4: ["swarm-worker"] });
    config.deleteIn(["config", "twister2-cluster:zookeeper"]);
    fs.writeFileSync(stack.configFile, config.toString());
    await stack.init();
});

afterAll(() => {
    reportTimings("swarm-managers-timings.json");
    stack?.remove();
});

describe("a swarm with three managers", () => {
    it("deploys three managers and a worker", async () => {
        await stack.run(["up", "--yes", "--skip-preview"]);
        expect(nodeList()).toEqual(["h1 Ready Leader", "h2 Ready Reachable", "h3 Ready Reachable", "h4 Ready"]);
    });

    it("swaps a manager and a worker by leaving and joining again, touching only those two hosts", async () => {
        await stack.run(["config", "set", "--path", "twister2-cluster:roles.h3[0]", "swarm-worker"]);
        await stack.run(["config", "set", "--path", "twister2-cluster:roles.h4[0]", "swarm-manager"]);
        const preview = JSON.parse((await stack.run(["preview", "--json"])).stdout) as { steps?: { op: string; urn: string }[] };
        const touched = new Set((preview.steps ?? []).filter((s) => s.op !== "same").map((s) => s.urn.split("::").pop()));
        expect([...touched].sort()).toEqual(["swarm-evict-h3", "swarm-evict-h4", "swarm-join-h3", "swarm-join-h4"]);

        await stack.run(["up", "--yes", "--skip-preview"]);
        expect(nodeList()).toEqual(["h1 Ready Leader", "h2 Ready Reachable", "h3 Ready", "h4 Ready Reachable"]);
        await stack.run(["preview", "--expect-no-changes"]);
    });

    it("destroys the swarm from every host", async () => {
        await stack.run(["destroy", "--yes", "--skip-preview"]);
        for (const h of hosts) {
            expect(onHost(h, "command -v docker || echo none").stdout.trim(), h.name).toBe("none");
        }
    });
});
