// NfsShare: the `nfs` config (refused when open to the world, two servers, a bad path, ...), the export as
// each server implementation gets it (host/nfs-server.sh's functions, run with bash), and the resource
// graph under Pulumi mocks.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import YAML from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { nfs as nfsComponent } from "./component";
import { clientAllows, RawNfsConfig, twister2NfsPath } from "./config";
import { parseStackConfig } from "..";
import { checkComponent, RawConfig } from "../../framework/config/stackConfig";
import { configProblems, labHosts, scratchDir } from "../../test/unit/fixtures";
import { hostScriptType, installMocks, RecordedResource, valueOf } from "../../test/unit/mocks";

const { dir, keyFile } = scratchDir();
const withNfs = (nfs: RawNfsConfig, roles: Record<string, string[]> = { h1: ["nfs-server"] }): RawConfig => ({
    hosts: labHosts(keyFile, 3),
    roles,
    nfs,
});

const problemsOf = (config: RawConfig) => configProblems(config, dir);

describe("nfs config validation", () => {
    it("fills in defaults: nfs-kernel-server, Twister2's path, the cluster's hosts as clients, mounted nowhere without agents", () => {
        const nfs = parseStackConfig(withNfs({}), dir).nfs!;
        expect(nfs).toMatchObject({
            implementation: "kernel", path: twister2NfsPath, clients: ["10.77.0.11", "10.77.0.12", "10.77.0.13"],
            ownerUid: 0, ownerGid: 0, mode: "1777", gracePeriod: undefined, mountOn: [],
        });
        expect(nfs.server.name).toBe("h1");
    });

    it("mounts on extra hosts from mountOn, never on the server", () => {
        const nfs = parseStackConfig(withNfs({ mountOn: ["h3", "h2"], clients: ["10.77.0.0/24"] }), dir).nfs!;
        expect(nfs.mountOn.map((h) => h.name)).toEqual(["h2", "h3"]);
    });

    it("declares no share without an nfs-server host, but still checks the settings", () => {
        expect(parseStackConfig(withNfs({ implementation: "ganesha" }, { h1: [] }), dir).nfs).toBeUndefined();
        expect(problemsOf(withNfs({ clients: ["*"] }, { h1: [] }))).toHaveLength(1);
    });

    const cases: [string, RawConfig, RegExp][] = [
        ["'*' as a client", withNfs({ clients: ["*"] }),
            /^nfs\.clients\[0\]: '\*' opens the share to the world; list the hosts' addresses or their subnet/],
        ["0.0.0.0/0 as a client", withNfs({ clients: ["10.77.0.0/24", "0.0.0.0/0"] }), /^nfs\.clients\[1\]: '0\.0\.0\.0\/0' opens the share to the world/],
        ["a wildcard DNS name", withNfs({ clients: ["*.example.com"] }), /^nfs\.clients\[0\]: '\*\.example\.com' opens the share to the world/],
        ["a /4 network", withNfs({ clients: ["16.0.0.0/4"] }), /^nfs\.clients\[0\]: '16\.0\.0\.0\/4' opens the share to the world/],
        ["a client that is no address", withNfs({ clients: ["10.77.0.300"] }), /^nfs\.clients\[0\]: '10\.77\.0\.300' is not an IP address, IPv4 CIDR/],
        ["clients that are not a list", withNfs({ clients: "10.77.0.0/24" }), /^nfs\.clients: give a list of addresses/],
        ["two nfs-server hosts", withNfs({}, { h1: ["nfs-server"], h2: ["nfs-server"] }),
            /^roles: 2 hosts are nfs-server \(h1, h2\); give exactly one host the nfs-server role/],
        ["a relative path", withNfs({ path: "nfs/twister2" }), /^nfs\.path: 'nfs\/twister2' is not an absolute directory path/],
        ["a path with '..'", withNfs({ path: "/nfs/../etc" }), /^nfs\.path: '\/nfs\/\.\.\/etc' is not an absolute directory path/],
        ["a path with a space", withNfs({ path: "/nfs/my share" }), /^nfs\.path: '\/nfs\/my share' is not an absolute directory path/],
        ["the root directory", withNfs({ path: "/" }), /^nfs\.path: '\/' is not an absolute directory path/],
        ["a system directory", withNfs({ path: "/etc/twister2" }), /^nfs\.path: \/etc\/twister2 is a system directory; export a directory of its own/],
        ["an unknown implementation", withNfs({ implementation: "samba" }), /^nfs\.implementation: 'samba' is not an NFS server; use kernel \(nfs-kernel-server\) or ganesha/],
        ["an owner that is no uid", withNfs({ ownerUid: -1 }), /^nfs\.ownerUid: -1 is not a numeric user id/],
        ["a group that is no gid", withNfs({ ownerGid: "staff" }), /^nfs\.ownerGid: staff is not a numeric group id/],
        ["a mode that is not octal", withNfs({ mode: "0999" }), /^nfs\.mode: '0999' is not an octal mode/],
        ["mount that is not a boolean", withNfs({ mount: "yes" }), /^nfs\.mount: 'yes' is not true or false/],
        ["mountOn an unknown host", withNfs({ mountOn: ["h9"] }), /^nfs\.mountOn: no host is named 'h9'; known hosts: h1, h2, h3/],
        ["mountOn the server", withNfs({ mountOn: ["h1"] }), /^nfs\.mountOn: h1 is the nfs-server; it has the files at \/nfs\/shared-mesos\/twister2 already/],
        ["mountOn with mount off", withNfs({ mount: false, mountOn: ["h2"] }), /^nfs\.mountOn: nfs\.mount is false, so no host mounts the share/],
        ["a mounting host the clients leave out", withNfs({ clients: ["10.77.0.11", "10.77.0.13"], mountOn: ["h2", "h3"] }),
            /^nfs\.clients: h2 \(10\.77\.0\.12\) mounts the share but no entry of nfs\.clients allows it; add its address or subnet/],
        ["a grace period for the kernel server", withNfs({ gracePeriod: 15 }), /^nfs\.gracePeriod: only nfs-ganesha takes it from this program/],
        ["a grace period out of ganesha's range", withNfs({ implementation: "ganesha", gracePeriod: 600 }), /^nfs\.gracePeriod: 600 is not a number of seconds from 1 to 180/],
    ];
    it.each(cases)("refuses %s", (_, config, message) => {
        const problems = problemsOf(config);
        expect(problems.some((p) => message.test(p)), `problems were:\n${problems.join("\n")}`).toBe(true);
    });

    it("reports every problem at once", () => {
        const problems = problemsOf(withNfs({ clients: ["*"], path: "relative", implementation: "nfsd" }, { h1: ["nfs-server"], h3: ["nfs-server"] }));
        expect(problems).toHaveLength(4);
    });

    it("matches mounting hosts against addresses and IPv4 subnets", () => {
        expect(clientAllows("10.77.0.0/24", "10.77.0.14")).toBe(true);
        expect(clientAllows("10.77.0.0/24", "10.78.0.14")).toBe(false);
        expect(clientAllows("10.77.0.14", "10.77.0.14")).toBe(true);
        expect(clientAllows("10.77.0.14/32", "10.77.0.15")).toBe(false);
        expect(clientAllows("node4.example.org", "node4.example.org")).toBe(true);
    });
});

/** What a function of host/nfs-server.sh prints, given its settings (the function alone, cut out of the script). */
function exportFile(fn: "kernel_exports" | "ganesha_config", settings: Record<string, string>): string {
    const script = fs.readFileSync(path.join(__dirname, "host", "nfs-server.sh"), "utf8");
    const definition = new RegExp(`^${fn}\\(\\) \\{\n[\\s\\S]*?\n\\}\n\n`, "m").exec(script)?.[0];
    expect(definition, `${fn} in nfs-server.sh`).toBeDefined();
    const run = spawnSync("bash", ["-euo", "pipefail", "-c", `${definition}\n${fn}`], { env: { PATH: process.env.PATH, GRACE_PERIOD: "", ...settings }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(run.status, run.stderr).toBe(0);
    return run.stdout;
}
const kernelExports = (exportPath: string, clients: string[]) => exportFile("kernel_exports", { EXPORT_PATH: exportPath, CLIENTS: clients.join(" ") });
const ganeshaConfig = (exportPath: string, clients: string[], gracePeriod?: number) =>
    exportFile("ganesha_config", { EXPORT_PATH: exportPath, CLIENTS: clients.join(" "), GRACE_PERIOD: gracePeriod === undefined ? "" : String(gracePeriod) });

describe("the export, as nfs-server.sh writes it", () => {
    it("for nfs-kernel-server: every client read-write, synchronous, root squashed", () => {
        expect(kernelExports("/nfs/t2", ["10.0.0.1", "10.1.0.0/16"])).toBe(
            "/nfs/t2 10.0.0.1(rw,sync,no_subtree_check,root_squash,secure) 10.1.0.0/16(rw,sync,no_subtree_check,root_squash,secure)\n");
    });

    it("for nfs-ganesha: the same meaning, NFSv4 over TCP, and nobody but the clients", () => {
        const conf = ganeshaConfig("/srv/t2", ["10.0.0.1", "10.1.0.0/16"]);
        const exportBlock = conf.slice(conf.indexOf("EXPORT {"));
        for (const line of ["Path = \"/srv/t2\";", "Pseudo = \"/srv/t2\";", "Squash = Root_Squash;", "Protocols = 4;", "Transports = TCP;",
            "SecType = sys;", "Anonymous_Uid = 65534;", "Anonymous_Gid = 65534;", "Clients = 10.0.0.1, 10.1.0.0/16;", "Name = VFS;"]) {
            expect(exportBlock).toContain(line);
        }
        // The export's own access is None: only the CLIENT block grants RW.
        expect(exportBlock.slice(0, exportBlock.indexOf("CLIENT {"))).toMatch(/Access_Type = None;/);
        expect(exportBlock.slice(exportBlock.indexOf("CLIENT {"))).toMatch(/Access_Type = RW;/);
        expect(conf).toContain("Enable_NLM = false;");
        expect(conf).toMatch(/^# Written by twister2-cluster \(NfsShare\); `pulumi destroy` removes it\.\n/);
        expect(conf).not.toContain("NFSv4 {");
    });

    it("for nfs-ganesha with a grace period: a lease no longer than the grace period", () => {
        expect(ganeshaConfig("/srv/t2", ["h1"], 15)).toMatch(/NFSv4 \{\n.*\n    Grace_Period = 15;\n    Lease_Lifetime = 15;\n\}/);
        expect(ganeshaConfig("/srv/t2", ["h1"], 120)).toContain("Lease_Lifetime = 60;");
    });
});

describe("the stacks' nfs settings", () => {
    const nfsOf = (file: string) => {
        const config = YAML.parse(fs.readFileSync(path.join(__dirname, "..", "..", file), "utf8")).config;
        return { nfs: config["twister2-cluster:nfs"] as RawNfsConfig, roles: config["twister2-cluster:roles"] as Record<string, string[]> };
    };

    it("dev (the lab): ganesha under the bind-mounted /srv, no mounts", () => {
        const { nfs, roles } = nfsOf("Pulumi.dev.yaml");
        const hosts = labHosts(keyFile).map((h) => ({ ...h, port: 22, roles: roles[h.name] ?? [] }));
        const { config: parsed, problems } = checkComponent(nfsComponent, nfs, hosts, dir);
        expect(problems).toEqual([]);
        expect(parsed).toMatchObject({ implementation: "ganesha", mountOn: [] });
        expect(parsed!.path.startsWith("/srv/")).toBe(true);
    });

    it("prod: nfs-kernel-server for the hosts' subnet, mounted on the agents", () => {
        const { nfs, roles } = nfsOf("Pulumi.prod.yaml");
        const hosts = [1, 2, 3, 4, 5].map((i) => ({
            name: `node${i}`, address: `192.0.2.1${i}`, user: "admin", port: 22, privateKeyFile: keyFile, hostKey: "k", roles: roles[`node${i}`],
        }));
        const { config: parsed, problems } = checkComponent(nfsComponent, nfs, hosts, dir);
        expect(problems).toEqual([]);
        expect(parsed).toMatchObject({ implementation: "kernel", clients: ["192.0.2.0/24"], path: twister2NfsPath });
        expect(parsed!.mountOn.map((h) => h.name)).toEqual(["node4", "node5"]);
    });
});

describe("NfsShare under mocks", () => {
    let recorded: RecordedResource[];
    let program: Record<string, any>;
    const named = (name: string) => recorded.find((r) => r.name === name);

    beforeAll(async () => {
        recorded = installMocks("unit-nfs");
        pulumi.runtime.setAllConfig({
            "twister2-cluster:hosts": JSON.stringify(labHosts(keyFile, 3)),
            "twister2-cluster:roles": JSON.stringify({ h1: ["nfs-server"], h2: [], h3: [] }),
            "twister2-cluster:nfs": JSON.stringify({ clients: ["10.77.0.0/24"], mountOn: ["h2", "h3"], ownerUid: 1000, ownerGid: 1000, mode: "0775" }),
        });
        process.chdir(dir);
        program = await import("../../index");
        await valueOf(program.nfsShare.path);
    });

    it("exports the directory from the nfs-server host, and undoes it on destroy", () => {
        const server = named("nfs-server")!;
        expect(server.type).toBe(hostScriptType);
        expect(server.inputs.connection.host).toBe("10.77.0.11");
        expect(server.inputs.create).toContain("nfs-server.sh");
        expect(server.inputs.create).toContain("IMPLEMENTATION=kernel");
        expect(server.inputs.create).toContain("EXPORT_PATH=/nfs/shared-mesos/twister2");
        expect(server.inputs.create).toContain("CLIENTS=10.77.0.0/24");
        expect(server.inputs.create).toContain("OWNER=1000:1000");
        expect(server.inputs.create).toContain("MODE=0775");
        expect(server.inputs.delete).toContain("nfs-server-remove.sh");
        expect(server.inputs.delete).toContain("EXPORT_PATH=/nfs/shared-mesos/twister2");
        // Another server program or path replaces the export (old one removed first).
        expect(server.inputs.triggers).toEqual(["kernel", "/nfs/shared-mesos/twister2"]);
    });

    it("mounts the share at the same path on every client, and unmounts on destroy", () => {
        for (const host of ["h2", "h3"]) {
            const mount = named(`nfs-mount-${host}`)!;
            expect(mount.inputs.create).toContain("nfs-mount.sh");
            expect(mount.inputs.create).toContain("SERVER=10.77.0.11");
            expect(mount.inputs.create).toContain("MOUNT_POINT=/nfs/shared-mesos/twister2");
            expect(mount.inputs.create).toContain("OPTIONS=rw,hard,noatime,_netdev,nofail");
            expect(mount.inputs.delete).toContain("nfs-unmount.sh");
        }
        expect(named("nfs-mount-h1")).toBeUndefined();
        expect(recorded.filter((r) => r.type === "twister2:cluster:NfsShare")).toHaveLength(1);
    });

    it("needs no Docker on the server", () => {
        expect(recorded.filter((r) => r.type === "twister2:cluster:DockerHost")).toHaveLength(0);
    });

    it("gives Twister2 the server's address and the path", async () => {
        expect(await valueOf(program.nfsShare.address)).toBe("10.77.0.11");
        expect(await valueOf(program.nfsShare.path)).toBe("/nfs/shared-mesos/twister2");
    });
});
