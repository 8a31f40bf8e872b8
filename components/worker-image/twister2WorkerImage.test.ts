// Twister2WorkerImage: its config is refused with the setting and the fix; under mocks, without a registry
// one build step per Mesos agent (after its Docker engine), the build context and settings in the command, a
// tag that follows the content; the lab's dev stack, with its registry on h1: one build there from the lab's
// rootfs, pushed with the push account, and a pull by digest on each agent with the pull account.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { DockerHost } from "../docker/dockerHost";
import { parseStackConfig } from "..";
import { checkComponent, RawConfig } from "../../framework/config/stackConfig";
import { workerImage as workerImageComponent } from "./component";
import { Twister2WorkerImage } from "./twister2WorkerImage";
import { configProblems, labHosts, scratchDir, stackConfigFile } from "../../test/unit/fixtures";
import { fakeAgentSecret, fakeDigest, fakeRegistryCa, hostScriptType, installMocks, RecordedResource, settled, testRemote, valueOf } from "../../test/unit/mocks";
import { registryScripts } from "../registry/component";
import { runsScript } from "../../framework/remote/remote";
import { workerImageScripts } from "./component";

const { dir, keyFile } = scratchDir();
const repoKey = path.join(dir, "repo.asc");
fs.writeFileSync(repoKey, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZfake\n-----END PGP PUBLIC KEY BLOCK-----\n");
const contextDir = path.join(__dirname, "image");

const good = (workerImage?: RawConfig["workerImage"]): RawConfig => ({
    hosts: labHosts(keyFile, 3),
    roles: { h1: ["zookeeper", "mesos-master"], h2: ["mesos-agent"], h3: ["mesos-agent"] },
    zookeeper: { serverIds: { h1: 1 } },
    mesos: { repository: { keyFile: repoKey } },
    workerImage,
});

describe("workerImage config", () => {
    it("defaults to twister2-worker on debian:bookworm-slim, with no import and no proxy", () => {
        expect(parseStackConfig(good(), dir).workerImage).toEqual({
            name: "twister2-worker", baseImage: "debian:bookworm-slim", baseImageUrl: undefined, aptProxy: undefined,
        });
    });

    it("takes a base image to import and an apt proxy (the lab)", () => {
        expect(parseStackConfig(good({
            name: "registry.example:5000/t2/worker", baseImage: "twister2-lab/debian:bookworm",
            baseImageUrl: "http://10.77.0.1:3143/images/debian-bookworm.tar", aptProxy: "http://10.77.0.1:3142",
        }), dir).workerImage).toEqual({
            name: "registry.example:5000/t2/worker", baseImage: "twister2-lab/debian:bookworm",
            baseImageUrl: "http://10.77.0.1:3143/images/debian-bookworm.tar", aptProxy: "http://10.77.0.1:3142",
        });
    });

    it("accepts Docker references with a registry, a tag or a digest", () => {
        for (const baseImage of ["debian", "debian:12", "docker.io/library/debian:bookworm-slim", "localhost:5000/base/debian:12.5",
            `debian@sha256:${"a".repeat(64)}`]) {
            expect(checkComponent(workerImageComponent, { baseImage }, [], dir).problems, baseImage).toEqual([]);
        }
    });

    const cases: [string, RawConfig["workerImage"], RegExp][] = [
        ["an upper-case base image", { baseImage: "Debian:Bookworm" }, /^workerImage\.baseImage: 'Debian:Bookworm' is not a Docker image reference such as debian:bookworm-slim$/],
        ["a base image with a space", { baseImage: "debian bookworm" }, /^workerImage\.baseImage: 'debian bookworm' is not a Docker image reference/],
        ["an empty base image", { baseImage: "" }, /^workerImage\.baseImage: '' is not a Docker image reference/],
        ["a base image that is no string", { baseImage: 12 }, /^workerImage\.baseImage: '12' is not a Docker image reference/],
        ["a name with a tag", { name: "twister2-worker:1.0" }, /^workerImage\.name: 'twister2-worker:1\.0' is not a Docker image name without a tag .*the tag is made from the build's content/],
        ["a name with capitals", { name: "Twister2" }, /^workerImage\.name: 'Twister2' is not a Docker image name/],
        ["an ftp base image URL", { baseImageUrl: "ftp://10.0.0.1/debian.tar" }, /^workerImage\.baseImageUrl: 'ftp:\/\/10\.0\.0\.1\/debian\.tar' is not an http\(s\) URL of a rootfs tarball/],
        ["a file path as base image URL", { baseImageUrl: "/srv/debian.tar" }, /^workerImage\.baseImageUrl: '\/srv\/debian\.tar' is not an http\(s\) URL/],
        ["a digest to import as", { baseImage: `debian@sha256:${"a".repeat(64)}`, baseImageUrl: "http://10.0.0.1/d.tar" }, /^workerImage\.baseImage: debian@sha256:a+ has a digest, and an imported image cannot/],
        ["an https apt proxy", { aptProxy: "https://10.0.0.1:3142" }, /^workerImage\.aptProxy: 'https:\/\/10\.0\.0\.1:3142' is not an http proxy URL such as http:\/\/10\.0\.0\.1:3142/],
        ["an apt proxy without scheme", { aptProxy: "10.0.0.1:3142" }, /^workerImage\.aptProxy: '10\.0\.0\.1:3142' is not an http proxy URL/],
    ];
    for (const [what, workerImage, expected] of cases) {
        it(`refuses ${what}`, () => {
            const problems = configProblems(good(workerImage), dir);
            expect(problems).toHaveLength(1);
            expect(problems[0]).toMatch(expected);
        });
    }

    it("lists every problem at once, with the rest of the config's", () => {
        const problems = configProblems({ ...good({ baseImage: "Bad Image", baseImageUrl: "ftp://x", aptProxy: "socks5://x" }),
            zookeeper: { serverIds: {} } }, dir);
        expect(problems.map((p) => p.split(":")[0]).sort()).toEqual(
            ["workerImage.aptProxy", "workerImage.baseImage", "workerImage.baseImageUrl", "zookeeper.serverIds.h1"]);
    });
});

describe("Twister2WorkerImage under mocks", () => {
    let recorded: RecordedResource[];
    let image: Twister2WorkerImage;
    const hosts = labHosts(keyFile, 2).map((h) => ({ ...h, port: 22 }));

    beforeAll(async () => {
        recorded = installMocks("unit-worker-image");
        const remote = testRemote("unit-worker-image");
        image = new Twister2WorkerImage("worker-image", {
            remote,
            name: "twister2-worker", baseImage: "twister2-lab/debian:bookworm",
            baseImageUrl: "http://10.77.0.1:3143/images/debian-bookworm.tar", aptProxy: "http://10.77.0.1:3142",
            hosts: hosts.map((host) => ({
                host, docker: new DockerHost(`docker-${host.name}`, { remote, host, source: "docker.io", daemonJson: {}, socketUsers: [host.user] }),
            })),
        });
        remote.writeBundle();
        await valueOf(image.imageIds.h2);
    });

    const builds = () => recorded.filter((r) => r.type === hostScriptType && runsScript(r.inputs.create, workerImageScripts.build));

    it("builds once per host, as root over the pinned connection, and undoes it on destroy", () => {
        expect(builds().map((b) => [b.name, b.inputs.connection.host])).toEqual([["worker-image-h1", "10.77.0.11"], ["worker-image-h2", "10.77.0.12"]]);
        for (const build of builds()) {
            expect(build.inputs.create).toMatch(/^sudo env /);
            expect(runsScript(build.inputs.delete, workerImageScripts.remove)).toBe(true);
            expect(build.inputs.delete).toContain("IMAGE_REPO=twister2-worker");
            expect(build.inputs.delete).toContain("BASE_IMAGE=twister2-lab/debian:bookworm");
            expect(build.inputs.triggers).toEqual(["twister2-worker", "twister2-lab/debian:bookworm", "http://10.77.0.1:3143/images/debian-bookworm.tar"]);
            expect(build.inputs.stdin).toBeUndefined();
        }
    });

    it("ships the build context (Dockerfile, init.sh) with the host scripts, names it by hash in the command, with the settings", async () => {
        const create = String(builds()[0].inputs.create);
        expect(create).toContain(`IMAGE=${await valueOf(image.image)}`);
        expect(create).toContain("BASE_IMAGE_URL=http://10.77.0.1:3143/images/debian-bookworm.tar");
        expect(create).toContain("APT_PROXY=http://10.77.0.1:3142");
        const bundle = fs.readFileSync(path.join(__dirname, "..", "..", ".twister2", "unit-worker-image", "host-scripts.sh"), "utf8");
        for (const [setting, file] of [["DOCKERFILE", "Dockerfile"], ["INIT_SH", "init.sh"]]) {
            const onHost = new RegExp(`${setting}=([0-9a-f]{16}-${file.replace(".", "\\.")})( |$)`).exec(create)?.[1];
            expect(onHost, create).toBeDefined();
            const text = fs.readFileSync(path.join(contextDir, file), "utf8");
            expect(bundle).toContain(`put ${onHost} <<'T2_END_OF_FILE'\n${Buffer.from(text).toString("base64").replace(/.{76}/g, "$&\n")}\nT2_END_OF_FILE\n`);
        }
        // Not the files themselves: the state keeps a command twice.
        expect(create).not.toContain("openjdk-17-jre-headless");
        expect(create.length).toBeLessThan(600);
    });

    it("tags the image with a hash of its content", async () => {
        const tagged = await valueOf(image.image);
        expect(tagged).toMatch(/^twister2-worker:[0-9a-f]{12}$/);
        const other = new Twister2WorkerImage("worker-image-other", { remote: testRemote("unit-worker-image-other"), name: "twister2-worker", baseImage: "debian:bookworm-slim", hosts: [] });
        const same = new Twister2WorkerImage("worker-image-same", {
            remote: testRemote("unit-worker-image-same"),
            name: "twister2-worker", baseImage: "twister2-lab/debian:bookworm", aptProxy: "http://elsewhere:3142", hosts: [],
        });
        // Another base is another image; another proxy is the same image.
        expect(await valueOf(other.image)).not.toBe(tagged);
        expect(await valueOf(same.image)).toBe(tagged);
    });

    it("has a Dockerfile and an init.sh for the build", () => {
        const dockerfile = fs.readFileSync(path.join(contextDir, "Dockerfile"), "utf8");
        expect(dockerfile).toMatch(/^ARG BASE_IMAGE=debian:bookworm-slim$/m);
        expect(dockerfile).toMatch(/^FROM \$\{BASE_IMAGE\}$/m);
        // Twister2's MesosScheduler mounts the sandbox at /twister2/: the start script lives outside it.
        expect(dockerfile).toMatch(/^CMD \["\/init.sh"\]$/m);
        const init = fs.readFileSync(path.join(contextDir, "init.sh"), "utf8");
        expect(init).toMatch(/^set -euo pipefail$/m);
        expect(init).toContain("/dev/termination-log");
        expect(init).not.toMatch(/sleep infinity/);
    });
});

describe("the dev stack's worker image", () => {
    let recorded: RecordedResource[];
    let program: Record<string, any>;

    beforeAll(async () => {
        recorded = installMocks("dev-worker-image");
        pulumi.runtime.setAllConfig(stackConfigFile(path.join(__dirname, "..", "..", "Pulumi.dev.yaml"), (config) => {
            delete config["twister2-cluster:hostsFile"];
            config["twister2-cluster:hosts"] = labHosts(keyFile, 5);
            config["twister2-cluster:mesos"].repository.keyFile = repoKey;
        config["twister2-cluster:docker"].repository.keyFile = repoKey;
            config["twister2-cluster:uploader"] = { publicKeyFiles: [], publicKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKbFxn/zz6OpC21SIZ7dlfxY0TuT4lSIF7XsVNAQa5lI a"] };
        }));
        process.chdir(dir);
        program = await import("../../index");
    });

    it("builds once, on the registry's host (h1), from the lab's rootfs through the lab's apt cache, and pushes it", async () => {
        await valueOf(pulumi.output(program.workerImage));
        const builds = recorded.filter((r) => r.type === hostScriptType && runsScript(r.inputs.create, workerImageScripts.build));
        expect(builds.map((b) => [b.name, b.inputs.connection.host])).toEqual([["worker-image-build", "10.77.0.11"]]);
        const create = String(builds[0].inputs.create);
        expect(create).toContain("BASE_IMAGE_URL=http://10.77.0.1:3143/images/debian-bookworm.tar");
        expect(create).toContain("APT_PROXY=http://10.77.0.1:3142");
        expect(create).toMatch(/ PUSH_TO=10\.77\.0\.11:5001\/twister2-worker:[0-9a-f]{12} /);
        // The push account travels on stdin, a secret; the command holds only the CA's public certificate.
        expect(builds[0].inputs.stdin).toBe(`twister2-push ${fakeAgentSecret}`);
        expect(builds[0].secretPaths).toContain("stdin");
        expect(create).not.toContain(fakeAgentSecret);
        expect(runsScript(builds[0].inputs.delete, workerImageScripts.remove)).toBe(true);
        expect(builds[0].inputs.delete).toContain("PUSHED_REPO=10.77.0.11:5001/twister2-worker");
    });

    it("has every agent pull the pushed image by digest with the pull account, and exports that digest for Twister2", async () => {
        const out = await valueOf(pulumi.output(program.workerImage));
        expect(out.image).toBe(`10.77.0.11:5000/twister2-worker@${fakeDigest}`);
        expect(Object.keys(out.imageIds).sort()).toEqual(["h4", "h5"]);
        const pulls = recorded.filter((r) => r.type === hostScriptType && runsScript(r.inputs.create, workerImageScripts.pull));
        expect(pulls.map((p) => [p.name, p.inputs.connection.host])).toEqual([["worker-image-h4", "10.77.0.14"], ["worker-image-h5", "10.77.0.15"]]);
        for (const pull of pulls) {
            expect(pull.inputs.create).toContain(`IMAGE=10.77.0.11:5000/twister2-worker@${fakeDigest}`);
            expect(pull.inputs.create).toContain("REGISTRY=10.77.0.11:5000");
            expect(pull.inputs.stdin).toBe(`twister2-pull ${fakeAgentSecret}`);
            expect(pull.secretPaths).toContain("stdin");
            expect(runsScript(pull.inputs.delete, workerImageScripts.remove)).toBe(true);
            expect(pull.inputs.delete).toMatch(/ PULLED_REPO=10\.77\.0\.11:5000\/twister2-worker /);
        }
        const conf = await valueOf(pulumi.output(program.twister2ConfFiles));
        expect(JSON.stringify(conf)).toContain(`10.77.0.11:5000/twister2-worker@${fakeDigest}`);
    });

    it("runs the registry on h1 with both accounts on stdin, and exports its addresses and CA", async () => {
        const servers = recorded.filter((r) => r.type === hostScriptType && runsScript(r.inputs.create, registryScripts.server));
        expect(servers.map((s) => [s.name, s.inputs.connection.host])).toEqual([["registry-h1", "10.77.0.11"]]);
        expect(servers[0].inputs.create).toMatch(/ ADDRESS=10\.77\.0\.11 PORT=5000 PUSH_PORT=5001 /);
        expect(servers[0].inputs.stdin).toBe(`pull twister2-pull ${fakeAgentSecret}\npush twister2-push ${fakeAgentSecret}`);
        expect(servers[0].secretPaths).toContain("stdin");
        expect(runsScript(servers[0].inputs.delete, registryScripts.remove)).toBe(true);
        expect(await valueOf(pulumi.output(program.imageRegistry))).toEqual({
            pullAddress: "10.77.0.11:5000", pushAddress: "10.77.0.11:5001", caCertificate: fakeRegistryCa,
        });
    });

    it("keeps in the registry only the image the agents run, pruning on h1 with the push account once they have pulled it", async () => {
        await valueOf(pulumi.output(program.workerImage));
        await settled(recorded);
        const prunes = recorded.filter((r) => r.type === hostScriptType && runsScript(r.inputs.create, registryScripts.prune));
        expect(prunes.map((p) => [p.name, p.inputs.connection.host])).toEqual([["registry-prune", "10.77.0.11"]]);
        expect(prunes[0].inputs.create).toContain(`KEEP=10.77.0.11:5000/twister2-worker@${fakeDigest} `);
        expect(prunes[0].inputs.create).toContain("PUSH_ADDRESS=10.77.0.11:5001");
        expect(prunes[0].inputs.stdin).toBe(`twister2-push ${fakeAgentSecret}`);
        expect(prunes[0].secretPaths).toContain("stdin");
        // Nothing to undo: destroy removes the registry's store with the registry.
        expect(prunes[0].inputs.delete).toBeUndefined();
    });
});
