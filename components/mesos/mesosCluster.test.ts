// MesosCluster under mocks: flags that Mesos 1.11 knows, the plan's quorum, authentication everywhere
// Mesos offers it, the secrets only on stdin and as secrets, and agents that wait for Docker on their host.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { agentFlags, masterFlags } from "./mesosCluster";
import { mesosScripts } from "./component";
import { runsScript } from "../../framework/remote/remote";
import { labHosts, scratchDir } from "../../test/unit/fixtures";
import { fakeAgentSecret, hostScriptType, installMocks, RecordedResource, settled, valueOf } from "../../test/unit/mocks";

// Copies of shared/reference/mesos-1.11.0-*-flags.txt (apache/mesos 1.11.0), shipped with the lab's stand-in.
const flagsDir = path.join(__dirname, "..", "..", "lab", "mesos-standin", "flags");
const flagNames = (file: string) => fs.readFileSync(path.join(flagsDir, file), "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
const common = flagNames("mesos-1.11.0-common-flags.txt");
const masterKnown = new Set([...flagNames("mesos-1.11.0-master-flags.txt"), ...common]);
const agentKnown = new Set([...flagNames("mesos-1.11.0-agent-flags.txt"), ...common]);

let recorded: RecordedResource[];
let program: Record<string, any>;
const named = (name: string) => recorded.find((r) => r.name === name);

beforeAll(async () => {
    recorded = installMocks("unit-mesos");
    const { dir, keyFile } = scratchDir();
    const repoKey = path.join(dir, "repo.asc");
    fs.writeFileSync(repoKey, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZfake\n-----END PGP PUBLIC KEY BLOCK-----\n");
    pulumi.runtime.setAllConfig({
        "twister2-cluster:hosts": JSON.stringify(labHosts(keyFile)),
        "twister2-cluster:roles": JSON.stringify({
            h1: ["zookeeper", "mesos-master"], h2: ["zookeeper", "mesos-master"], h3: ["zookeeper", "mesos-master"],
            h4: ["mesos-agent"], h5: ["mesos-agent"],
        }),
        "twister2-cluster:zookeeper": JSON.stringify({ serverIds: { h1: 1, h2: 2, h3: 3 } }),
        "twister2-cluster:docker": JSON.stringify({ source: "docker.io" }),
        "twister2-cluster:mesos": JSON.stringify({
            repository: { url: "http://10.77.0.1:3143/", package: "mesos-standin", keyFile: repoKey },
            agentFlagsDir: "/etc/mesos-slave",
            agentAttributes: { rack: "r1" },
            agentResources: "cpus:2;mem:2048",
        }),
    });
    process.chdir(dir);
    program = await import("../../index");
    await valueOf(program.mesosLeader);
    await settled(recorded);
});

describe("MesosCluster", () => {
    it("gives every master the plan's quorum, a majority of the masters", () => {
        for (const master of ["h1", "h2", "h3"]) expect(named(`mesos-${master}-master`)!.inputs.create).toContain("quorum=2");
    });

    it("writes only flags that Mesos 1.11 knows", () => {
        const [host, ...others] = labHosts("", 3).map((h) => ({ ...h, port: 22 }));
        const options = { masters: [host, ...others], quorum: 2, cluster: "c", workDir: "/var/lib/mesos", agentFlagsDir: "/etc/mesos-agent",
            executorRegistrationTimeout: "10mins", agentPrincipal: "p", frameworkPrincipal: "f", operatorPrincipal: "o", authenticateFrameworks: false, agentAttributes: { rack: "r1" }, agentResources: "cpus:1" };
        // zk (masters) and master (agents) come from /etc/mesos/zk.
        for (const flag of ["zk", ...Object.keys(masterFlags(host, options))]) expect(masterKnown, `master flag ${flag}`).toContain(flag);
        for (const flag of ["master", ...Object.keys(agentFlags(host, options))]) expect(agentKnown, `agent flag ${flag}`).toContain(flag);
        // The lists are real: a made-up flag is not in them.
        expect(masterKnown.has("agents_quorum")).toBe(false);
    });

    it("points masters and agents at ZooKeeper's /mesos and agents at the Docker containerizer", async () => {
        expect(await valueOf(program.mesosZkUrl)).toBe("zk://10.77.0.11:2181,10.77.0.12:2181,10.77.0.13:2181/mesos");
        const agent = String(named("mesos-h4-agent")!.inputs.create);
        expect(agent).toContain("ZK_URL=zk://10.77.0.11:2181,10.77.0.12:2181,10.77.0.13:2181/mesos");
        expect(agent).toContain("containerizers=docker,mesos");
        expect(agent).toContain("FLAGS_DIR=/etc/mesos-slave");
        expect(agent).toContain("attributes=rack:r1");
        expect(agent).toContain("resources=cpus:2;mem:2048");
        expect(program.mesosMasters).toEqual(["http://10.77.0.11:5050", "http://10.77.0.12:5050", "http://10.77.0.13:5050"]);
    });

    it("writes Twister2's conf/mesos with the ZooKeeper URL, the leader (else the first master) and the job master", async () => {
        const files = await valueOf(program.twister2ConfFiles as pulumi.Output<Record<string, string>>);
        const resource = YAML.parse(files["resource.yaml"]);
        expect(resource["twister2.resource.mesos.master.uri"]).toBe("zk://10.77.0.11:2181,10.77.0.12:2181,10.77.0.13:2181/mesos");
        // Under mocks the leader step prints nothing: the first master stands in.
        expect(resource["twister2.resource.mesos.master.host"]).toBe("10.77.0.11");
        expect(YAML.parse(files["core.yaml"])["twister2.job.master.ip"]).toBe("10.77.0.11");
    });

    it("generates the agent secret with random.RandomPassword, new only when the principal changes", () => {
        const secret = named("mesos-agent-secret")!;
        expect(secret.type).toBe("random:index/randomPassword:RandomPassword");
        expect(secret.inputs).toMatchObject({ length: 32, special: false, keepers: { principal: "twister2-agent" } });
    });

    it("hands the generated secrets over only on stdin, as secrets: a master all four, an agent its own and the operator's", () => {
        const steps = recorded.filter((r) => r.type === hostScriptType && /mesos-h\d-(master|agent)$/.test(r.name));
        expect(steps).toHaveLength(5);
        for (const step of steps) {
            expect(step.secretPaths).toContain("stdin");
            expect(String(step.inputs.create)).not.toContain(fakeAgentSecret);
            expect(step.inputs.stdin).toBe((step.name.endsWith("-master")
                ? ["agent twister2-agent", "framework twister2-framework", "operator twister2-operator", "zookeeper mesos"]
                : ["agent twister2-agent", "operator twister2-operator"]).map((line) => `${line} ${fakeAgentSecret}`).join("\n"));
        }
        for (const use of ["agent", "framework", "operator"]) {
            expect(named(`mesos-${use}-secret`)!.inputs, use).toMatchObject({ length: 32, special: false, keepers: { principal: `twister2-${use}` } });
        }
    });

    it("authenticates the read-write endpoints of masters and agents, and lets only the agents' principal register an agent", () => {
        const master = String(named("mesos-h1-master")!.inputs.create);
        expect(master).toContain("authenticate_http_readwrite=true");
        expect(master).toContain("authenticate_frameworks=false");
        const acls = JSON.parse(/acls=(\{.*\})/.exec(master)![1].replace(/'\\''/g, "'"));
        expect(acls).toEqual({ register_agents: [
            { principals: { values: ["twister2-agent"] }, agents: { type: "ANY" } },
            { principals: { type: "ANY" }, agents: { type: "NONE" } },
        ] });
        const agent = String(named("mesos-h4-agent")!.inputs.create);
        expect(agent).toContain("authenticate_http_readwrite=true");
        expect(agent).toContain("http_credentials=/etc/mesos/agent-http-credentials.json");
    });

    it("gives the operator's credential as a secret output", async () => {
        expect(await pulumi.isSecret(program.mesosOperator)).toBe(true);
        expect(await valueOf(program.mesosOperator)).toEqual({ principal: "twister2-operator", secret: fakeAgentSecret });
    });

    it("gives the masters ZooKeeper credentials of their own, in a file /etc/mesos/zk names, and the agents the plain URL", () => {
        expect(named("mesos-zookeeper-secret")!.inputs).toMatchObject({ length: 32, special: false });
        const create = (name: string) => String(named(name)!.inputs.create);
        expect(create("mesos-h1-master")).toContain("ZK_URL=file:///etc/mesos/zk-credentials.url");
        expect(create("mesos-h1-master")).toContain("ZK_CREDENTIALS_URL='/etc/mesos/zk-credentials.url zk://10.77.0.11:2181,10.77.0.12:2181,10.77.0.13:2181/mesos'");
        expect(create("mesos-h4-agent")).toContain("ZK_URL=zk://10.77.0.11:2181,10.77.0.12:2181,10.77.0.13:2181/mesos");
        expect(create("mesos-h4-agent")).not.toContain("ZK_CREDENTIALS_URL");
    });

    it("has each daemon wait for the masters: a master until one leads, an agent until the leader shows it active", () => {
        const daemons = recorded.filter((r) => r.type === hostScriptType && runsScript(r.inputs.create, mesosScripts.daemon));
        expect(daemons.map((d) => d.name).sort()).toEqual(["mesos-h1-master", "mesos-h2-master", "mesos-h3-master", "mesos-h4-agent", "mesos-h5-agent"]);
        for (const daemon of daemons) expect(daemon.inputs.create).toContain("MASTERS='10.77.0.11:5050 10.77.0.12:5050 10.77.0.13:5050'");
    });

    it("rolls the masters up in their order and back down, so that the one that leads restarts last, before the agents", () => {
        const rolls = recorded.filter((r) => r.type === hostScriptType && (runsScript(r.inputs.create, mesosScripts.masterRoll) || runsScript(r.inputs.create, mesosScripts.agentRoll)));
        expect(rolls.map((r) => r.name)).toEqual([
            "mesos-h1-master-roll-followers", "mesos-h2-master-roll-followers", "mesos-h3-master-roll",
            "mesos-h2-master-roll-leader", "mesos-h1-master-roll-leader", "mesos-h4-agent-roll", "mesos-h5-agent-roll",
        ]);
        expect(rolls.slice(0, 5).map((r) => /ROUND=(\w+)/.exec(r.inputs.create)?.[1])).toEqual(["followers", "followers", "turn", "leader", "leader"]);
        expect(rolls[0].inputs.create).toContain("MASTER=10.77.0.11:5050 ");
        expect(rolls[0].inputs.stdin).toBeUndefined();
    });

    it("rolls the agents one after another: a step each, after every agent's daemon, with the operator's credential on stdin", () => {
        const rolls = recorded.filter((r) => r.type === hostScriptType && runsScript(r.inputs.create, mesosScripts.agentRoll));
        expect(rolls.map((r) => [r.name, r.inputs.connection.host])).toEqual([["mesos-h4-agent-roll", "10.77.0.14"], ["mesos-h5-agent-roll", "10.77.0.15"]]);
        for (const roll of rolls) {
            expect(roll.inputs.create).toContain("GRACE_SECONDS=60");
            expect(roll.inputs.create).toContain(`AGENT=${roll.inputs.connection.host} `);
            expect(roll.inputs.stdin).toBe(`twister2-operator ${fakeAgentSecret}`);
            expect(roll.secretPaths).toContain("stdin");
            expect(roll.inputs.delete).toBeUndefined();
        }
    });

    it("installs Docker on the agents (the Docker containerizer needs it) but not on masters", () => {
        const engines = recorded.filter((r) => r.name.endsWith("-engine")).map((r) => r.name).sort();
        expect(engines).toEqual(["docker-h4-engine", "docker-h5-engine"]);
    });
});
