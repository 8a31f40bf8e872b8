// Hosts behind a bastion: the config gives each host the stack's bastion (or its own, or none); every
// ssh this program runs reaches them through a ProxyCommand that OpenSSH itself parses here, pinned in
// the same known_hosts; every Pulumi step's connection names it as its proxy; preflight names the
// bastion when it is the bastion that fails; npm run check and smoke reach HTTP through its SOCKS proxy.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shellQuote, opensshOptions, writeKnownHosts } from "./ssh";
import { parseStackConfig } from "../../components";
import { DockerHost } from "../../components/docker/dockerHost";
import { bastionProblem, problemsOf } from "../preflight/preflight";
import type { ProbeResult } from "./ssh";
import type { Bastion, ClusterHost } from "../config/hosts";
import { throughSocks } from "../../ops/bastionHttp";
import { configProblems, hostKey, labHosts, scratchDir } from "../../test/unit/fixtures";
import { hostScriptType, installMocks, RecordedResource, testRemote, valueOf } from "../../test/unit/mocks";

const { keyFile, dir } = scratchDir();
const jumpKey = path.join(dir, "id_jump");
fs.copyFileSync(keyFile, jumpKey);
fs.chmodSync(jumpKey, 0o600);
/** A well-formed host key that is not the hosts'. */
const keyOf = (n: number) => `${hostKey.slice(0, -2)}x${n}`;
const bastion: Bastion = { address: "192.0.2.10", user: "jump", port: 2222, privateKeyFile: jumpKey, hostKey: keyOf(9) };
const roles = { h1: ["swarm-manager"], h2: ["swarm-worker"], h3: ["swarm-worker"] };

describe("the bastion in the stack's config", () => {
    it("is every host's, unless a host names its own or false", () => {
        const [h1, h2, h3] = labHosts(keyFile, 3);
        const own = { address: "192.0.2.20", user: "other", hostKey: keyOf(8) };
        const config = parseStackConfig({
            hosts: [h1, { ...h2, bastion: own }, { ...h3, bastion: false }], roles, docker: { source: "docker.io" },
            bastion: { address: bastion.address, user: bastion.user, port: 2222, privateKeyFile: jumpKey, hostKey: bastion.hostKey },
        }, dir);
        expect(config.hosts.map((h) => h.bastion)).toEqual([bastion, { ...own, port: 22 }, undefined]);
    });

    it("is checked as a host's settings are, each problem named", () => {
        const problems = configProblems({
            hosts: labHosts(keyFile, 3), roles, docker: { source: "docker.io" },
            bastion: { address: "not an address", user: "jump", hostKey: "ssh-ed25519 AAAA", privateKeyFile: path.join(dir, "missing") },
        }, dir);
        expect(problems).toEqual(["bastion.address: 'not an address' is neither an IP address nor a DNS name"]);
        const keyProblems = configProblems({
            hosts: labHosts(keyFile, 3), roles, docker: { source: "docker.io" },
            bastion: { address: "192.0.2.10", user: "jump", hostKey: keyOf(9), privateKeyFile: path.join(dir, "missing") },
        }, dir);
        expect(keyProblems).toEqual([expect.stringMatching(/^bastion\.privateKeyFile: .*missing does not exist or is not readable/)]);
    });
});

describe("ssh through the bastion", () => {
    const [h1] = labHosts(keyFile, 1).map((h) => ({ ...h, port: 22, bastion }));
    const knownHosts = path.join(dir, "known_hosts");

    it("is a ProxyCommand that OpenSSH parses: ssh -W to the host, with the bastion's own key, port and login, pinned in the same file", () => {
        const options = opensshOptions(h1, knownHosts);
        // ssh -G prints the configuration it would use, connecting nowhere.
        const resolved = spawnSync("ssh", [...options, "-G", `${h1.user}@${h1.address}`], { encoding: "utf8" });
        expect(resolved.status, resolved.stderr).toBe(0);
        const proxyCommand = /^proxycommand (.*)$/m.exec(resolved.stdout)?.[1];
        expect(proxyCommand).toBe(["ssh", "-F", "/dev/null", "-i", jumpKey, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
            "-o", `UserKnownHostsFile=${knownHosts}`, "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes",
            "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-p", "2222", "-W", "%h:%p", "jump@192.0.2.10"].map((w) => w === "%h:%p" ? w : shellQuote(w)).join(" "));
        expect(resolved.stdout).toMatch(/^hostname 10\.77\.0\.11$/m);
        // The host's own login is unchanged: its key, not the bastion's.
        expect(options.slice(0, 3)).toEqual(["-F", "/dev/null", "-i"]);
        expect(options[3]).toBe(keyFile);
    });

    it("pins the bastion's key beside the hosts', once however many hosts it serves", () => {
        writeKnownHosts(knownHosts, [h1, { ...h1, address: "10.77.0.12" }]);
        expect(fs.readFileSync(knownHosts, "utf8").split("\n").filter((l) => l.includes(bastion.hostKey))).toEqual([`[192.0.2.10]:2222 ${bastion.hostKey}`]);
    });
});

