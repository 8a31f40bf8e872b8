// A bad stack config stops `pulumi preview` in seconds, with every problem named, and no host is
// contacted (the hosts' sshd logs no new login).
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { LabHost, labInventory, onHost, PulumiStack } from "./harness";

let hosts: LabHost[];
let stack: PulumiStack;

const logins = (h: LabHost) =>
    Number(onHost(h, "journalctl -q -u ssh --no-pager -o cat | grep -c 'Accepted publickey' || true").stdout.trim());

beforeAll(async () => {
    hosts = labInventory();
    stack = new PulumiStack("e2e-bad-config", "Pulumi.dev.yaml");
    const config = parseDocument(fs.readFileSync(stack.configFile, "utf8"));
    config.setIn(["config", "twister2-cluster:roles", "h2"], ["swarm-manager", "zookeeper", "mesos-master", "uploader"]);
    config.setIn(["config", "twister2-cluster:nfs", "clients"], ["*"]);
    config.setIn(["config", "twister2-cluster:uploader", "port"], 5050);
    config.setIn(["config", "twister2-cluster:overlay", "subnet"], "10.77.0.0/16");
    fs.writeFileSync(stack.configFile, config.toString());
    await stack.init();
});

afterAll(() => stack?.remove());

describe("a bad stack config", () => {
    it("fails `pulumi preview` in seconds, names every problem, and touches no host", async () => {
        const before = hosts.map(logins);
        const started = Date.now();
        const preview = await stack.run(["preview"], { check: false });
        const seconds = (Date.now() - started) / 1000;
        const output = preview.stdout + preview.stderr;

        expect(preview.code).not.toBe(0);
        expect(seconds).toBeLessThan(30);
        expect(output).toMatch(/roles: 2 hosts are swarm-manager; use an odd number/);
        expect(output).toMatch(/nfs\.clients/);
        expect(output).toMatch(/uploader\.port/);
        expect(output).toMatch(/overlay\.subnet: 10\.77\.0\.0\/16 contains h1's address/);
        // One login per host for the count itself, none from pulumi.
        expect(hosts.map(logins)).toEqual(before.map((n) => n + 1));
    });
});
