// Hosts without a privateKeyFile log in with the keys of the SSH agent at SSH_AUTH_SOCK (one this test
// starts). With the agent empty, `pulumi up` stops in preflight naming both hosts, and nothing is
// installed; with the lab's key in it, the real engine deploys Docker, a swarm of two and the overlay
// network (the steps, the docker provider's ssh and preflight all log in through the agent), `npm run
// check` checks it through the agent, the state holds no private key, and destroy takes it all away.
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, LabHost, labDir, labInventory, onHost, PulumiStack, swarmNodeState } from "./harness";

let stack: PulumiStack;
let agent: ChildProcess | undefined;
let manager: LabHost;
let worker: LabHost;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "t2-e2e-agent-"));
const socket = path.join(scratch, "agent.sock");
const withAgent = { ...process.env, SSH_AUTH_SOCK: socket };

beforeAll(async () => {
    [manager, worker] = labInventory();
    agent = spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" });
    expect(await eventually(10, () => fs.existsSync(socket))).toBe(true);

    const inventory = JSON.parse(fs.readFileSync(path.join(labDir, "inventory.json"), "utf8"));
    inventory.hosts = inventory.hosts.map(({ privateKeyFile: _, ...host }: LabHost) => host);
    fs.writeFileSync(path.join(scratch, "inventory.json"), JSON.stringify(inventory));

    stack = new PulumiStack("e2e-agent", "Pulumi.dev.yaml", { env: { SSH_AUTH_SOCK: socket } });
    await stack.init();
    await stack.setConfig("hostsFile", path.join(scratch, "inventory.json"));
    await stack.setConfig("roles", { [manager.name]: ["swarm-manager"], [worker.name]: ["swarm-worker"] });
    await stack.removeConfig("zookeeper");
});

afterAll(async () => {
    await stack?.dispose();
    agent?.kill();
    fs.rmSync(scratch, { recursive: true, force: true });
});

describe("logging in with the SSH agent", () => {
    it("stops pulumi up in preflight while the agent holds no key, naming each host, and changes nothing", async () => {
        const up = await stack.up({ check: false });
        const output = up.stdout + up.stderr;
        expect(up.ok, output).toBe(false);
        for (const h of [manager, worker]) {
            expect(output).toContain(`${h.name} (${h.address}) login: the SSH agent at ${socket} holds no key; fix: add the login's key to it`);
            expect(swarmNodeState(h)).toBe("no-docker");
        }
    });

    it("deploys Docker, the swarm and the overlay network through the agent", async () => {
        execFileSync("ssh-add", ["-q", labInventory()[0].privateKeyFile], { env: withAgent, stdio: "ignore" });
        await stack.up();
        const nodes = onHost(manager, "docker node ls --format '{{.Hostname}} {{.Status}} {{.ManagerStatus}}'").stdout.trim().split("\n").sort();
        expect(nodes.map((n) => n.trim())).toEqual([`${manager.name} Ready Leader`, `${worker.name} Ready`]);
        const network = onHost(manager, "docker network inspect mesos-overlay --format '{{.Driver}} {{.Attachable}}'").stdout.trim();
        expect(network).toBe("overlay true");
    });

    it("keeps no private key in the state, not even encrypted", async () => {
        // Decrypted (booleans only are asserted: a failure prints no secret of the state).
        const state = await stack.exportState({ showSecrets: true });
        const text = JSON.stringify(state);
        expect(text.includes("PRIVATE KEY")).toBe(false);
        const resources = (state.deployment.resources ?? []) as { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[];
        const connections = resources.flatMap((r) => [r.inputs?.connection, r.outputs?.connection]).filter(Boolean)
            .map((c) => (typeof (c as { plaintext?: unknown }).plaintext === "string" ? JSON.parse((c as { plaintext: string }).plaintext) : c) as Record<string, unknown>);
        expect(connections.length).toBeGreaterThan(10);
        expect(connections.every((c) => typeof c.host === "string" && typeof c.hostKey === "string")).toBe(true);
        expect(connections.filter((c) => "privateKey" in c)).toHaveLength(0);
    });

    it("checks the cluster through the agent (npm run check)", async () => {
        const check = await stack.check();
        expect(check.code, check.stdout + check.stderr).toBe(0);
    });

    it("destroys it all", async () => {
        await stack.destroy();
        for (const h of [manager, worker]) {
            expect(swarmNodeState(h)).toBe("no-docker");
            expect(onHost(h, "ls -A /var/lib/twister2-cluster 2>/dev/null || true").stdout.trim(), h.name).toBe("");
        }
    });
});