describe("a Remote's steps on hosts behind a bastion, under mocks", () => {
    let recorded: RecordedResource[];
    const [direct, behind] = labHosts(keyFile, 2).map((h, i) => ({ ...h, port: 22, ...i === 1 ? { bastion } : {} }));

    let engines: DockerHost[];

    beforeAll(async () => {
        recorded = installMocks("unit-bastion");
        const remote = testRemote("unit-bastion");
        remote.prepareHosts([direct, behind].map((host) => ({ host, packages: [] })));
        engines = [direct, behind].map((host) => new DockerHost(`docker-${host.name}`, { remote, host, source: "docker.io", daemonJson: {}, socketUsers: ["deploy"] }));
        engines[1].provider("docker-h2-provider");
        remote.writeBundle();
        await Promise.all(engines.map((engine) => valueOf(engine.engineVersion)));
    });

    it("connect through it as their proxy, its key pinned and its login's key given; the other host's steps directly", () => {
        const steps = recorded.filter((r) => r.type === hostScriptType || r.type === "command:remote:CopyToRemote");
        const through = steps.filter((s) => s.inputs.connection.host === behind.address);
        expect(through.length).toBeGreaterThanOrEqual(3);
        for (const step of through) {
            expect(step.inputs.connection.proxy).toEqual({
                host: bastion.address, port: 2222, user: "jump", privateKey: expect.stringContaining("PRIVATE KEY"), hostKey: bastion.hostKey,
                dialErrorLimit: 12, perDialTimeout: 10,
            });
        }
        for (const step of steps.filter((s) => s.inputs.connection.host === direct.address)) expect(step.inputs.connection.proxy).toBeUndefined();
        // The Docker provider's ssh takes the same ProxyCommand.
        const provider = recorded.find((r) => r.type === "pulumi:providers:docker");
        expect(JSON.parse(provider!.inputs.sshOpts as string).some((o: string) => o.startsWith("ProxyCommand=ssh "))).toBe(true);
    });
});

describe("preflight with a bastion", () => {
    const probe = (stderr: string, code = 255) => ({ host: bastion, code, stdout: "", stderr, startedAt: 0, endedAt: 0 }) as ProbeResult<Bastion>;

    it("names the bastion when its key, its login or its address is wrong", () => {
        expect(bastionProblem(probe("", 0))).toBeUndefined();
        expect(bastionProblem(probe("@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\nHost key verification failed.")))
            .toEqual({ found: "the bastion 192.0.2.10:2222 does not have the configured bastion hostKey", fix: expect.stringContaining("ssh-keyscan -t ed25519 -p 2222 192.0.2.10") });
        expect(bastionProblem(probe("jump@192.0.2.10: Permission denied (publickey)."))?.found).toBe(`the bastion 192.0.2.10:2222 refuses jump with ${jumpKey}`);
        expect(bastionProblem(probe("ssh: connect to host 192.0.2.10 port 2222: Connection refused"))?.found)
            .toBe("the bastion 192.0.2.10:2222 cannot be reached: ssh: connect to host 192.0.2.10 port 2222: Connection refused");
    });

    it("names a bastion that will not forward to the host", () => {
        const [host] = labHosts(keyFile, 1).map((h) => ({ ...h, port: 22, bastion, roles: [] })) as ClusterHost[];
        const result = { host, code: 255, stdout: "", startedAt: 0, endedAt: 0,
            stderr: "channel 0: open failed: administratively prohibited: open failed\nstdio forwarding failed\nConnection closed by UNKNOWN port 65535" };
        expect(problemsOf(result)).toEqual([expect.objectContaining({ check: "bastion", found: "the bastion 192.0.2.10 refuses to forward to 10.77.0.11:22" })]);
    });
});

describe("HTTP through the bastion's SOCKS proxy", () => {
    let web: http.Server;
    let socks: net.Server;
    const asked: string[] = [];

    beforeAll(async () => {
        web = http.createServer((_, response) => response.end("through"));
        await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
        // A SOCKS5 server as ssh -D is one: no authentication, CONNECT by name, then bytes both ways.
        socks = net.createServer((client) => {
            client.once("data", () => {
                client.write(Buffer.from([5, 0]));
                client.once("data", (request) => {
                    const name = request.subarray(5, 5 + request[4]).toString();
                    const port = request.readUInt16BE(5 + request[4]);
                    asked.push(`${name}:${port}`);
                    const upstream = net.connect(port, "127.0.0.1", () => {
                        client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
                        client.pipe(upstream).pipe(client);
                    });
                    upstream.on("error", () => client.destroy());
                });
            });
        });
        await new Promise<void>((resolve) => socks.listen(0, "127.0.0.1", resolve));
    });
    afterAll(() => { web.close(); socks.close(); });

    it("asks the proxy for the host by name and port, and speaks HTTP over what it hands back", async () => {
        const { port: socksPort } = socks.address() as net.AddressInfo;
        const { port: webPort } = web.address() as net.AddressInfo;
        const socket = await throughSocks(socksPort, "localhost", webPort);
        const answer = await new Promise<string>((resolve) => {
            let text = "";
            socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
            socket.on("end", () => resolve(text));
            socket.write("GET / HTTP/1.0\r\n\r\n");
        });
        expect(asked).toEqual([`localhost:${webPort}`]);
        expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nthrough$/);
    });
});
