// SwarmCluster and OverlayNetwork under mocks, built from their args: init on the first manager, joins with
// the role's token on stdin only, the node list kept on the first manager, the quorum rule, and the overlay
// network made through the first manager's engine over SSH.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { DockerHost } from "../docker/dockerHost";
import { swarmJoinAddress, swarmScripts } from "./component";
import { OverlayNetwork } from "./overlayNetwork";
import { SwarmCluster } from "./swarmCluster";
import { runsScript } from "../../framework/remote/remote";
import { labHosts, scratchDir } from "../../test/unit/fixtures";
import { fakeTokens, hostScriptType, installMocks, optionsRecorder, RecordedResource, testRemote, valueOf } from "../../test/unit/mocks";

const { keyFile } = scratchDir();
const hosts = labHosts(keyFile, 6).map((h) => ({ ...h, port: 22 }));
const host = (name: string) => hosts.find((h) => h.name === name)!;

const { declared, logOptions, nameOf, dependsOnNames } = optionsRecorder();

let recorded: RecordedResource[];
let dockers: Record<string, DockerHost>;
let swarm: SwarmCluster;
let solo: SwarmCluster;
let overlay: OverlayNetwork;
let plain: OverlayNetwork;
let knownHostsFile: string;
const named = (name: string) => recorded.find((r) => r.name === name)!;

beforeAll(async () => {
    recorded = installMocks("unit-swarm");
    const remote = testRemote("unit-swarm");
    knownHostsFile = remote.knownHostsFile;
    dockers = Object.fromEntries(hosts.map((h) => [h.name,
        new DockerHost(`docker-${h.name}`, { remote, host: h, source: "docker.io", daemonJson: {}, socketUsers: [h.user] })]));
    // Listed out of name order: the first in the list is the first manager, and the node list is sorted.
    swarm = new SwarmCluster("swarm", { remote, managers: [dockers.h2, dockers.h3, dockers.h1], workers: [dockers.h5, dockers.h4] },
        { transformations: [logOptions] });
    solo = new SwarmCluster("solo", { remote, managers: [dockers.h6], workers: [] }, { transformations: [logOptions] });
    overlay = new OverlayNetwork("overlay", { swarm, networkName: "mesos-overlay", subnet: "10.78.0.0/24", vxlanId: 4194304, encrypted: true },
        { transformations: [logOptions] });
    plain = new OverlayNetwork("plain", { swarm: solo, networkName: "twister2-net", vxlanId: 5000, encrypted: false }, { transformations: [logOptions] });
    remote.writeBundle();
    await Promise.all([valueOf(swarm.nodeIds), valueOf(solo.nodeIds), valueOf(overlay.networkId), valueOf(plain.networkId)]);
});

describe("SwarmCluster", () => {
    it("initialises the swarm on the first manager listed, advertising its address, and leaves on destroy", async () => {
        expect(recorded.filter((r) => r.type === "twister2:cluster:SwarmCluster").map((r) => r.name).sort()).toEqual(["solo", "swarm"]);
        expect(swarm.firstManager).toBe(dockers.h2);
        const init = named("swarm-init");
        expect(init.type).toBe(hostScriptType);
        expect(init.inputs.connection.host).toBe("10.77.0.12");
        expect(runsScript(init.inputs.create, swarmScripts.init)).toBe(true);
        expect(init.inputs.create).toContain("ADVERTISE_ADDR=10.77.0.12");
        expect(runsScript(init.inputs.delete, swarmScripts.leave)).toBe(true);
        expect(init.inputs.stdin).toBeUndefined();
        expect(recorded.filter((r) => r.type === hostScriptType && runsScript(r.inputs.create, swarmScripts.init)).map((r) => r.name).sort())
            .toEqual(["solo-init", "swarm-init"]);
        // After the engine on its host.
        expect(await dependsOnNames("swarm-init")).toEqual(["docker-h2-engine"]);
    });

    it("keeps the init's result (the join tokens) secret: shows only its stderr", () => {
        expect(named("swarm-init").inputs.logging).toBe("stderr");
        expect(declared.get("swarm-init")?.additionalSecretOutputs).toContain("stdout");
        // The other steps' results (node ids) show.
        for (const name of ["swarm-join-h3", "swarm-join-h4", "swarm-members"]) {
            expect(named(name).inputs.logging, name).toBeUndefined();
            expect(declared.get(name)?.additionalSecretOutputs ?? [], name).not.toContain("stdout");
        }
    });

    it("joins the other managers with the manager token and the workers with the worker token, on stdin as a secret", async () => {
        for (const [name, role, token] of [["h3", "manager", fakeTokens.manager], ["h1", "manager", fakeTokens.manager],
            ["h5", "worker", fakeTokens.worker], ["h4", "worker", fakeTokens.worker]]) {
            const join = named(`swarm-join-${name}`);
            expect(join.inputs.connection.host, name).toBe(host(name).address);
            expect(runsScript(join.inputs.create, swarmScripts.join), name).toBe(true);
            expect(join.inputs.create).toContain(`JOIN_ADDRESS=${swarmJoinAddress(host("h2"))}`);
            expect(join.inputs.create).toContain(`ADVERTISE_ADDR=${host(name).address}`);
            expect(join.inputs.create).toContain(`ROLE=${role}`);
            expect(join.inputs.stdin).toBe(token);
            expect(join.secretPaths).toContain("stdin");
            // A node changes role by leaving and joining again.
            expect(join.inputs.triggers).toEqual([role]);
            expect(runsScript(join.inputs.delete, swarmScripts.leave), name).toBe(true);
            for (const text of [join.inputs.create, join.inputs.delete]) {
                expect(text).not.toContain(fakeTokens.manager);
                expect(text).not.toContain(fakeTokens.worker);
            }
            expect(await dependsOnNames(`swarm-join-${name}`)).toEqual([`docker-${name}-engine`]);
        }
        expect(recorded.find((r) => r.name === "swarm-join-h2")).toBeUndefined();
        expect(recorded.find((r) => r.name === "swarm-join-h6")).toBeUndefined();
    });

    it("hands out the tokens the init printed as secret Outputs, and the first manager's address in the clear", async () => {
        expect(await valueOf(swarm.workerToken)).toBe(fakeTokens.worker);
        expect(await valueOf(swarm.managerToken)).toBe(fakeTokens.manager);
        expect(await pulumi.isSecret(swarm.workerToken)).toBe(true);
        expect(await pulumi.isSecret(swarm.managerToken)).toBe(true);
        expect(await valueOf(swarm.managerAddress)).toBe("10.77.0.12");
        expect(await valueOf(swarm.joinAddress)).toBe("10.77.0.12:2377");
        expect(await pulumi.isSecret(swarm.joinAddress)).toBe(false);
    });

    it("maps each host to the node id its step printed", async () => {
        expect(await valueOf(swarm.nodeIds)).toEqual({
            h2: "node-swarm-init", h3: "node-swarm-join-h3", h1: "node-swarm-join-h1", h5: "node-swarm-join-h5", h4: "node-swarm-join-h4",
        });
        expect(await valueOf(solo.nodeIds)).toEqual({ h6: "node-solo-init" });
    });

    it("holds the node list to the stack's nodes on the first manager, with the ids sorted", async () => {
        const members = named("swarm-members");
        expect(members.inputs.connection.host).toBe("10.77.0.12");
        expect(runsScript(members.inputs.create, swarmScripts.members)).toBe(true);
        expect(members.inputs.create).toContain("NODE_IDS='node-swarm-init node-swarm-join-h1 node-swarm-join-h3 node-swarm-join-h4 node-swarm-join-h5'");
        expect(members.inputs.delete).toBeUndefined();
        expect(await nameOf(swarm.members)).toBe("swarm-members");
        expect(await dependsOnNames("swarm-members")).toEqual(["swarm-init"]);
        expect(named("solo-members").inputs.create).toContain("NODE_IDS=node-solo-init");
    });

    it("refuses 2 managers and none, before declaring any step", () => {
        const remote = testRemote("unit-swarm-refused");
        const opts = { transformations: [logOptions] };
        expect(() => new SwarmCluster("pair", { remote, managers: [dockers.h1, dockers.h2], workers: [dockers.h3] }, opts))
            .toThrow("a swarm's managers needs 1, 3 or more, got 2");
        expect(() => new SwarmCluster("none", { remote, managers: [], workers: [dockers.h3] }, opts))
            .toThrow("a swarm's managers needs 1, 3 or more, got 0");
        expect([...declared.keys()].filter((name) => /^(pair|none)-/.test(name))).toEqual([]);
    });
});

