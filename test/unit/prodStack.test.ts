// Pulumi.prod.yaml, the real-cluster example, validates and previews under mocks (never deployed).
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { scratchDir, stackConfigFile } from "./fixtures";
import { installMocks, RecordedResource, valueOf } from "./mocks";

let recorded: RecordedResource[];
let program: Record<string, any>;

beforeAll(async () => {
    recorded = installMocks("prod");
    const { keyFile } = scratchDir();
    pulumi.runtime.setAllConfig(stackConfigFile(path.join(__dirname, "..", "..", "Pulumi.prod.yaml"), (config) => {
        // The operator's key is not on this machine; everything else is as committed.
        for (const host of config["twister2-cluster:hosts"]) host.privateKeyFile = keyFile;
    }));
    program = await import("../../index");
    await valueOf(program.swarmNodeIds);
});

describe("the prod stack example", () => {
    it("installs docker-ce on all five hosts and builds a swarm of three managers", () => {
        const engines = recorded.filter((r) => r.name.endsWith("-engine"));
        expect(engines).toHaveLength(5);
        for (const engine of engines) expect(engine.inputs.create).toContain("DOCKER_SOURCE='docker-ce'");
        const joins = recorded.filter((r) => r.name.startsWith("swarm-join-node"));
        expect(joins.map((j) => /ROLE='(\w+)'/.exec(j.inputs.create)![1]).sort()).toEqual(["manager", "manager", "worker", "worker"]);
    });

    it("runs a three-server ZooKeeper ensemble", () => {
        expect(recorded.filter((r) => r.name.startsWith("zookeeper-") && r.name.endsWith("-server"))).toHaveLength(3);
    });

    it("encrypts the overlay network", () => {
        const network = recorded.find((r) => r.name === "overlay-network")!;
        expect(network.inputs.create).toContain("ENCRYPTED='true'");
    });
});
