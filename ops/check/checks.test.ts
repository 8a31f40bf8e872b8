// npm run check's comparison: facts as the hosts report them against what the stack says.
import { describe, expect, it } from "vitest";
import { checkCluster, ClusterFacts, HostFacts, parseFacts, repairPlan } from "./checks";
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

/** What check/probe.sh prints on a healthy lab host. */
function healthy(name: string): HostFacts {
    const host = config.hosts.find((h) => h.name === name)!;
    const lines = ["os debian 12", "docker 20.10.24", `swarm active node-${name}`];
    if (host.roles.includes("zookeeper")) lines.push(`zookeeper ${name === "h2" ? "leader" : "follower"}`, `zookeeper-id ${name.slice(1)}`);
    if (host.roles.includes("mesos-master")) lines.push("mesos-master active");
    if (host.roles.includes("mesos-agent")) lines.push("mesos-agent active", `image sha256:${name.slice(1).repeat(4)}`);
    if (host.roles.includes("uploader")) lines.push("uploader-nginx active");
    if (name === "h1") {
        lines.push(...config.hosts.map((h) => `swarm-node ${h.address} ready ${h.name === "h1" ? "manager" : "worker"} active id-${h.name}`));
        lines.push("overlay overlay true swarm");
    }
    return parseFacts(lines.join("\n"));
}

function healthyCluster(): ClusterFacts {
    return {
        hosts: new Map(config.hosts.map((h) => [h.name, healthy(h.name)])),
        mesos: { leader: "master@10.77.0.12:5050", version: "1.11.0", slaves: ["10.77.0.14", "10.77.0.15"].map((hostname) => ({ hostname, active: true, attributes: { lab: "true" } })) },
        uploader: { listing: 403 },
    };
}

const differences = (facts: ClusterFacts) => checkCluster(config, outputs, facts).filter((r) => !r.ok)
    .map((r) => `${r.host} ${r.component}: ${r.check}: ${r.detail}`);

describe("npm run check's comparison", () => {
    it("finds nothing on a cluster that is what the stack says", () => {
        const results = checkCluster(config, outputs, healthyCluster());
        expect(results.filter((r) => !r.ok)).toEqual([]);
        expect(results.length).toBeGreaterThan(30);
    });

    it("names a stopped ZooKeeper, a swarm node that left and a missing image, each with the step that repairs it", () => {
        const facts = healthyCluster();
        (facts.hosts.get("h3") as HostFacts).set("zookeeper", ["down"]);
        (facts.hosts.get("h4") as HostFacts).set("swarm", ["inactive "]);
        (facts.hosts.get("h1") as HostFacts).set("swarm-node", (facts.hosts.get("h1") as HostFacts).get("swarm-node")!
            .map((line) => line.startsWith("10.77.0.14 ") ? "10.77.0.14 down worker active id-h4" : line));
        (facts.hosts.get("h5") as HostFacts).set("image", ["absent"]);
        expect(differences(facts)).toEqual([
            "h3 zookeeper: serving: srvr: down",
            "h4 swarm: node active: LocalNodeState inactive",
            "h5 worker image: twister2-worker:abc: missing, expected sha256:5555",
            "h4 swarm: listed Ready as worker: not Ready in docker node ls",
        ]);
        const urns = new Map(["zookeeper-h3-server", "swarm-join-h4", "worker-image-h5"].map((n) => [n, `urn:pulumi:dev::twister2-cluster::x::${n}`]));
        const plan = repairPlan(checkCluster(config, outputs, facts), urns, "dev");
        expect(plan.pulumiUp).toBe("pulumi up --stack dev " + ["zookeeper-h3-server", "swarm-join-h4", "worker-image-h5"]
            .map((n) => `--replace 'urn:pulumi:dev::twister2-cluster::x::${n}'`).join(" "));
        expect(plan.commands).toEqual([]);
        expect(plan.unknown).toEqual([]);
    });

    it("repairs the first manager's node with swarm-init, the step that made it, and names a missing step once", () => {
        const facts = healthyCluster();
        (facts.hosts.get("h1") as HostFacts).set("swarm", ["inactive "]);
        (facts.hosts.get("h1") as HostFacts).set("swarm-node", []);
        const plan = repairPlan(checkCluster(config, outputs, facts), new Map([["swarm-init", "urn:x::swarm-init"]]), "dev");
        expect(plan.pulumiUp).toBe("pulumi up --stack dev --replace 'urn:x::swarm-init'");
        const missing = repairPlan(checkCluster(config, outputs, facts), new Map(), "dev");
        // h1's two differences name swarm-init, once; no node lists the others either.
        expect(missing.unknown).toEqual(["swarm-init", ...["h2", "h3", "h4", "h5"].map((h) => `swarm-join-${h}`)]);
    });

    it("names an unreachable host, a Mesos agent missing at the leader, nodes not the stack's, and a listing the uploader serves", () => {
        const facts = healthyCluster();
        facts.hosts.set("h2", { error: "ssh: connect to host 10.77.0.12 port 22: No route to host" });
        facts.mesos = { leader: "master@10.77.0.11:5050", slaves: [{ hostname: "10.77.0.14", active: true, attributes: {} }, { hostname: "10.9.9.9", active: true, attributes: {} }, { hostname: "10.9.9.8", active: false, attributes: {} }] };
        (facts.hosts.get("h1") as HostFacts).get("swarm-node")!.push("10.9.9.9 ready worker active stray");
        facts.uploader = { listing: 200 };
        const found = differences(facts);
        expect(found).toEqual(expect.arrayContaining([
            "h2 host: reachable over SSH: ssh: connect to host 10.77.0.12 port 22: No route to host",
            "h4 mesos: agent active at the leader: attributes none, expected lab:true",
            "h5 mesos: agent active at the leader: not registered",
            "mesos mesos: no agent other than the stack's: agent 10.9.9.9 is registered",
            "mesos mesos: no agent other than the stack's: agent 10.9.9.8 is registered, inactive",
            "h1 swarm: no node other than the stack's: node stray (10.9.9.9, ready worker) is not one of the stack's hosts",
            "h2 uploader: GET http://10.77.0.12:8082/twister2/mesos/ refuses a listing: HTTP 200",
        ]));
        const plan = repairPlan(checkCluster(config, outputs, facts), new Map(), "dev");
        // The node that is not the stack's goes when swarm-members runs again.
        expect(plan.unknown).toEqual(expect.arrayContaining(["mesos-h4-agent", "mesos-h5-agent", "swarm-members", "uploader-server"]));
    });
});
