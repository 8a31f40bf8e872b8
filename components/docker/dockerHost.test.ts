// DockerHost under mocks, built from its args: one engine step per host over the pinned connection, after
// the host's setup, its settings in the command, the key as a secret, and the version the host reports;
// and the checks of docker.repository.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { docker as dockerComponent, dockerScripts } from "./component";
import { dockerPackages } from "./config";
import { DockerHost } from "./dockerHost";
import { checkComponent } from "../../framework/config/stackConfig";
import { runsScript } from "../../framework/remote/remote";
import { hostKey, labHosts, scratchDir } from "../../test/unit/fixtures";
import { hostScriptType, installMocks, optionsRecorder, RecordedResource, settled, testRemote, valueOf } from "../../test/unit/mocks";

const { keyFile } = scratchDir();
const [h1, h2] = labHosts(keyFile, 2).map((h) => ({ ...h, port: 22 }));
const daemonJson = { "log-driver": "json-file", "log-opts": { "max-size": "10m", "max-file": "3" }, "live-restore": true };

const { logOptions, nameOf, dependsOnNames } = optionsRecorder();

describe("DockerHost under mocks", () => {
    let recorded: RecordedResource[];
    let docker1: DockerHost;
    let docker2: DockerHost;
    const named = (name: string) => recorded.find((r) => r.name === name)!;
    const engines = () => recorded.filter((r) => r.type === hostScriptType && runsScript(r.inputs.create, dockerScripts.install));

    beforeAll(async () => {
        recorded = installMocks("unit-docker");
        const remote = testRemote("unit-docker");
        docker1 = new DockerHost("docker-h1", { remote, host: h1, source: "docker-ce", daemonJson, socketUsers: ["deploy", "ops"] },
            { transformations: [logOptions] });
        docker2 = new DockerHost("docker-h2", { remote, host: h2, source: "docker.io", daemonJson: {}, socketUsers: ["deploy"], swarmManager: h1 },
            { transformations: [logOptions] });
        DockerHost.rollEngines([docker1, docker2], [docker1], [docker1.engine, docker2.engine]);
        remote.writeBundle();
        await Promise.all([valueOf(docker1.engineVersion), valueOf(docker2.engineVersion)]);
        await settled(recorded);
    });

    it("registers one twister2:cluster:DockerHost per host, with one engine step each, on its host", async () => {
        expect(recorded.filter((r) => r.type === "twister2:cluster:DockerHost").map((r) => r.name).sort()).toEqual(["docker-h1", "docker-h2"]);
        expect(engines().map((e) => [e.name, e.inputs.connection.host]).sort()).toEqual([["docker-h1-engine", "10.77.0.11"], ["docker-h2-engine", "10.77.0.12"]]);
        expect(docker1.host).toBe(h1);
        expect(await nameOf(docker1.engine)).toBe("docker-h1-engine");
        // The step is the component's child.
        expect(await valueOf(docker1.engine.urn)).toContain("twister2:cluster:DockerHost$command:remote:Command::docker-h1-engine");
    });

    it("rolls the engines one host at a time after what runs on them, the swarm's managers last, each step taking its engine's mark", async () => {
        const rolls = recorded.filter((r) => r.type === hostScriptType && runsScript(r.inputs.create, dockerScripts.roll));
        expect(rolls.map((r) => [r.name, r.inputs.connection.host])).toEqual([["docker-h2-roll", "10.77.0.12"], ["docker-h1-roll", "10.77.0.11"]]);
        // The worker's visit between the manager's drain of its node (when its engine step left it marked) and its
        // return to active.
        expect(await dependsOnNames("docker-h2-roll-swarm-drain")).toEqual(["docker-h1-engine", "docker-h2-engine"]);
        expect(await dependsOnNames("docker-h2-roll")).toEqual(["docker-h2-roll-swarm-drain"]);
        expect(await dependsOnNames("docker-h2-roll-swarm-active")).toEqual(["docker-h2-roll"]);
        expect(await dependsOnNames("docker-h1-roll")).toEqual(["docker-h2-roll-swarm-active"]);
        for (const [step, availability] of [["docker-h2-roll-swarm-drain", "drain"], ["docker-h2-roll-swarm-active", "active"]]) {
            expect(runsScript(named(step).inputs.create, dockerScripts.swarmNodeAvailability)).toBe(true);
            expect(named(step).inputs.connection.host).toBe(h1.address);
            expect(named(step).inputs.create).toContain(` AVAILABILITY=${availability} NODE_ADDR=${h2.address} `);
        }
        // The drain runs whenever the worker's engine step does: it takes that step's mark, as the visit does.
        expect(/ WHY=(\w+) /.exec(named("docker-h2-roll-swarm-drain").inputs.create)?.[1]).toBe(/ PENDING=(\w+) /.exec(named("docker-h2-roll").inputs.create)?.[1]);
        // The manager drains its own node: no steps around its visit.
        expect(recorded.filter((r) => r.name.startsWith("docker-h1-roll-"))).toEqual([]);
        // Each runs whenever its engine's step does: it carries that step's command, hashed.
        for (const roll of rolls) expect(roll.inputs.create).toMatch(/ env PENDING=[0-9a-f]{16} ROUND=turn /);
        const pending = (name: string) => / PENDING=(\w+) /.exec(named(name).inputs.create)?.[1];
        expect(pending("docker-h1-roll")).not.toBe(pending("docker-h2-roll"));
    });

    it("dials the host with its pinned host key, as its login", () => {
        for (const [engine, host] of [[named("docker-h1-engine"), h1], [named("docker-h2-engine"), h2]] as const) {
            expect(engine.inputs.connection).toMatchObject({ host: host.address, port: 22, user: "deploy", hostKey });
        }
    });

    it("installs with the source, daemon.json (pretty JSON) and the socket's users, and uninstalls on destroy", () => {
        const create = String(named("docker-h1-engine").inputs.create);
        expect(create).toMatch(/^sudo env /);
        expect(create).toContain("DOCKER_SOURCE=docker-ce");
        expect(create).toContain(`DAEMON_JSON='${JSON.stringify(daemonJson, null, 2)}'`);
        expect(create).toContain("DOCKER_USERS='deploy ops'");
        const other = String(named("docker-h2-engine").inputs.create);
        expect(other).toContain("DOCKER_SOURCE=docker.io");
        expect(other).toContain("DAEMON_JSON='{}'");
        expect(other).toContain("DOCKER_USERS=deploy");
        for (const engine of engines()) {
            expect(runsScript(engine.inputs.delete, dockerScripts.uninstall)).toBe(true);
            expect(runsScript(engine.inputs.delete, dockerScripts.install)).toBe(false);
            expect(engine.inputs.stdin).toBeUndefined();
            expect(engine.inputs.triggers).toBeUndefined();
        }
    });

    it("reports the engine version: the step's last line of stdout, or the version its roll visit restarted it with", async () => {
        // (The mocked docker-h1-roll restarted its engine, which says "engine 27.0.1"; docker-h2-roll restarted nothing.)
        expect(await valueOf(docker1.engineVersion)).toBe("27.0.1");
        expect(await valueOf(docker2.engineVersion)).toBe("26.1.5");
        // Nothing secret in it: its stdout is shown.
        expect(named("docker-h1-engine").inputs.logging).toBeUndefined();
        expect(await pulumi.isSecret(docker1.engineVersion)).toBe(false);
    });

    it("carries the login's key only in the connection, as a secret", () => {
        const key = fs.readFileSync(keyFile, "utf8");
        for (const engine of engines()) {
            expect(engine.secretPaths).toContain("connection");
            expect(engine.inputs.connection.privateKey).toBe(key);
            for (const text of [engine.inputs.create, engine.inputs.delete]) expect(String(text)).not.toContain("PRIVATE KEY");
        }
    });

    it("waits for its host's setup step (the scripts and packages) and nothing else", async () => {
        expect(await dependsOnNames("docker-h1-engine")).toEqual(["host-setup-h1"]);
        expect(await dependsOnNames("docker-h2-engine")).toEqual(["host-setup-h2"]);
        expect(named("host-setup-h1").inputs.connection.host).toBe("10.77.0.11");
    });
});

