import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { Deployment } from "../forget-host/forget";
import { interruptedUndos, pendingNetworks, removeLeftoverNetwork, retiredSteps } from "./recover";

const stackUrn = "urn:pulumi:dev::twister2-cluster";
const provider = { urn: `${stackUrn}::pulumi:providers:docker::overlay-docker`, type: "pulumi:providers:docker", id: "p1",
    inputs: { host: "ssh://deploy@10.77.0.11:22" } };
const network = { urn: `${stackUrn}::twister2:cluster:OverlayNetwork$docker:index/network:Network::overlay-network`,
    type: "docker:index/network:Network", provider: `${provider.urn}::p1`, inputs: { name: "mesos-overlay" } };
const join = { urn: `${stackUrn}::twister2:cluster:SwarmCluster$command:remote:Command::swarm-join-h2`, type: "command:remote:Command" };

/** Runs removeLeftoverNetwork's script with a fake `docker` whose engine has the networks `networks` (name: id). */
function runWithFakeDocker(name: string, networks: Record<string, string>, knownIds: string[] = [], inUse = false): { out: string; calls: string; code: number } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "t2-recover-"));
    const lookups = Object.entries(networks).map(([n, id]) => `[ "$5" = ${n} ] && { echo ${id}; exit 0; }`).join("; ");
    fs.writeFileSync(path.join(dir, "docker"), `#!/bin/sh\necho "$*" >>"${dir}/calls"\n` +
        `case "$2" in inspect) ${lookups || ":"}; exit 1 ;;\n` +
        `rm) ${inUse ? 'echo "error: network has active endpoints" >&2; exit 1' : "exit 0"} ;; esac\n`, { mode: 0o755 });
    const run = spawnSync("bash", ["-c", removeLeftoverNetwork({ name, knownIds })], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, encoding: "utf8" });
    return { out: run.stdout.trim(), calls: fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8").trim() : "", code: run.status ?? -1 };
}

describe("recover", () => {
    it("finds a Docker network a killed run was making, and the engine it was being made on", () => {
        const deployment: Deployment = {
            resources: [provider],
            pending_operations: [{ resource: network, type: "creating" }, { resource: join, type: "creating" }],
        };
        expect(pendingNetworks(deployment)).toEqual([{ urn: network.urn, name: "mesos-overlay", address: "10.77.0.11", knownIds: [] }]);
    });

    it("leaves networks being updated or deleted alone: those are in the state already", () => {
        expect(pendingNetworks({ resources: [provider], pending_operations: [{ resource: network, type: "updating" }] })).toEqual([]);
    });

    it("removes the killed run's network from the engine, and only when it is there and not the state's", () => {
        const inspect = "network inspect --format {{.Id}} mesos-overlay";
        expect(runWithFakeDocker("mesos-overlay", { bridge: "b1", "mesos-overlay": "n1" })).toEqual({ out: "removed", calls: `${inspect}\nnetwork rm n1`, code: 0 });
        expect(runWithFakeDocker("mesos-overlay", { bridge: "b1" })).toEqual({ out: "absent", calls: inspect, code: 0 });
        expect(runWithFakeDocker("mesos-overlay", { "mesos-overlay": "n0" }, ["n0"])).toEqual({ out: "known", calls: inspect, code: 0 });
    });

    it("finds the steps whose undo a killed run had started and that the state still has", () => {
        const engine = { urn: `${stackUrn}::twister2:cluster:DockerHost$command:remote:Command::docker-h1-engine`, type: "command:remote:Command" };
        const gone = { urn: `${stackUrn}::command:remote:Command::host-setup-h9`, type: "command:remote:Command" };
        const deployment: Deployment = {
            resources: [provider, join, engine],
            pending_operations: [
                { resource: engine, type: "deleting" }, { resource: engine, type: "deleting" }, { resource: gone, type: "deleting" },
                { resource: join, type: "updating" }, { resource: network, type: "creating" },
            ],
        };
        expect(interruptedUndos(deployment)).toEqual([engine.urn]);
        expect(interruptedUndos({ resources: [engine] })).toEqual([]);
    });

    it("fails when the engine refuses (the network is in use)", () => {
        expect(runWithFakeDocker("mesos-overlay", { "mesos-overlay": "n1" }, [], true).code).not.toBe(0);
    });

    it("finds the steps an earlier version declared whose undo would take away what this one keeps", () => {
        const command = (parent: string, name: string) => ({ urn: `${stackUrn}::twister2:cluster:${parent}$command:remote:Command::${name}`, type: "command:remote:Command" });
        const evict = command("SwarmCluster", "swarm-evict-h4");
        const nginx = command("UploaderServer", "uploader-nginx");
        const account = command("UploaderServer", "uploader-account");
        const kept = [join, command("SwarmCluster", "swarm-members"), command("UploaderServer", "uploader-server"),
            command("UploaderServer", "uploader-core-package"), command("ZookeeperEnsemble", "zookeeper-quorum")];
        const found = retiredSteps({ resources: [...kept, evict, nginx, account] });
        expect(found.map((s) => s.urn)).toEqual([evict.urn, nginx.urn, account.urn]);
        expect(found[0].now).toMatch(/swarm-members/);
        expect(retiredSteps({ resources: kept })).toEqual([]);
    });
});
