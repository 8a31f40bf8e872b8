// npm run check's comparison: facts as the hosts report them (each component's probe) against what the
// stack says, through the components' live contracts.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { checkCluster, probeScript } from "../../components";
import type { HostFacts } from "../../framework/check/contract";
import { ClusterFacts, FetchForChecks, parseProbe, repairPlan } from "../../framework/check/live";
import type { StackOutputs } from "../liveStack";
import { devLayoutConfig } from "../../test/unit/fixtures";

// The outputs below have no NFS share: its checks are not exercised here.
const config = devLayoutConfig({ mesos: { agentAttributes: { lab: "true" } } });

const outputs: StackOutputs = {
    mesosMasters: ["http://10.77.0.11:5050"],
    overlayNetwork: { name: "mesos-overlay", id: "n1" },
    workerImage: { image: "twister2-worker:abc", imageIds: { h4: "sha256:4444", h5: "sha256:5555" } },
    uploader: { url: "http://10.77.0.12:8082/twister2/mesos/", fetchUri: "http://10.77.0.12:8082", directory: "/var/www/html/twister2/mesos/", sshConnection: "twister2@10.77.0.12", scpConnection: "twister2@10.77.0.12" },
    hosts: config.hosts.map((h) => ({ name: h.name, address: h.address, roles: h.roles, services: { docker: "20.10.24" } })),
};

/** What the probe prints on a healthy lab host: `<component> <fact> <value>` lines. */
function healthy(name: string): Map<string, HostFacts> {
    const host = config.hosts.find((h) => h.name === name)!;
    const lines = ["host os debian 12", "docker engine 20.10.24", `swarm state active node-${name}`, "firewall loaded 4 ports guarded", "firewall boot enabled"];
    if (host.roles.includes("zookeeper")) lines.push(`zookeeper mode ${name === "h2" ? "leader" : "follower"}`, `zookeeper id ${name.slice(1)}`);
    if (host.roles.includes("mesos-master")) lines.push("mesos mesos-master active");
    if (host.roles.includes("mesos-agent")) lines.push("mesos mesos-agent active", `workerImage image sha256:${name.slice(1).repeat(4)}`);
    if (host.roles.includes("uploader")) lines.push("uploader nginx active");
    if (name === "h1") {
        lines.push(...config.hosts.map((h) => `swarm node ${h.address} ready ${h.name === "h1" ? "manager" : "worker"} active id-${h.name}`));
        lines.push("swarm overlay overlay true swarm");
    }
    return parseProbe(lines.join("\n"));
}

const healthyCluster = (): ClusterFacts => new Map(config.hosts.map((h) => [h.name, healthy(h.name)]));
const factsOf = (facts: ClusterFacts, host: string, component: string) => (facts.get(host) as Map<string, HostFacts>).get(component)!;

interface Answers { mesosState?: unknown; listing?: number }
/** The leading master's /master/state and the uploader's answer to a GET, as `fetch` would give them. */
function answering({ mesosState, listing = 403 }: Answers = {}): FetchForChecks {
    const state = mesosState ?? { leader: "master@10.77.0.12:5050", version: "1.11.0", slaves: ["10.77.0.14", "10.77.0.15"].map((hostname) => ({ hostname, active: true, attributes: { lab: "true" } })) };
    return async (url) => url.endsWith("/master/state")
        ? { status: 200, ok: true, json: async () => state }
        : { status: listing, ok: listing < 300, json: async () => ({}) };
}

const check = (facts: ClusterFacts, answers?: Answers) => checkCluster(config, outputs, facts, answering(answers));
const differences = async (facts: ClusterFacts, answers?: Answers) => (await check(facts, answers)).filter((r) => !r.ok)
    .map((r) => `${r.host} ${r.component}: ${r.check}: ${r.detail}`);

