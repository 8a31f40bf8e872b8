// Pulumi.prod.yaml, the real-cluster example, validates and previews under mocks (never deployed).
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { scratchDir, stackConfigFile } from "./fixtures";
import { installMocks, RecordedResource, valueOf } from "./mocks";

let recorded: RecordedResource[];
let program: Record<string, any>;

beforeAll(async () => {
    recorded = installMocks("prod");
    const { dir, keyFile } = scratchDir();
    const repoKey = path.join(dir, "aventer-mesos.asc");
    fs.writeFileSync(repoKey, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZfake\n-----END PGP PUBLIC KEY BLOCK-----\n");
    pulumi.runtime.setAllConfig(stackConfigFile(path.join(__dirname, "..", "..", "Pulumi.prod.yaml"), (config) => {
        // The operator's key is not on this machine; everything else is as committed.
        for (const host of config["twister2-cluster:hosts"]) host.privateKeyFile = keyFile;
        config["twister2-cluster:mesos"].repository.keyFile = repoKey;
    }));
    program = await import("../../index");
    await valueOf(program.swarmNodeIds);
    await valueOf(program.mesosLeader);
});

describe("the prod stack example", () => {
    it("installs docker-ce on all five hosts, the release it pins, from Docker's repository for each host's release, and builds a swarm of three managers", () => {
        const engines = recorded.filter((r) => r.name.endsWith("-engine"));
        expect(engines).toHaveLength(5);
        for (const engine of engines) expect(engine.inputs.create).toContain("DOCKER_SOURCE=docker-ce");
        const setup = String(recorded.find((r) => r.name === "host-setup-node5")!.inputs.create);
        expect(setup).toContain("docker/dockerd docker-ce=5:27.3.1-1~debian.12~bookworm docker-ce-cli=5:27.3.1-1~debian.12~bookworm containerd.io");
        expect(setup).toContain("REPOSITORIES='docker docker https://download.docker.com/linux/{ID}/gpg https://download.docker.com/linux/{ID} {VERSION_CODENAME} stable\n");
        const joins = recorded.filter((r) => r.name.startsWith("swarm-join-node"));
        expect(joins.map((j) => /ROLE=(\w+)/.exec(j.inputs.create)![1]).sort()).toEqual(["manager", "manager", "worker", "worker"]);
    });

    it("runs a three-server ZooKeeper ensemble", () => {
        expect(recorded.filter((r) => r.name.startsWith("zookeeper-") && r.name.endsWith("-server"))).toHaveLength(3);
    });

    it("installs AVENTER's Mesos on three masters (quorum 2) and two agents", () => {
        const setup = String(recorded.find((r) => r.name === "host-setup-node1")!.inputs.create);
        expect(setup).toContain("mesos-master aventer-mesos curl jq");
        expect(setup).toMatch(/REPOSITORIES='[^']*\nmesos-master twister2-mesos [0-9a-f]{16}-twister2-mesos\.asc http:\/\/rpm\.aventer\.biz\/Debian bookworm main'/);
        const masters = recorded.filter((r) => /^mesos-node\d-master$/.test(r.name));
        expect(masters).toHaveLength(3);
        for (const master of masters) expect(master.inputs.create).toContain("quorum=2");
        expect(recorded.filter((r) => /^mesos-node\d-agent$/.test(r.name))).toHaveLength(2);
    });

    it("encrypts the overlay network", () => {
        const network = recorded.find((r) => r.name === "overlay-network")!;
        expect(network.inputs.options).toEqual({ "com.docker.network.driver.overlay.vxlanid_list": "4194304", encrypted: "" });
    });
});
