// ZookeeperEnsemble under mocks, built from its args: servers configured side by side in id order, the
// rolling restart chained up the ids and back down, the connect string, and the quorum rule.
import { beforeAll, describe, expect, it } from "vitest";
import { zookeeperPorts, zookeeperScripts } from "./component";
import { ZookeeperEnsemble } from "./zookeeperEnsemble";
import { runsScript } from "../../framework/remote/remote";
import { labHosts, scratchDir } from "../../test/unit/fixtures";
import { hostScriptType, installMocks, optionsRecorder, RecordedResource, testRemote, valueOf } from "../../test/unit/mocks";

const { keyFile } = scratchDir();
const [h1, h2, h3, h4] = labHosts(keyFile, 4).map((h) => ({ ...h, port: 22 }));
const timing = { tickTime: 3000, initLimit: 12, syncLimit: 6 };
// In id order: h3 (2), h1 (5), h2 (9).
const servers = "SERVERS='2=10.77.0.13 5=10.77.0.11 9=10.77.0.12'";

const { declared, logOptions, dependsOnNames } = optionsRecorder();
const declaredMatching = (pattern: RegExp) => [...declared.keys()].filter((name) => pattern.test(name));

let recorded: RecordedResource[];
let ensemble: ZookeeperEnsemble;
let solo: ZookeeperEnsemble;
const named = (name: string) => recorded.find((r) => r.name === name)!;

beforeAll(async () => {
    recorded = installMocks("unit-zookeeper");
    const remote = testRemote("unit-zookeeper");
    // Given out of id order.
    ensemble = new ZookeeperEnsemble("zk", { remote, ...timing, servers: [{ host: h1, id: 5 }, { host: h2, id: 9 }, { host: h3, id: 2 }] },
        { transformations: [logOptions] });
    solo = new ZookeeperEnsemble("solo", { remote, tickTime: 2000, initLimit: 10, syncLimit: 5, servers: [{ host: h4, id: 1 }] },
        { transformations: [logOptions] });
    remote.writeBundle();
    await Promise.all([valueOf(ensemble.connectString), valueOf(solo.connectString)]);
});

describe("ZookeeperEnsemble", () => {
    it("configures one server per host, in id order, each with its id, every member and the timing, and removes it on destroy", () => {
        expect(recorded.filter((r) => r.type === "twister2:cluster:ZookeeperEnsemble").map((r) => r.name).sort()).toEqual(["solo", "zk"]);
        expect(declaredMatching(/^zk-.*-server$/)).toEqual(["zk-h3-server", "zk-h1-server", "zk-h2-server"]);
        for (const [host, id] of [[h3, 2], [h1, 5], [h2, 9]] as const) {
            const server = named(`zk-${host.name}-server`);
            expect(server.type).toBe(hostScriptType);
            expect(server.inputs.connection.host).toBe(host.address);
            expect(runsScript(server.inputs.create, zookeeperScripts.configure)).toBe(true);
            const create = String(server.inputs.create);
            for (const setting of [`SERVER_ID=${id}`, servers, "TICK_TIME=3000", "INIT_LIMIT=12", "SYNC_LIMIT=6",
                `CLIENT_PORT=${zookeeperPorts.client}`, `QUORUM_PORT=${zookeeperPorts.quorum}`, `ELECTION_PORT=${zookeeperPorts.election}`]) {
                expect(create).toContain(setting);
            }
            expect(runsScript(server.inputs.delete, zookeeperScripts.remove)).toBe(true);
            expect(server.inputs.stdin).toBeUndefined();
        }
        expect(Object.keys(ensemble.versions)).toEqual(["h3", "h1", "h2"]);
    });

    it("configures the servers side by side: each waits only for its host's setup", async () => {
        for (const host of ["h1", "h2", "h3"]) expect(await dependsOnNames(`zk-${host}-server`)).toEqual([`host-setup-${host}`]);
    });

    it("restarts as a chain up the ids and back down, each step after the one before, the first after every server", async () => {
        const chain = declaredMatching(/^zk-h\d-restart/);
        expect(chain).toEqual(["zk-h3-restart-followers", "zk-h1-restart-followers", "zk-h2-restart", "zk-h1-restart-leader", "zk-h3-restart-leader"]);
        expect(await dependsOnNames(chain[0])).toEqual(["zk-h3-server", "zk-h1-server", "zk-h2-server"]);
        for (let i = 1; i < chain.length; i++) expect(await dependsOnNames(chain[i]), chain[i]).toEqual([chain[i - 1]]);
    });

    it("runs the restart script with each server's id and round, the ensemble's settings, and the last step waiting for the ensemble", () => {
        const expected = [["zk-h3-restart-followers", h3, 2, "followers"], ["zk-h1-restart-followers", h1, 5, "followers"],
            ["zk-h2-restart", h2, 9, "turn"], ["zk-h1-restart-leader", h1, 5, "leader"], ["zk-h3-restart-leader", h3, 2, "leader"]] as const;
        for (const [i, [name, host, id, round]] of expected.entries()) {
            const step = named(name);
            expect(step.inputs.connection.host, name).toBe(host.address);
            expect(runsScript(step.inputs.create, zookeeperScripts.restart), name).toBe(true);
            const create = String(step.inputs.create);
            expect(create).toContain(`SERVER_ID=${id}`);
            expect(create).toContain(`ROUND=${round}`);
            // The ensemble's settings: a change of them runs the chain again.
            for (const setting of [servers, "TICK_TIME=3000", "INIT_LIMIT=12", "SYNC_LIMIT=6", `CLIENT_PORT=${zookeeperPorts.client}`]) {
                expect(create, name).toContain(setting);
            }
            expect(create.includes("WAIT_FOR_ENSEMBLE=true"), name).toBe(i === expected.length - 1);
            expect(step.inputs.delete, name).toBeUndefined();
        }
    });

    it("gives clients address:2181 of every server, in id order", async () => {
        expect(await valueOf(ensemble.connectString)).toBe("10.77.0.13:2181,10.77.0.11:2181,10.77.0.12:2181");
    });

    it("runs a single server's restart in its turn, waiting for the ensemble", async () => {
        expect(declaredMatching(/^solo-/)).toEqual(["solo-h4-server", "solo-h4-restart"]);
        const restart = String(named("solo-h4-restart").inputs.create);
        for (const setting of ["SERVER_ID=1", "SERVERS=1=10.77.0.14", "ROUND=turn", "WAIT_FOR_ENSEMBLE=true"]) expect(restart).toContain(setting);
        expect(await dependsOnNames("solo-h4-restart")).toEqual(["solo-h4-server"]);
        expect(await valueOf(solo.connectString)).toBe("10.77.0.14:2181");
    });

    it("refuses 2 servers and none, before declaring any step", () => {
        const remote = testRemote("unit-zookeeper-refused");
        const opts = { transformations: [logOptions] };
        expect(() => new ZookeeperEnsemble("pair", { remote, ...timing, servers: [{ host: h1, id: 1 }, { host: h2, id: 2 }] }, opts))
            .toThrow("a ZooKeeper ensemble's servers needs 1, 3 or more, got 2");
        expect(() => new ZookeeperEnsemble("none", { remote, ...timing, servers: [] }, opts))
            .toThrow("a ZooKeeper ensemble's servers needs 1, 3 or more, got 0");
        expect(declaredMatching(/^(pair|none)-/)).toEqual([]);
    });
});