describe("npm run check's comparison", () => {
    it("reads each component's facts apart: `<component> <fact> <value...>`", () => {
        const facts = parseProbe("host os debian 12\nswarm node a ready\nswarm node b down\nzookeeper mode leader\n\nnot-a-fact\nworkerImage image ");
        expect([...facts.keys()]).toEqual(["host", "swarm", "zookeeper"]);
        expect(facts.get("swarm")!.get("node")).toEqual(["a ready", "b down"]);
        expect(facts.has("workerImage")).toBe(false);
    });

    it("prints each fact on one line, also a value a failed command broke over lines", () => {
        const preamble = fs.readFileSync(path.join(__dirname, "..", "..", "framework", "check", "probe.sh"), "utf8");
        const run = spawnSync("bash", ["-c", `set -euo pipefail\n${preamble}\nfact image "$(printf '\\nabsent')"\nfact empty ""\nfact two "a\n b"`], { encoding: "utf8" });
        expect(run.status, run.stderr).toBe(0);
        expect(run.stdout.split("\n").slice(2)).toEqual(["image absent", "empty absent", "two a b", ""]);
    });

    it("finds nothing on a cluster that is what the stack says", async () => {
        const results = await check(healthyCluster());
        expect(results.filter((r) => !r.ok)).toEqual([]);
        expect(results.length).toBeGreaterThan(30);
    });

    it("names a stopped ZooKeeper, a swarm node that left, a missing image and a firewall flushed, each with the step that repairs it", async () => {
        const facts = healthyCluster();
        factsOf(facts, "h3", "zookeeper").set("mode", ["down"]);
        factsOf(facts, "h4", "swarm").set("state", ["inactive "]);
        factsOf(facts, "h1", "swarm").set("node", factsOf(facts, "h1", "swarm").get("node")!
            .map((line) => line.startsWith("10.77.0.14 ") ? "10.77.0.14 down worker active id-h4" : line));
        factsOf(facts, "h5", "workerImage").set("image", ["absent"]);
        factsOf(facts, "h2", "firewall").set("loaded", ["absent"]);
        expect(await differences(facts)).toEqual([
            "h4 swarm: node active: LocalNodeState inactive",
            "h4 swarm: listed Ready as worker: not Ready in docker node ls",
            "h3 zookeeper: serving: srvr: down",
            "h5 worker image: twister2-worker:abc: missing, expected sha256:5555",
            "h2 firewall: firewall loaded: not loaded; at boot: enabled",
        ]);
        const urns = new Map(["zookeeper-h3-server", "swarm-join-h4", "worker-image-h5", "host-setup-h2"].map((n) => [n, `urn:pulumi:dev::twister2-cluster::x::${n}`]));
        const plan = repairPlan(await check(facts), urns, "dev");
        expect(plan.pulumiUp).toBe("pulumi up --stack dev " + ["swarm-join-h4", "zookeeper-h3-server", "worker-image-h5", "host-setup-h2"]
            .map((n) => `--replace 'urn:pulumi:dev::twister2-cluster::x::${n}'`).join(" "));
        expect(plan.commands).toEqual([]);
        expect(plan.unknown).toEqual([]);
    });

    it("repairs the first manager's node with swarm-init, the step that made it, and names a missing step once", async () => {
        const facts = healthyCluster();
        factsOf(facts, "h1", "swarm").set("state", ["inactive "]);
        factsOf(facts, "h1", "swarm").set("node", []);
        const plan = repairPlan(await check(facts), new Map([["swarm-init", "urn:x::swarm-init"]]), "dev");
        expect(plan.pulumiUp).toBe("pulumi up --stack dev --replace 'urn:x::swarm-init'");
        const missing = repairPlan(await check(facts), new Map(), "dev");
        // h1's two differences name swarm-init, once; no node lists the others either.
        expect(missing.unknown).toEqual(["swarm-init", ...["h2", "h3", "h4", "h5"].map((h) => `swarm-join-${h}`)]);
    });

    it("names an unreachable host, a Mesos agent missing at the leader, nodes not the stack's, and a listing the uploader serves", async () => {
        const facts = healthyCluster();
        facts.set("h2", { error: "ssh: connect to host 10.77.0.12 port 22: No route to host" });
        factsOf(facts, "h1", "swarm").get("node")!.push("10.9.9.9 ready worker active stray");
        const answers: Answers = {
            mesosState: { leader: "master@10.77.0.11:5050", slaves: [{ hostname: "10.77.0.14", active: true, attributes: {} }, { hostname: "10.9.9.9", active: true, attributes: {} }, { hostname: "10.9.9.8", active: false, attributes: {} }] },
            listing: 200,
        };
        const found = await differences(facts, answers);
        expect(found).toEqual(expect.arrayContaining([
            "h2 host: reachable over SSH: ssh: connect to host 10.77.0.12 port 22: No route to host",
            "h4 mesos: agent active at the leader: attributes none, expected lab:true",
            "h5 mesos: agent active at the leader: not registered",
            "mesos mesos: no agent other than the stack's: agent 10.9.9.9 is registered",
            "mesos mesos: no agent other than the stack's: agent 10.9.9.8 is registered, inactive",
            "h1 swarm: no node other than the stack's: node stray (10.9.9.9, ready worker) is not one of the stack's hosts",
            "h2 uploader: GET http://10.77.0.12:8082/twister2/mesos/ refuses a listing: HTTP 200",
        ]));
        // An unreachable host's components are not checked again: one difference says it all.
        expect(found.filter((d) => d.startsWith("h2 ") && !d.includes("GET "))).toHaveLength(1);
        const plan = repairPlan(await check(facts, answers), new Map(), "dev");
        // The node that is not the stack's goes when swarm-members runs again.
        expect(plan.unknown).toEqual(expect.arrayContaining(["mesos-h4-agent", "mesos-h5-agent", "swarm-members", "uploader-server"]));
    });

    it("says no master answered when Mesos cannot be reached", async () => {
        const found = await differences(healthyCluster(), { mesosState: undefined });
        expect(found).toEqual([]);
        const down: FetchForChecks = async () => { throw new Error("connect ECONNREFUSED 10.77.0.11:5050"); };
        const results = await checkCluster(config, outputs, healthyCluster(), down);
        expect(results.filter((r) => !r.ok).map((r) => `${r.host} ${r.component}: ${r.detail}`)).toEqual(expect.arrayContaining([
            "mesos mesos: no master answered /master/state: http://10.77.0.11:5050: connect ECONNREFUSED 10.77.0.11:5050",
        ]));
    });
});

describe("npm run check's probe", () => {
    const script = (name: string) => probeScript(config, outputs, config.hosts.find((h) => h.name === name)!);

    it("runs on each host the fragments of the components it has, each with its settings, in valid bash", () => {
        const first = script("h1");
        expect(first).toContain("FIRST_MANAGER=true");
        expect(first).toContain("OVERLAY_NAME=mesos-overlay");
        expect(first).toContain(") | sed 's/^/swarm /'");
        expect(first).not.toContain("IMAGE=");
        const agent = script("h5");
        expect(agent).toContain("IMAGE=twister2-worker:abc");
        expect(agent).toContain("DAEMONS=mesos-agent");
        expect(agent).toContain("FIRST_MANAGER=false");
        for (const name of ["h1", "h2", "h3", "h4", "h5"]) {
            const syntax = spawnSync("bash", ["-n"], { input: script(name), encoding: "utf8" });
            expect(syntax.status, syntax.stderr).toBe(0);
        }
    });
});
