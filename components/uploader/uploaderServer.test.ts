// UploaderServer: its config is refused with the setting and the fix; under mocks, nginx and the upload
// account on the uploader host, the public keys reaching it, the core package by path and hash only.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { parseStackConfig } from "..";
import type { RawConfig } from "../../framework/config/stackConfig";
import { publicKeyProblem } from "./config";
import { configProblems, labHosts, scratchDir } from "../../test/unit/fixtures";
import { hostScriptType, installMocks, RecordedResource, valueOf } from "../../test/unit/mocks";

const { dir, keyFile } = scratchDir();
const aliceKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKbFxn/zz6OpC21SIZ7dlfxY0TuT4lSIF7XsVNAQa5lI alice@example";
const keyFileOnDisk = path.join(dir, "bob.pub");
const bobKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB4d5pQ8u5r8o7m1G0a1Yf3mU7wH3gH0r6o1p2q3r4s5 bob@example";
fs.writeFileSync(keyFileOnDisk, `# bob\n${bobKey}\n`);
const corePackage = path.join(dir, "twister2-core-0.8.0.tar.gz");
fs.writeFileSync(corePackage, crypto.randomBytes(4096));
const coreSha = crypto.createHash("sha256").update(fs.readFileSync(corePackage)).digest("hex");

const good = (uploader: RawConfig["uploader"] = { publicKeys: [aliceKey] }): RawConfig => ({
    hosts: labHosts(keyFile, 3),
    roles: { h1: ["zookeeper"], h2: ["uploader"] },
    zookeeper: { serverIds: { h1: 1 } },
    uploader,
});

const problemsOf = (config: RawConfig) => configProblems(config, dir);

