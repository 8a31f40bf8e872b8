// The resource graph index.ts declares for a lab-like stack, under Pulumi mocks.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { scratchDir, labHosts } from "./fixtures";
import { fakeTokens, hostScriptType, installMocks, RecordedResource, valueOf } from "./mocks";
import type { StackOutputs } from "../../components/outputs";
import type * as Program from "../../index";

// At compile time: index.ts exports what components/outputs.ts says the tools read (no more, no less).
type Exported = { [K in keyof typeof Program]: pulumi.Unwrap<(typeof Program)[K]> };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const exportsAreTheOutputs = (exported: Exported): StackOutputs => exported;
export const theSameOutputs: Same<keyof Exported, keyof StackOutputs> = true;

const projectDir = path.join(__dirname, "..", "..");
let recorded: RecordedResource[];
let program: Record<string, any>;

beforeAll(async () => {
    recorded = installMocks("unit");
    const { dir, keyFile } = scratchDir();
    // h5 logs in with the SSH agent's keys: no key file.
    const hosts = labHosts(keyFile).map(({ privateKeyFile, ...host }) => host.name === "h5" ? host : { ...host, privateKeyFile });
    pulumi.runtime.setAllConfig({
        "twister2-cluster:hosts": JSON.stringify(hosts),
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
    // The overlay network waits for swarm-members, which waits for every node id.
    await valueOf(program.overlayNetwork.id);
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
            expect(join.inputs.create).toContain("JOIN_ADDRESS=10.77.0.11:2377");
            expect(join.inputs.create).toContain(`ROLE=${role}`);
            expect(join.inputs.stdin).toBe(role === "manager" ? fakeTokens.manager : fakeTokens.worker);
        }
        expect(named("swarm-join-h1")).toBeUndefined();
        // Once all have joined, the first manager keeps the node list to exactly theirs (no step per node).
        const members = named("swarm-members")!;
        expect(members.inputs.connection.host).toBe("10.77.0.11");
        expect(members.inputs.create).toContain("swarm-members.sh");
        expect(members.inputs.create).toContain(`NODE_IDS='${["node-swarm-init", ...["h2", "h3", "h4", "h5"].map((h) => `node-swarm-join-${h}`)].sort().join(" ")}'`);
        expect(members.inputs.delete).toBeUndefined();
        expect(recorded.filter((r) => r.name.includes("evict"))).toEqual([]);
    });

    it("never puts a join token into command text", () => {
        const texts = commands().flatMap((c) => [c.inputs.create, c.inputs.update, c.inputs.delete]).filter(Boolean);
        expect(texts.length).toBeGreaterThan(10);
        for (const text of texts) {
            expect(text).not.toContain(fakeTokens.worker);
            expect(text).not.toContain(fakeTokens.manager);
        }
    });

    it("passes the tokens as secrets, on stdin only, and shows none of the result that holds them", () => {
        for (const host of ["h2", "h3", "h4", "h5"]) {
            expect(named(`swarm-join-${host}`)?.secretPaths).toContain("stdin");
        }
        for (const command of commands()) {
            // Progress and results show as they come, but a secret result.
            expect(command.inputs.logging).toBe(command.name === "swarm-init" ? "stderr" : undefined);
            expect(command.inputs.addPreviousOutputInEnv).toBe(false);
            expect(command.inputs.environment).toBeUndefined();
        }
    });

    it("gives every step the login's key as a secret, and none to a host that logs in with the SSH agent", () => {
        const onH5 = (r: RecordedResource) => r.inputs.connection?.host === "10.77.0.15";
        const connected = recorded.filter((r) => r.inputs.connection);
        expect(connected.filter(onH5).length).toBeGreaterThan(3);
        for (const step of connected) {
            if (onH5(step)) {
                expect(step.inputs.connection.privateKey, step.name).toBeUndefined();
                expect(step.inputs.connection.hostKey, step.name).toMatch(/^ssh-ed25519 /);
            } else {
                expect(step.inputs.connection.privateKey, step.name).toMatch(/^-----BEGIN [A-Z ]*PRIVATE KEY-----/);
                expect(step.secretPaths.some((at) => at === "connection" || at === "connection.privateKey"), step.name).toBe(true);
            }
        }
    });

    it("delivers the host scripts once per host and names them by hash in every step", () => {
        const setups = recorded.filter((r) => /^host-setup-h\d$/.test(r.name));
        expect(setups.map((d) => d.inputs.connection.host).sort()).toEqual(labHosts("").map((h) => h.address));
        const copies = recorded.filter((r) => /^host-setup-h\d-copy$/.test(r.name));
        expect(copies).toHaveLength(5);
        const bundle = fs.readFileSync(path.join(projectDir, ".twister2", "unit", "host-scripts.sh"), "utf8");
        for (const step of commands()) {
            for (const text of [step.inputs.create, step.inputs.delete].filter(Boolean)) {
                const hash = / twister2-step ([0-9a-f]{16}) /.exec(text)?.[1];
                expect(hash, `${step.name}: ${text}`).toBeDefined();
                expect(bundle).toContain(`put ${hash}.sh <<'T2_END_OF_FILE'`);
                // A line, not the script: the shared library stays on the hosts.
                expect(text.length).toBeLessThan(2000);
                expect(text).not.toContain("with_apt_lock");
            }
        }
    });

    it("installs each host's packages in its setup step, before any other step on it, for the roles it has", () => {
        const setup = (host: string) => String(named(`host-setup-${host}`)!.inputs.create);
        expect(setup("h1")).toContain("PACKAGES='docker/dockerd docker.io\nfirewall nftables'");
        expect(setup("h2")).toContain("PACKAGES='docker/dockerd docker.io\nswarm-join curl\nzookeeper zookeeperd netcat-openbsd\nfirewall nftables'");
        expect(setup("h2")).toContain("REPOSITORIES=''");
        expect(setup("h2")).toMatch(/^sudo env BUNDLE_HASH=[0-9a-f]{16} bash \.twister2-cluster-host-scripts\.sh 10\.77\.0\.12\/host-scripts\.sh && sudo env /);
        expect(String(named("host-setup-h2")!.inputs.delete)).toMatch(/^sudo env RULES='' twister2-step [0-9a-f]{16} 10\.77\.0\.12\/firewall\.sh && sudo twister2-step [0-9a-f]{16} 10\.77\.0\.12\/packages-remove\.sh && sudo bash \.twister2-cluster-host-scripts\.sh remove /);
        // Its firewall, after the packages: the ports of its roles, each admitting the stack's hosts.
        expect(setup("h2")).toMatch(/packages-install\.sh && sudo env RULES='tcp 2377 cluster 10\.77\.0\.11 .*\ntcp 2181 clients 10\.77\.0\.11 .*' twister2-step [0-9a-f]{16} 10\.77\.0\.12\/firewall\.sh$/s);
        // A component's own step installs again what its undo purged from the list the setup step leaves
        // on the host (apt_install_wanted): the list is in no other step.
        for (const step of commands().filter((c) => !c.name.startsWith("host-setup-"))) {
            expect(String(step.inputs.create ?? "")).not.toMatch(/PACKAGES|REPOSITORIES/);
        }
        expect(recorded.filter((r) => r.name.endsWith("-package"))).toEqual([]);
    });

    it("pins every host's key and dials within bounds", () => {
        for (const command of commands()) {
            const host = labHosts("").find((h) => h.address === command.inputs.connection.host)!;
            expect(command.inputs.connection).toMatchObject({ user: host.user, port: 22, hostKey: host.hostKey, dialErrorLimit: 12, perDialTimeout: 10 });
        }
    });

    it("creates an attachable overlay network through the first manager's Docker engine over SSH", () => {
        const network = named("overlay-network")!;
        expect(network.type).toBe("docker:index/network:Network");
        expect(network.inputs).toMatchObject({ name: "mesos-overlay", driver: "overlay", attachable: true, ipamConfigs: [{ subnet: "10.78.0.0/24", gateway: "10.78.0.1" }] });
        // Encrypted: the stack does not say otherwise.
        expect(network.inputs.options).toEqual({ "com.docker.network.driver.overlay.vxlanid_list": "4194304", encrypted: "" });
        const provider = named("overlay-docker")!;
        expect(provider.type).toBe("pulumi:providers:docker");
        expect(provider.inputs.host).toBe("ssh://deploy@10.77.0.11:22");
        const sshOpts = JSON.parse(provider.inputs.sshOpts) as string[];
        expect(sshOpts).toEqual(expect.arrayContaining(["-F", "/dev/null", "StrictHostKeyChecking=yes", "IdentitiesOnly=yes"]));
        expect(sshOpts.find((o) => o.startsWith("UserKnownHostsFile="))).toMatch(/\.twister2\/unit\/known_hosts$/);
    });

    it("configures ZooKeeper servers with the ids the config gives them", async () => {
        for (const [host, id] of [["h2", 7], ["h3", 3], ["h4", 5]]) {
            const server = named(`zookeeper-${host}-server`)!;
            expect(server.inputs.create).toContain(`SERVER_ID=${id}`);
            expect(server.inputs.create).toContain("SERVERS='3=10.77.0.13 5=10.77.0.14 7=10.77.0.12'");
            expect(server.inputs.delete).toContain("zookeeper-remove.sh");
        }
        expect(await valueOf(program.zookeeperConnectString)).toBe("10.77.0.13:2181,10.77.0.14:2181,10.77.0.12:2181");
    });

    it("configures the servers side by side, then rolls restarts as a chain up the ids and back: followers first, the leader last", () => {
        const chain = recorded.filter((r) => /^zookeeper-h\d-restart/.test(r.name)).map((r) => r.name);
        // Declared (and chained by dependsOn) in the order they run: ids 3, 5, 7 are h3, h4, h2.
        expect(chain).toEqual([
            "zookeeper-h3-restart-followers", "zookeeper-h4-restart-followers", "zookeeper-h2-restart",
            "zookeeper-h4-restart-leader", "zookeeper-h3-restart-leader",
        ]);
        for (const [i, name] of chain.entries()) {
            const step = named(name)!;
            expect(step.inputs.create).toContain("zookeeper-restart.sh");
            expect(step.inputs.create).toContain(`ROUND=${i < 2 ? "followers" : i === 2 ? "turn" : "leader"}`);
            // The chain's last step waits for the ensemble.
            expect(step.inputs.create.includes("WAIT_FOR_ENSEMBLE=true")).toBe(i === chain.length - 1);
            // The ensemble's settings: a change of them runs the chain again.
            expect(step.inputs.create).toContain("SERVERS='3=10.77.0.13 5=10.77.0.14 7=10.77.0.12'");
            expect(step.inputs.delete).toBeUndefined();
        }
        for (const host of ["h2", "h3", "h4"]) expect(named(`zookeeper-${host}-server`)!.inputs.create).toContain("zookeeper-configure.sh");
        expect(recorded.filter((r) => r.name === "zookeeper-quorum")).toEqual([]);
    });

    it("exports the hosts with their roles, the swarm's node ids and where nodes join", async () => {
        expect(program.hosts.map((h: { name: string; roles: string[] }) => [h.name, h.roles])).toEqual([
            ["h1", ["swarm-manager"]], ["h2", ["swarm-manager", "zookeeper"]], ["h3", ["swarm-manager", "zookeeper"]],
            ["h4", ["swarm-worker", "zookeeper"]], ["h5", ["swarm-worker"]],
        ]);
        expect(Object.keys(await valueOf(program.swarmNodeIds))).toEqual(["h1", "h2", "h3", "h4", "h5"]);
        expect(program.swarmJoinAddress).toBe("10.77.0.11:2377");
    });
});
