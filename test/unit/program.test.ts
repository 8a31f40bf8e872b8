// The resource graph index.ts declares for a lab-like stack, under Pulumi mocks.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { scratchDir, labHosts } from "./fixtures";
import { fakeTokens, hostScriptType, installMocks, RecordedResource, valueOf } from "./mocks";

let recorded: RecordedResource[];
let program: Record<string, any>;

beforeAll(async () => {
    recorded = installMocks("unit");
    const { dir, keyFile } = scratchDir();
    pulumi.runtime.setAllConfig({
        "twister2-cluster:hosts": JSON.stringify(labHosts(keyFile)),
        "twister2-cluster:roles": JSON.stringify({
            h1: ["swarm-manager"], h2: ["swarm-manager", "zookeeper"], h3: ["swarm-manager", "zookeeper"],
            h4: ["swarm-worker", "zookeeper"], h5: ["swarm-worker"],
        }),
        "twister2-cluster:zookeeper": JSON.stringify({ serverIds: { h2: 7, h3: 3, h4: 5 } }),
        "twister2-cluster:docker": JSON.stringify({ source: "docker.io" }),
        "twister2-cluster:overlay": JSON.stringify({ subnet: "10.78.0.0/24" }),
    });
    process.chdir(dir);
    program = await import("../../index");
    await valueOf(program.swarmNodeIds);
});

const commands = () => recorded.filter((r) => r.type === hostScriptType);
const named = (name: string) => recorded.find((r) => r.name === name);

describe("the cluster program", () => {
    it("puts Docker on every host that has a role", () => {
        const engines = commands().filter((c) => String(c.inputs.create).includes("docker-install.sh"));
        expect(engines.map((c) => c.inputs.connection.host).sort()).toEqual(labHosts("").map((h) => h.address));
        expect(engines.every((c) => String(c.inputs.delete).includes("docker-uninstall.sh"))).toBe(true);
        expect(recorded.filter((r) => r.type === "twister2:cluster:DockerHost")).toHaveLength(5);
    });

    it("initialises the swarm on the first manager and joins every other host to it", () => {
        expect(named("swarm-init")?.inputs.connection.host).toBe("10.77.0.11");
        for (const [host, role] of [["h2", "manager"], ["h3", "manager"], ["h4", "worker"], ["h5", "worker"]]) {
            const join = named(`swarm-join-${host}`)!;
            expect(join.inputs.create).toContain("MANAGER_ADDR='10.77.0.11'");
            expect(join.inputs.create).toContain(`ROLE='${role}'`);
            expect(join.inputs.stdin).toBe(role === "manager" ? fakeTokens.manager : fakeTokens.worker);
            // The node is evicted by the first manager after it has left.
            expect(named(`swarm-evict-${host}`)?.inputs.connection.host).toBe("10.77.0.11");
            expect(named(`swarm-evict-${host}`)?.inputs.create).toBeUndefined();
        }
        expect(named("swarm-join-h1")).toBeUndefined();
    });

    it("never puts a join token into command text", () => {
        const texts = commands().flatMap((c) => [c.inputs.create, c.inputs.update, c.inputs.delete]).filter(Boolean);
        expect(texts.length).toBeGreaterThan(10);
        for (const text of texts) {
            expect(text).not.toContain(fakeTokens.worker);
            expect(text).not.toContain(fakeTokens.manager);
        }
    });

    it("passes the tokens as secrets, on stdin only", () => {
        for (const host of ["h2", "h3", "h4", "h5"]) {
            expect(named(`swarm-join-${host}`)?.secretPaths).toContain("stdin");
        }
        for (const command of commands()) {
            expect(command.secretPaths).toContain("privateKey");
            expect(command.secretPaths).not.toContain("connection");
        }
    });

    it("creates an attachable overlay network on the first manager", () => {
        const network = named("overlay-network")!;
        expect(network.inputs.connection.host).toBe("10.77.0.11");
        expect(network.inputs.create).toContain("NETWORK_NAME='mesos-overlay'");
        expect(network.inputs.create).toContain("SUBNET='10.78.0.0/24'");
        expect(network.inputs.delete).toContain("overlay-remove.sh");
        expect(network.inputs.triggers).toEqual(["mesos-overlay", "10.78.0.0/24", false]);
    });

    it("configures ZooKeeper servers with the ids the config gives them", async () => {
        for (const [host, id] of [["h2", 7], ["h3", 3], ["h4", 5]]) {
            const server = named(`zookeeper-${host}-server`)!;
            expect(server.inputs.create).toContain(`SERVER_ID='${id}'`);
            expect(server.inputs.create).toContain("SERVERS='3=10.77.0.13 5=10.77.0.14 7=10.77.0.12'");
            expect(named(`zookeeper-${host}-package`)?.inputs.delete).toContain("zookeeper-remove.sh");
        }
        expect(named("zookeeper-quorum")?.inputs.connection.host).toBe("10.77.0.13");
        expect(await valueOf(program.zookeeperConnectString)).toBe("10.77.0.13:2181,10.77.0.14:2181,10.77.0.12:2181");
    });

    it("exports the hosts with their roles and the swarm's node ids", async () => {
        expect(program.hosts.map((h: { name: string; roles: string[] }) => [h.name, h.roles])).toEqual([
            ["h1", ["swarm-manager"]], ["h2", ["swarm-manager", "zookeeper"]], ["h3", ["swarm-manager", "zookeeper"]],
            ["h4", ["swarm-worker", "zookeeper"]], ["h5", ["swarm-worker"]],
        ]);
        expect(Object.keys(await valueOf(program.swarmNodeIds))).toEqual(["h1", "h2", "h3", "h4", "h5"]);
        expect(await valueOf(program.swarmManager)).toBe("10.77.0.11");
    });
});