describe("a swarm worker's engine, which an earlier roll (the Mesos agents') restarts", () => {
    let recorded: RecordedResource[];

    beforeAll(async () => {
        recorded = installMocks("unit-docker-worker");
        const remote = testRemote("unit-docker-worker");
        const manager = new DockerHost("docker-h1", { remote, host: h1, source: "docker.io", daemonJson: {}, socketUsers: ["deploy"] });
        const worker = new DockerHost("docker-h2", { remote, host: h2, source: "docker.io", daemonJson: {}, socketUsers: ["deploy"], swarmManager: h1 });
        const agentVisit = worker.drainedVisit("mesos-h2-agent-roll", [worker.engine], (dependsOn) =>
            remote.hostScript("mesos-h2-agent-roll", { host: h2, create: dockerScripts.roll, createSettings: { ROUND: "turn" } }, { dependsOn }));
        DockerHost.rollEngines([manager, worker], [manager], [agentVisit.done]);
        remote.writeBundle();
        await settled(recorded);
    });

    it("is drained around that roll's visit only: the engines' roll, which finds it restarted, drains nothing", () => {
        const names = recorded.filter((r) => r.type === hostScriptType).map((r) => r.name);
        expect(names.filter((name) => name.includes("-swarm-"))).toEqual(["mesos-h2-agent-roll-swarm-drain", "mesos-h2-agent-roll-swarm-active"]);
        expect(names).toContain("docker-h2-roll");
    });
});

