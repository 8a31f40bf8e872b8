import { describe, expect, it } from "vitest";
import type { Deployment } from "../forget-host/forget";
import { pendingNetworks, refreshArguments } from "./recover";

const stackUrn = "urn:pulumi:dev::twister2-cluster";
const provider = { urn: `${stackUrn}::pulumi:providers:docker::overlay-docker`, type: "pulumi:providers:docker", id: "p1",
    inputs: { host: "ssh://deploy@10.77.0.11:22" } };
const network = { urn: `${stackUrn}::twister2:cluster:OverlayNetwork$docker:index/network:Network::overlay-network`,
    type: "docker:index/network:Network", provider: `${provider.urn}::p1`, inputs: { name: "mesos-overlay" } };
const join = { urn: `${stackUrn}::twister2:cluster:SwarmCluster$command:remote:Command::swarm-join-h2`, type: "command:remote:Command" };

describe("recover", () => {
    it("finds a Docker network a killed run was creating, and the engine it was being created on", () => {
        const deployment: Deployment = {
            resources: [provider],
            pending_operations: [{ resource: network, type: "creating" }, { resource: join, type: "creating" }],
        };
        expect(pendingNetworks(deployment)).toEqual([{ urn: network.urn, name: "mesos-overlay", address: "10.77.0.11" }]);
    });

    it("leaves networks being updated or deleted alone: those are in the state already", () => {
        expect(pendingNetworks({ resources: [provider], pending_operations: [{ resource: network, type: "updating" }] })).toEqual([]);
    });

    it("imports what the engine has and clears every other pending create", () => {
        expect(refreshArguments([{ urn: network.urn, id: "abc123" }])).toEqual([
            "refresh", "--yes", "--skip-preview", "--clear-pending-creates", "--import-pending-creates", network.urn, "abc123"]);
        expect(refreshArguments([])).toEqual(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]);
    });
});