describe("OverlayNetwork", () => {
    it("is an attachable overlay docker.Network with the name, subnet and encryption asked for, its VXLAN id and gateway given as Docker reports them", async () => {
        expect(recorded.filter((r) => r.type === "twister2:cluster:OverlayNetwork").map((r) => r.name).sort()).toEqual(["overlay", "plain"]);
        const network = named("overlay-network");
        expect(network.type).toBe("docker:index/network:Network");
        expect(network.inputs).toEqual({
            name: "mesos-overlay", driver: "overlay", attachable: true, ipamConfigs: [{ subnet: "10.78.0.0/24", gateway: "10.78.0.1" }],
            options: { "com.docker.network.driver.overlay.vxlanid_list": "4194304", encrypted: "" },
        });
        expect(await valueOf(overlay.networkName)).toBe("mesos-overlay");
        expect(await valueOf(overlay.networkId)).toBe("overlay-network-id");
    });

    it("leaves the subnet to Docker and the data plane clear unless asked", async () => {
        const network = named("plain-network");
        expect(network.inputs).toMatchObject({ name: "twister2-net", driver: "overlay", attachable: true });
        expect(network.inputs.ipamConfigs).toBeUndefined();
        expect(network.inputs.options).toEqual({ "com.docker.network.driver.overlay.vxlanid_list": "5000" });
        expect(await valueOf(plain.networkName)).toBe("twister2-net");
    });

    it("is made through a Docker provider for the first manager's engine over SSH, with the stack's pinned host keys", async () => {
        const provider = named("overlay-docker");
        expect(provider.type).toBe("pulumi:providers:docker");
        expect(provider.inputs.host).toBe("ssh://deploy@10.77.0.12:22");
        const sshOpts = JSON.parse(provider.inputs.sshOpts) as string[];
        expect(sshOpts).toEqual(expect.arrayContaining(["-F", "/dev/null", "-i", keyFile, `UserKnownHostsFile=${knownHostsFile}`, "StrictHostKeyChecking=yes"]));
        expect(named("plain-docker").inputs.host).toBe("ssh://deploy@10.77.0.16:22");
        const options = declared.get("overlay-network")!;
        expect(await nameOf(options.provider as pulumi.ProviderResource)).toBe("overlay-docker");
        expect(await nameOf(declared.get("plain-network")!.provider as pulumi.ProviderResource)).toBe("plain-docker");
    });

    it("is made once every node has joined, and removed before it is made again", async () => {
        expect(await dependsOnNames("overlay-network")).toEqual(["swarm-members"]);
        expect(await dependsOnNames("plain-network")).toEqual(["solo-members"]);
        expect(declared.get("overlay-network")?.deleteBeforeReplace).toBe(true);
    });
});