describe("docker.repository: Docker's own for each host's release, or a mirror", () => {
    const { dir } = scratchDir();
    const armored = path.join(dir, "mirror.asc");
    fs.writeFileSync(armored, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZfake\n-----END PGP PUBLIC KEY BLOCK-----\n");
    const check = (docker: unknown) => checkComponent(dockerComponent, docker, [], dir);

    it("is Docker's repository by default, the key downloaded by each host over https, {ID} and {VERSION_CODENAME} its own", () => {
        const { config, problems } = check({});
        expect(problems).toEqual([]);
        expect(config?.repository).toEqual({
            url: "https://download.docker.com/linux/{ID}", distribution: "{VERSION_CODENAME}", component: "stable",
            key: { url: "https://download.docker.com/linux/{ID}/gpg" },
        });
        expect(dockerPackages(config!)).toMatchObject({ thing: "docker", packages: ["docker-ce", "docker-ce-cli", "containerd.io"], unlessCommand: "dockerd",
            repository: { name: "docker", component: "stable" } });
        expect(dockerPackages({ ...config!, source: "docker.io" })).toEqual({ thing: "docker", packages: ["docker.io"], unlessCommand: "dockerd" });
    });

    it("pins the engine and its CLI to docker.version (containerd.io has versions of its own), and refuses what is no version", () => {
        const { config, problems } = check({ version: "5:27.3.1-1~debian.12~bookworm" });
        expect(problems).toEqual([]);
        expect(dockerPackages(config!).packages).toEqual(["docker-ce=5:27.3.1-1~debian.12~bookworm", "docker-ce-cli=5:27.3.1-1~debian.12~bookworm", "containerd.io"]);
        expect(dockerPackages({ ...config!, source: "docker.io", version: "20.10.24+dfsg1-1+deb12u1+b6" }).packages).toEqual(["docker.io=20.10.24+dfsg1-1+deb12u1+b6"]);
        expect(check({ version: "latest" }).problems).toEqual(["docker.version: 'latest' is not a Debian package version (such as 5:27.3.1-1~debian.12~bookworm)"]);
    });

    it("takes a mirror with its key from a file on this machine", () => {
        const { config, problems } = check({ repository: { url: "https://nexus.example/repository/docker-debian", distribution: "bookworm", keyFile: armored } });
        expect(problems).toEqual([]);
        expect(config?.repository).toEqual({ url: "https://nexus.example/repository/docker-debian", distribution: "bookworm", component: "stable",
            key: { text: fs.readFileSync(armored, "utf8") } });
    });

    it.each([
        ["a key that is not ASCII-armored", { keyFile: keyFile }, /^docker\.repository\.keyFile: .* is not an ASCII-armored PGP public key/],
        ["a key file that is not there", { keyFile: path.join(dir, "missing.asc") }, /^docker\.repository\.keyFile: .*missing\.asc/],
        ["a key given twice", { keyFile: armored, keyUrl: "https://mirror.example/gpg" }, /^docker\.repository\.keyUrl: give the signing key one way/],
        ["a key over plain http", { keyUrl: "http://mirror.example/gpg" }, /^docker\.repository\.keyUrl: 'http:\/\/mirror\.example\/gpg' is not an https URL/],
        ["a placeholder the hosts cannot fill in", { url: "https://mirror.example/{OS}" }, /^docker\.repository\.url: .*\{ID\} and \{VERSION_CODENAME\} are the only placeholders/],
        ["a suite with a space", { distribution: "book worm" }, /^docker\.repository\.distribution: 'book worm' is not an apt suite name/],
    ])("refuses %s before any host is touched", (_, repository, message) => {
        const { problems } = check({ repository });
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(message);
    });
});
