// npm run forget-host's choice of what acts on a dead host, and the state without it.
import { describe, expect, it } from "vitest";
import { Deployment, dialled, resourcesOnHost, StateResource, withoutResources } from "./forget";

const secret = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", plaintext: JSON.stringify(value) });
const urn = (type: string, name: string) => `urn:pulumi:dev::twister2-cluster::${type}::${name}`;
const step = (name: string, host: string, extra: Partial<StateResource> = {}): StateResource => ({
    urn: urn("command:remote:Command", name), type: "command:remote:Command", custom: true,
    inputs: { connection: secret({ host, port: 22, user: "deploy", privateKey: "KEY" }), create: `... '${host}/x.sh'` }, ...extra,
});
const dockerProvider: StateResource = {
    urn: urn("pulumi:providers:docker", "worker-image-h5"), type: "pulumi:providers:docker", custom: true, id: "p5",
    inputs: { host: "ssh://deploy@10.77.0.15:22" },
};
const image: StateResource = {
    urn: urn("docker:index/image:Image", "worker-image-h5-build"), type: "docker:index/image:Image", custom: true,
    provider: `${dockerProvider.urn}::p5`,
};
const join = step("swarm-join-h5", "10.77.0.15");
const members = step("swarm-members", "10.77.0.11", { dependencies: [join.urn], propertyDependencies: { create: [join.urn] } });
const nfsServer = step("nfs-server", "10.77.0.13", { dependencies: [join.urn, members.urn], propertyDependencies: { create: [join.urn] }, deletedWith: join.urn });
const deployment: Deployment = {
    resources: [{ urn: urn("pulumi:pulumi:Stack", "twister2-cluster-dev"), type: "pulumi:pulumi:Stack" }, join, members, dockerProvider, image, nfsServer],
    pending_operations: [{ resource: join, type: "creating" }, { resource: nfsServer, type: "updating" }],
};

describe("forget-host", () => {
    it("dials a host as its steps do: directly, or through the bastion their connection names (a dead host's liveness is asked there)", () => {
        expect(dialled(join)).toEqual({ address: "10.77.0.15", port: 22 });
        const behind = step("swarm-join-h4", "10.77.0.14", {
            inputs: { connection: secret({ host: "10.77.0.14", port: 22, user: "deploy", proxy: { host: "10.77.0.10", port: 2222, user: "jump" } }) },
        });
        expect(dialled(behind)).toEqual({ address: "10.77.0.14", port: 22, via: { address: "10.77.0.10", port: 2222 } });
        expect(dialled(dockerProvider)).toEqual({ address: "10.77.0.15", port: 22 });
    });

    it("picks the steps that dial the host, its Docker provider and what that provider manages: not the first manager's step about it", () => {
        expect(resourcesOnHost(deployment, "10.77.0.15")).toEqual([join.urn, dockerProvider.urn, image.urn]);
        expect(resourcesOnHost(deployment, "10.77.0.99")).toEqual([]);
    });

    it("drops them from the resources and pending operations, and every reference to them from the rest", () => {
        const after = withoutResources(deployment, resourcesOnHost(deployment, "10.77.0.15"));
        expect(after.resources!.map((r) => r.urn)).toEqual([deployment.resources![0].urn, members.urn, nfsServer.urn]);
        // The first manager's step about the node stays, no longer waiting for it: the next up runs it without the node.
        expect(after.resources!.find((r) => r.urn === members.urn)!.propertyDependencies).toEqual({ create: [] });
        const server = after.resources!.find((r) => r.urn === nfsServer.urn)!;
        expect(server.dependencies).toEqual([members.urn]);
        expect(server.propertyDependencies).toEqual({ create: [] });
        expect(server.deletedWith).toBeUndefined();
        expect(after.pending_operations!.map((op) => op.resource.urn)).toEqual([nfsServer.urn]);
        // The input is left as it was.
        expect(deployment.resources).toHaveLength(6);
        expect(nfsServer.dependencies).toHaveLength(2);
    });
});
