// ImageRegistry: its config is refused with the setting and the fix; the role is one host's; without it
// a cluster of several agents is warned that each builds its own image. (Its steps under mocks: the dev
// stack's test in ../worker-image/twister2WorkerImage.test.ts, which deploys it with the image.)
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "..";
import type { RawConfig } from "../../framework/config/stackConfig";
import { configProblems, labHosts, scratchDir } from "../../test/unit/fixtures";

const { dir, keyFile } = scratchDir();
const repoKey = path.join(dir, "repo.asc");
fs.writeFileSync(repoKey, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZfake\n-----END PGP PUBLIC KEY BLOCK-----\n");

const good = (registry?: RawConfig["registry"], roles: Record<string, string[]> = { h1: ["zookeeper", "mesos-master", "registry"], h2: ["mesos-agent"], h3: ["mesos-agent"] }): RawConfig => ({
    hosts: labHosts(keyFile, 3),
    roles,
    zookeeper: { serverIds: { h1: 1 } },
    mesos: { repository: { keyFile: repoKey } },
    registry,
});

describe("registry config", () => {
    it("pulls on 5000 and pushes on 5001 by default, and warns of no one when a host has the role", () => {
        const config = parseStackConfig(good(), dir);
        expect(config.registry).toEqual({ port: 5000, pushPort: 5001 });
        expect(config.warnings.filter((w) => w.includes("registry"))).toEqual([]);
    });

    const cases: [string, RawConfig, RegExp][] = [
        ["one port for both", good({ port: 5000, pushPort: 5000 }), /^registry\.pushPort: 5000 is also registry\.port; the push port is another \(default 5001\)$/],
        ["SSH's port", good({ port: 22 }), /^registry\.port: 22 is SSH's port on h1; choose another port \(default 5000\)$/],
        ["ZooKeeper's port", good({ pushPort: 2181 }), /^registry\.pushPort: 2181 is ZooKeeper's client port; choose another port for the registry \(default 5001\)$/],
        ["no port", good({ port: 70000 }), /^registry\.port: 70000 is not a TCP port \(1-65535\); the default is 5000$/],
        ["a second registry host", good(undefined, { h1: ["zookeeper", "mesos-master", "registry"], h2: ["mesos-agent", "registry"] }), /^roles: 2 hosts are registry \(h1, h2\); give exactly one host the registry role$/],
    ];
    for (const [what, config, expected] of cases) {
        it(`refuses ${what}`, () => {
            const problems = configProblems(config, dir);
            expect(problems).toHaveLength(1);
            expect(problems[0]).toMatch(expected);
        });
    }

    it("warns a cluster of several agents without a registry that each builds its own image", () => {
        const { warnings } = parseStackConfig(good(undefined, { h1: ["zookeeper", "mesos-master"], h2: ["mesos-agent"], h3: ["mesos-agent"] }), dir);
        expect(warnings).toContainEqual(expect.stringMatching(/^workerImage: no host has the registry role, so each of the 2 Mesos agents builds its own worker image/));
        const single = parseStackConfig(good(undefined, { h1: ["zookeeper", "mesos-master"], h2: ["mesos-agent"] }), dir);
        expect(single.warnings.filter((w) => w.includes("registry role"))).toEqual([]);
    });
});