describe("uploader config", () => {
    it("fills in Twister2's defaults and serves the directory under the web root", () => {
        const { uploader } = parseStackConfig(good(), dir);
        expect(uploader).toEqual({
            port: 8082, directory: "/var/www/html/twister2/mesos/", urlPath: "/twister2/mesos/", user: "twister2",
            publicKeys: [aliceKey], corePackage: undefined,
        });
    });

    it("reads keys from files, normalizes the directory and hashes the core package", () => {
        const { uploader } = parseStackConfig(good({
            publicKeys: [aliceKey], publicKeyFiles: [keyFileOnDisk], directory: "/srv/twister2//packages", port: 9000, corePackage,
        }), dir);
        expect(uploader!.publicKeys).toEqual([aliceKey, bobKey]);
        expect(uploader!.directory).toBe("/srv/twister2/packages/");
        expect(uploader!.urlPath).toBe("/");
        expect(uploader!.corePackage).toEqual({ file: corePackage, name: "twister2-core-0.8.0.tar.gz", sha256: coreSha });
    });

    it("ignores the uploader settings when no host has the role", () => {
        expect(problemsOf({ ...good({ port: 0 }), roles: { h1: ["zookeeper"] } })).toEqual([]);
    });

    const cases: [string, RawConfig, RegExp][] = [
        ["a port out of range", good({ publicKeys: [aliceKey], port: 70000 }), /^uploader\.port: 70000 is not a TCP port \(1-65535\)/],
        ["port 0", good({ publicKeys: [aliceKey], port: 0 }), /^uploader\.port: 0 is not a TCP port/],
        ["ZooKeeper's port", good({ publicKeys: [aliceKey], port: 2181 }), /^uploader\.port: 2181 is ZooKeeper's client port; choose another port/],
        ["the Mesos master's port", good({ publicKeys: [aliceKey], port: 5050 }), /^uploader\.port: 5050 is the Mesos master's port/],
        ["the swarm's port", good({ publicKeys: [aliceKey], port: 2377 }), /^uploader\.port: 2377 is the swarm's management port/],
        ["SSH's port", good({ publicKeys: [aliceKey], port: 22 }), /^uploader\.port: 22 is SSH's port on h2; choose another port/],
        ["a root upload account", good({ publicKeys: [aliceKey], user: "root" }), /^uploader\.user: uploads must not log in as root/],
        ["the deploy login as upload account", good({ publicKeys: [aliceKey], user: "deploy" }), /^uploader\.user: deploy is the login this program uses on h2/],
        ["a user name that is none", good({ publicKeys: [aliceKey], user: "Twister 2" }), /^uploader\.user: 'Twister 2' is not a user name/],
        ["no keys", good({}), /^uploader\.publicKeys: list at least one SSH public key/],
        ["no uploader config at all", { ...good(), uploader: undefined }, /^uploader\.publicKeys: list at least one SSH public key/],
        ["a private key pasted as a key", good({ publicKeys: ["-----BEGIN OPENSSH PRIVATE KEY-----"] }), /^uploader\.publicKeys\[0\]: the key does not start with a key type/],
        ["a key with a broken body", good({ publicKeys: ["ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ"] }), /^uploader\.publicKeys\[0\]: the key is not a valid ssh-ed25519 key/],
        ["a key without its data", good({ publicKeys: ["ssh-rsa"] }), /^uploader\.publicKeys\[0\]: the key has no base64 key after its type/],
        ["keys not in a list", good({ publicKeys: aliceKey }), /^uploader\.publicKeys: give a list of OpenSSH public keys/],
        ["a missing key file", good({ publicKeyFiles: ["/nonexistent/id.pub"] }), /^uploader\.publicKeyFiles\[0\]: \/nonexistent\/id\.pub does not exist/],
        ["a key file that holds a private key", good({ publicKeyFiles: [keyFile] }), /^uploader\.publicKeyFiles\[0\]: line 1 of .* does not start with a key type/],
        ["a relative directory", good({ publicKeys: [aliceKey], directory: "twister2/mesos" }), /^uploader\.directory: 'twister2\/mesos' is not an absolute path/],
        ["a directory with '..'", good({ publicKeys: [aliceKey], directory: "/var/www/../../etc" }), /^uploader\.directory: '\/var\/www\/\.\.\/\.\.\/etc' is not an absolute path/],
        ["a system directory", good({ publicKeys: [aliceKey], directory: "/etc/" }), /^uploader\.directory: \/etc\/ is a system directory/],
        ["a directory inside the system's tree", good({ publicKeys: [aliceKey], directory: "/etc/ssh/" }), /^uploader\.directory: \/etc\/ssh\/ is a system directory/],
        ["a URL path without slashes", good({ publicKeys: [aliceKey], urlPath: "packages" }), /^uploader\.urlPath: 'packages' is not a URL path/],
        ["a core package that is not one", good({ publicKeys: [aliceKey], corePackage: keyFile }), /^uploader\.corePackage: '.*id_ed25519' is not the path of a twister2-core\*\.tar\.gz/],
        ["a missing core package", good({ publicKeys: [aliceKey], corePackage: "/nonexistent/twister2-core-0.8.0.tar.gz" }), /^uploader\.corePackage: \/nonexistent\/twister2-core-0\.8\.0\.tar\.gz does not exist/],
        ["two uploader hosts", { ...good(), roles: { h1: ["zookeeper", "uploader"], h2: ["uploader"] } }, /^roles: 2 hosts are uploader \(h1, h2\); give exactly one host the uploader role/],
    ];
    it.each(cases)("refuses %s", (_, config, message) => {
        const problems = problemsOf(config);
        expect(problems.some((p) => message.test(p)), `problems were:\n${problems.join("\n")}`).toBe(true);
    });

    it("lists every uploader problem at once", () => {
        const problems = problemsOf(good({ port: 2181, user: "root", publicKeys: ["nope"], directory: "/" }));
        expect(problems.filter((p) => p.startsWith("uploader."))).toHaveLength(4);
    });

    it("checks keys by their content, not only their shape", () => {
        expect(publicKeyProblem(aliceKey)).toBeUndefined();
        expect(publicKeyProblem(aliceKey.replace("ssh-ed25519", "ssh-rsa"))).toMatch(/not a valid ssh-rsa key/);
    });
});

describe("UploaderServer under mocks", () => {
    let recorded: RecordedResource[];
    let program: Record<string, any>;
    const named = (name: string) => recorded.find((r) => r.name === name)!;

    beforeAll(async () => {
        recorded = installMocks("unit-uploader");
        pulumi.runtime.setAllConfig({
            "twister2-cluster:hosts": JSON.stringify(labHosts(keyFile, 3)),
            "twister2-cluster:roles": JSON.stringify({ h2: ["uploader"] }),
            "twister2-cluster:uploader": JSON.stringify({ publicKeys: [aliceKey], publicKeyFiles: [keyFileOnDisk], corePackage }),
        });
        process.chdir(dir);
        program = await import("../../index");
        await valueOf(program.uploader.corePackageUrl);
    });

    it("puts nginx, the upload account and the core package on the uploader host only", () => {
        const steps = recorded.filter((r) => r.type === hostScriptType || r.type === "command:remote:CopyToRemote");
        expect(steps.map((s) => s.name).sort()).toEqual(["host-setup-h2", "host-setup-h2-copy",
            "uploader-core-package", "uploader-core-package-upload", "uploader-server"]);
        for (const step of steps) expect(step.inputs.connection.host).toBe("10.77.0.12");
        expect(recorded.filter((r) => r.type === "twister2:cluster:DockerHost")).toHaveLength(0);
        const server = named("uploader-server").inputs;
        expect(server.create).toContain("uploader-server.sh");
        expect(server.create).toContain("PORT=8082");
        expect(server.create).toContain("URL_PATH=/twister2/mesos/");
        expect(server.delete).toContain("uploader-server-remove.sh");
    });

    it("gives the upload account every public key, and replaces it when its name or directory changes", () => {
        const server = named("uploader-server").inputs;
        expect(server.create).toContain("UPLOAD_USER=twister2");
        expect(server.create).toContain("DIRECTORY=/var/www/html/twister2/mesos/");
        expect(server.create).toContain(aliceKey);
        expect(server.create).toContain(bobKey);
        expect(server.delete).toContain("uploader-server-remove.sh");
        expect(server.delete).toContain("UPLOAD_USER=twister2");
        expect(server.triggers).toEqual(["twister2", "/var/www/html/twister2/mesos/"]);
    });

    it("copies the core package as a file asset, then publishes it by hash: its bytes are in no input", async () => {
        const upload = named("uploader-core-package-upload");
        expect(upload.type).toBe("command:remote:CopyToRemote");
        expect(upload.inputs.source).toBeInstanceOf(pulumi.asset.FileAsset);
        expect(await upload.inputs.source.path).toBe(corePackage);
        expect(upload.inputs.remotePath).toBe(".twister2-cluster-twister2-core-0.8.0.tar.gz");
        const core = named("uploader-core-package");
        expect(core.inputs.create).toContain("uploader-publish.sh");
        expect(core.inputs.create).toContain(`SHA256=${coreSha}`);
        expect(core.inputs.create).toContain("STAGED=.twister2-cluster-twister2-core-0.8.0.tar.gz");
        expect(core.inputs.delete).toContain("uploader-unpublish.sh");
        const bytes = fs.readFileSync(corePackage).toString("base64");
        expect(JSON.stringify(recorded)).not.toContain(bytes.slice(0, 64));
    });

    it("keeps the SSH key secret and out of every command line", () => {
        const sshKey = fs.readFileSync(keyFile, "utf8");
        for (const step of recorded.filter((r) => r.name.startsWith("uploader-") && r.inputs.connection)) {
            // The SDK makes the whole connection (with the key) a secret.
            expect(step.secretPaths).toContain("connection");
            expect(step.inputs.connection.privateKey).toContain("PRIVATE KEY");
            for (const text of [step.inputs.create, step.inputs.delete].filter(Boolean)) {
                expect(text).not.toContain(sshKey.trim());
                expect(text).not.toContain("PRIVATE KEY");
            }
        }
    });

    it("exports what Twister2's uploader settings need", async () => {
        expect(program.uploader).toMatchObject({
            url: "http://10.77.0.12:8082/twister2/mesos/",
            fetchUri: "http://10.77.0.12:8082",
            directory: "/var/www/html/twister2/mesos/",
            scpConnection: "twister2@10.77.0.12",
            sshConnection: "twister2@10.77.0.12",
        });
        expect(await valueOf(program.uploader.corePackageUrl)).toBe("http://10.77.0.12:8082/twister2/mesos/twister2-core-0.8.0.tar.gz");
    });
});
