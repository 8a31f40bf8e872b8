// The job-package uploader on the lab, used the way Twister2 uses it: another host rsyncs a job package
// into the directory as the upload account (a key pair made by this test), a third host downloads it
// over HTTP byte for byte; the web server refuses writes and listings, root cannot log in with the key,
// the key can do nothing but upload into the directory (no shell, no other path), nothing the account
// could plant turns root's next run, and destroy leaves nothing behind. Its stack lives where a team's
// would, in PostgreSQL (the lab's, Debian's package): a second `pulumi up` while one runs is refused and
// told who holds the lock, the state outlives a restart of the database, and `npm run recover` clears the
// lock a killed run left there.
import { execFileSync, spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StackOutputs } from "../../components/outputs";
import { postgresTarget } from "../../ops/recover/locks";
import { LabHost, labDir, labInventory, onHost, onHostAsync, projectDir, PulumiStack, reportTimings } from "./harness";

let hosts: LabHost[];
let stack: PulumiStack;
let server: LabHost; // the uploader
let client: LabHost; // where Twister2's submitting client would run
let reader: LabHost; // a worker downloading packages
let outputs: NonNullable<StackOutputs["uploader"]>;

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "t2-e2e-uploader-"));
const uploadKey = path.join(scratch, "id_ed25519");
const corePackage = path.join(scratch, "twister2-core-e2e.tar.gz");
const sha256 = (data: Buffer) => crypto.createHash("sha256").update(data).digest("hex");

/** As Twister2's uploader runs its commands: ssh with the upload key, the uploader's host key pinned. */
const sshOptions = "-i /root/t2-upload/key -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes " +
    "-o UserKnownHostsFile=/root/t2-upload/known_hosts -o ConnectTimeout=10";

/** HTTP status of METHOD url, from a lab host. */
const status = (from: LabHost, method: string, url: string, extra = "") =>
    onHost(from, `curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X ${method} ${extra} '${url}' || true`).stdout.trim();

/** `scripts/lab.sh postgres <action>`; the first start may install Debian's package (not spawnSync: that takes a while). */
async function labPostgres(action: "start" | "restart"): Promise<void> {
    const code = await new Promise<number | null>((resolve) =>
        spawn("bash", [path.join(projectDir, "scripts", "lab.sh"), "postgres", action], { stdio: "inherit" }).on("close", resolve));
    expect(code, `lab.sh postgres ${action}`).toBe(0);
}
let backendUrl: string;

/** The keys of the files Pulumi keeps in the backend's table. */
async function backendKeys(): Promise<string[]> {
    const { connectionString, table } = postgresTarget(backendUrl);
    const client = new Client({ connectionString });
    await client.connect();
    try {
        return (await client.query<{ key: string }>(`SELECT key FROM ${table} ORDER BY key`)).rows.map((row) => row.key);
    } finally {
        await client.end();
    }
}

beforeAll(async () => {
    hosts = labInventory();
    // A table of this run's own in the lab's database: nothing of an earlier run is in it.
    await labPostgres("start");
    backendUrl = `${fs.readFileSync(path.join(labDir, "postgres", "backend-url"), "utf8").trim()}&table=e2e_uploader_${Date.now()}`;
    [client, server, reader] = hosts;
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "t2-e2e-upload", "-f", uploadKey]);
    fs.writeFileSync(corePackage, crypto.randomBytes(512 * 1024));

    stack = new PulumiStack("e2e-uploader", "Pulumi.dev.yaml", { env: { PULUMI_BACKEND_URL: backendUrl } });
    await stack.init();
    // Only the uploader: Mesos needs the lab's repository, the swarm has its own tests.
    await stack.setConfig("roles", { [server.name]: ["uploader"] });
    await stack.removeConfig("zookeeper");
    await stack.setConfig("uploader", { publicKeys: [fs.readFileSync(`${uploadKey}.pub`, "utf8").trim()], corePackage });
    // The reader stands for a host that downloads packages: outside the stack, so the firewall admits it by name.
    await stack.setConfig("access", { uploaders: [reader.address] });

    // The client gets the private key, the uploader's pinned host key and rsync; the reader curl.
    onHost(client, `install -d -m 0700 /root/t2-upload
        cat >/root/t2-upload/key <<'KEY'
${fs.readFileSync(uploadKey, "utf8").trim()}
KEY
        chmod 0600 /root/t2-upload/key
        echo '${server.address} ${(server as LabHost & { hostKey: string }).hostKey}' >/root/t2-upload/known_hosts`);
    const install = (pkgs: string) => `for p in ${pkgs}; do command -v $p >/dev/null || missing="\${missing:-} $p"; done
        [ -z "\${missing:-}" ] || { apt-get update -qq && apt-get install -y -qq $missing; } >/dev/null`;
    await onHostAsync(client, install("rsync curl"));
    await onHostAsync(reader, install("curl"));
});

afterAll(async () => {
    await stack?.dispose();
    if (client) onHost(client, "rm -rf /root/t2-upload /tmp/t2-job", { check: false });
    reportTimings("uploader-timings.json");
    fs.rmSync(scratch, { recursive: true, force: true });
});

describe("the job-package uploader on the lab", () => {
    it("pulumi up deploys nginx and the upload account, and exports Twister2's settings; a second up meanwhile is refused, naming the first", async () => {
        const first = await stack.running("up", /Updating \(e2e-uploader\)/);
        const second = await stack.up({ check: false });
        const refusal = second.stdout + second.stderr;
        expect(second.ok, refusal).toBe(false);
        expect(refusal).toMatch(new RegExp(`currently locked by 1 lock\\(s\\)[\\s\\S]*created by \\S+@${os.hostname()} \\(pid ${first.pid}\\)`));
        // The backend's URL is named without its password.
        expect(refusal).toContain("postgres://****:****@127.0.0.1");
        expect(refusal).not.toContain(new URL(backendUrl).password);
        const { code, output } = await first.ended;
        expect(code, output.slice(-5000)).toBe(0);
        outputs = await stack.output("uploader");
        expect(outputs).toEqual({
            url: `http://${server.address}:8082/twister2/mesos/`,
            fetchUri: `http://${server.address}:8082`,
            directory: "/var/www/html/twister2/mesos/",
            scpConnection: `twister2@${server.address}`,
            sshConnection: `twister2@${server.address}`,
            corePackageUrl: `http://${server.address}:8082/twister2/mesos/twister2-core-e2e.tar.gz`,
        });
        // The account owns the directory alone: its home and keys are root's, its shell dash.
        const files = onHost(server, "stat -c '%U %a %n' /home/twister2 /home/twister2/.ssh /home/twister2/.ssh/authorized_keys /var/www/html/twister2/mesos; getent passwd twister2 | cut -d: -f7").stdout;
        expect(files.trim().split("\n")).toEqual([
            "root 755 /home/twister2", "root 755 /home/twister2/.ssh", "root 644 /home/twister2/.ssh/authorized_keys",
            "twister2 755 /var/www/html/twister2/mesos", "/bin/sh",
        ]);
    });

    it("serves a job package rsynced the way Twister2 uploads it, byte for byte, to another host", () => {
        const sent = onHost(client, `rm -rf /tmp/t2-job && install -d -m 0755 /tmp/t2-job/payload
            head -c 2000000 /dev/urandom >/tmp/t2-job/payload/job.bin
            tar -C /tmp/t2-job -czf /tmp/t2-job/twister2-job.tar.gz payload && rm -rf /tmp/t2-job/payload
            rsync --chmod=+rwx -a -e 'ssh ${sshOptions}' /tmp/t2-job/ ${outputs.scpConnection}:${outputs.directory}
            sha256sum /tmp/t2-job/twister2-job.tar.gz | cut -d' ' -f1`).stdout.trim();
        const got = onHost(reader, `curl -sf --max-time 30 -o /tmp/t2-job.tar.gz '${outputs.url}twister2-job.tar.gz'
            sha256sum /tmp/t2-job.tar.gz | cut -d' ' -f1; rm -f /tmp/t2-job.tar.gz`).stdout.trim();
        expect(sent).toMatch(/^[0-9a-f]{64}$/);
        expect(got).toBe(sent);
        expect(status(reader, "HEAD", `${outputs.url}twister2-job.tar.gz`, "-I")).toBe("200");
    });

    it("refuses the web server to a host neither in the stack nor among access.uploaders, at the host's firewall", () => {
        // The client uploads over SSH (left open), but is not an uploader for HTTP: the connection is reset.
        expect(status(client, "GET", `${outputs.url}twister2-job.tar.gz`)).toBe("000");
        const firewall = onHost(server, "nft list table inet twister2_cluster").stdout;
        expect(firewall).toMatch(new RegExp(`ip saddr ${reader.address.replace(/\./g, "\\.")} tcp dport 8082 accept`));
        expect(firewall).toMatch(/tcp dport 8082 reject with tcp reset/);
        expect(onHost(server, "systemctl is-enabled twister2-cluster-firewall").stdout.trim()).toBe("enabled");
    });

    it("publishes the core package from the machine running pulumi", () => {
        const got = onHost(reader, `curl -sf --max-time 30 '${outputs.corePackageUrl}' | sha256sum | cut -d' ' -f1`).stdout.trim();
        expect(got).toBe(sha256(fs.readFileSync(corePackage)));
    });

    it("re-publishes a changed core package, and keeps its bytes out of the state", async () => {
        fs.writeFileSync(corePackage, crypto.randomBytes(256 * 1024));
        const up = await stack.up();
        // Copied again and published in place (swapped atomically on the host), not removed and re-made.
        expect(up.stdout).toMatch(/2 updated/);
        expect(up.stdout).not.toMatch(/replaced/);
        const got = onHost(reader, `curl -sf --max-time 30 '${outputs.corePackageUrl}' | sha256sum | cut -d' ' -f1`).stdout.trim();
        expect(got).toBe(sha256(fs.readFileSync(corePackage)));
        const state = JSON.stringify(await stack.exportState({ showSecrets: true }));
        expect(state).not.toContain(fs.readFileSync(corePackage).subarray(0, 3000).toString("base64"));
        expect(state).toContain(sha256(fs.readFileSync(corePackage)));
    });

    it("refuses writes and listings over HTTP", () => {
        const file = `${outputs.url}twister2-job.tar.gz`;
        expect(status(reader, "PUT", `${outputs.url}new.tar.gz`, "--data-binary x")).toBe("405");
        expect(status(reader, "DELETE", file)).toBe("405");
        expect(status(reader, "POST", file, "--data x")).toBe("405");
        expect(status(reader, "GET", outputs.url)).toMatch(/^40[34]$/);
        expect(status(reader, "GET", `${outputs.fetchUri}/`)).toBe("404");
        expect(status(reader, "GET", `${outputs.fetchUri}/index.nginx-debian.html`)).toBe("404");
        // This program installed nginx, so the package's default site (port 80) is off.
        expect(status(reader, "GET", `http://${server.address}/`)).toBe("000");
        expect(onHost(server, "test -f /var/www/html/twister2/mesos/twister2-job.tar.gz && echo kept").stdout.trim()).toBe("kept");
    });

    it("lets the upload account mkdir -p and rm -rf in its directory over ssh, and refuses root with the same key", () => {
        const made = () => onHost(server, `test -d ${outputs.directory}job-1/x && echo made || echo none`).stdout.trim();
        // -n: these ssh commands must not read the rest of this script (onHost sends it on stdin).
        onHost(client, `ssh -n ${sshOptions} ${outputs.sshConnection} mkdir -p ${outputs.directory}job-1/x`);
        expect(made()).toBe("made");
        onHost(client, `ssh -n ${sshOptions} ${outputs.sshConnection} rm -rf ${outputs.directory}job-1`);
        expect(made()).toBe("none");
        const root = onHost(client, `ssh -n ${sshOptions} root@${server.address} true 2>&1 && echo root-in || echo "root refused $?"`).stdout;
        expect(root).toMatch(/Permission denied/);
        expect(root).toMatch(/^root refused 255$/m);
    });

    it("lets the upload key do nothing else: no shell, pty, forwarding, other command, download or path outside its directory", () => {
        // (onHost's shell stops at the first failure: the status is kept by hand.)
        const as = (args: string) => onHost(client, `s=0; ssh -n ${sshOptions} ${args} 2>&1 || s=$?; echo "exit $s"`).stdout.trim();
        const refused = /the upload account only uploads job packages/;
        // The doors a full login would open: a shell, a pty, any command, and a home to plant files in.
        // A pty, forced: sshd refuses it (restrict) before anything runs.
        expect(as(`-tt ${outputs.sshConnection}`)).toMatch(/^PTY allocation request failed/);
        for (const attempt of ["", "bash -i", "'cat /etc/passwd'", "'rm -rf ~/.ssh'", "'mkdir -p /tmp/t2-outside'",
            `'rm -rf ${outputs.directory}'`, `'mkdir -p ${outputs.directory}../escape'`, `'rm -rf ${outputs.directory}a ${outputs.directory}b'`]) {
            const out = as(`${outputs.sshConnection} ${attempt}`);
            expect(out, attempt).toMatch(refused);
            expect(out, attempt).toMatch(/exit 1$/);
        }
        expect(onHost(server, "test -e /tmp/t2-outside && echo made || echo none").stdout.trim()).toBe("none");
        // Port forwarding (restrict): sshd refuses the forward, so ssh gives up before the command.
        expect(as(`-o ExitOnForwardFailure=yes -R 15022:127.0.0.1:22 ${outputs.sshConnection} mkdir -p ${outputs.directory}`))
            .toMatch(/remote port forwarding failed[\s\S]*exit 255$/);
        // rsync (rrsync): out of its directory, and downloads, are refused; into it works, as above.
        const rsync = (args: string) => onHost(client, `s=0; rsync -a -e 'ssh ${sshOptions}' ${args} 2>&1 || s=$?; echo "exit $s"`).stdout.trim();
        // A path outside the directory is taken as one inside it (rrsync confines every path): nothing lands in /tmp.
        rsync(`/etc/hostname ${outputs.scpConnection}:/tmp/`);
        expect(onHost(server, `test -e /tmp/hostname && echo outside; test -f ${outputs.directory}tmp/hostname && echo confined; true`).stdout.trim()).toBe("confined");
        onHost(client, `ssh -n ${sshOptions} ${outputs.sshConnection} rm -rf ${outputs.directory}tmp`);
        expect(rsync(`${outputs.scpConnection}:/etc/passwd /tmp/t2-stolen`)).toMatch(/exit [1-9]\d*$/);
        expect(rsync(`${outputs.scpConnection}:${outputs.directory}twister2-job.tar.gz /tmp/t2-stolen`)).toMatch(/exit [1-9]\d*$/);
        expect(onHost(client, "test -e /tmp/t2-stolen && echo got || echo none").stdout.trim()).toBe("none");
    });

    it("re-runs its step with a new key as root without following anything the account could plant", async () => {
        // What the account could do on the host (as itself): its home and .ssh are root's, so nothing.
        const planted = onHost(server, "s=0; runuser -u twister2 -- sh -c 'rm -rf ~/.ssh; ln -s /usr/local/bin ~/.ssh; touch ~/.profile' 2>&1 || s=$?; echo \"exit $s\"").stdout.trim();
        expect(planted).toMatch(/Permission denied/);
        expect(planted).toMatch(/exit [1-9]\d*$/);
        // A routine change: a second key. The step rewrites authorized_keys, and nothing of root's moves.
        const second = path.join(scratch, "id_second");
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "t2-e2e-second", "-f", second]);
        const before = onHost(server, "stat -c '%U %a' /usr/local/bin /usr/local/bin/twister2-step").stdout;
        await stack.setConfig("uploader", { publicKeys: [fs.readFileSync(`${uploadKey}.pub`, "utf8").trim(), fs.readFileSync(`${second}.pub`, "utf8").trim()], corePackage });
        await stack.up();
        expect(onHost(server, "stat -c '%U %a' /usr/local/bin /usr/local/bin/twister2-step").stdout).toBe(before);
        expect(onHost(server, "stat -c '%U %a %n' /home/twister2/.ssh /home/twister2/.ssh/authorized_keys; grep -c '^restrict,command=' /home/twister2/.ssh/authorized_keys").stdout.trim().split("\n"))
            .toEqual(["root 755 /home/twister2/.ssh", "root 644 /home/twister2/.ssh/authorized_keys", "2"]);
    });

    it("previews no changes when converged", async () => {
        await stack.preview({ expectNoChanges: true });
    });

    it("keeps its state in PostgreSQL, through a restart of the database, and npm run recover clears a killed run's lock there", async () => {
        expect((await backendKeys()).filter((key) => key.endsWith(".pulumi/stacks/twister2-cluster/e2e-uploader.json"))).toHaveLength(1);
        await labPostgres("restart");
        await stack.preview({ expectNoChanges: true });

        // A routine change (the first key alone again), first as a pull request's preview job shows it.
        await stack.setConfig("uploader", { publicKeys: [fs.readFileSync(`${uploadKey}.pub`, "utf8").trim()], corePackage });
        const comment = await stack.prPreview();
        expect(comment.code, comment.stderr).toBe(0);
        expect(comment.stdout).toMatch(/^\| UploaderServer `uploader` \| 10\.77\.0\.\d+ \| `uploader-server` \| update: runs `uploader-server\.sh` again \|$/m);
        expect(comment.stdout).toMatch(/<details><summary>pulumi preview --diff<\/summary>[\s\S]*uploader-server[\s\S]*<\/details>/);
        // The policy pack ran with the preview: its verdict in the summary.
        expect(comment.stdout).toContain("Policy pack: every rule kept.");
        expect(comment.stdout + comment.stderr).not.toContain(new URL(backendUrl).password);
        // Then the up, killed while it holds the lock, as a power loss would.
        await stack.killed("up", /Updating \(e2e-uploader\)/, 1);
        expect((await backendKeys()).some((key) => key.includes(".pulumi/locks/"))).toBe(true);
        const locked = await stack.up({ check: false });
        expect(locked.ok).toBe(false);
        expect(locked.stdout + locked.stderr).toMatch(/currently locked/);
        const recovered = await stack.recover();
        expect(recovered.stderr).toMatch(/no longer runs \(interrupted\); clearing its lock/);
        expect((await backendKeys()).some((key) => key.includes(".pulumi/locks/"))).toBe(false);
        await stack.up();
        expect(onHost(server, "grep -c '^restrict,command=' /home/twister2/.ssh/authorized_keys").stdout.trim()).toBe("1");
        await stack.preview({ expectNoChanges: true });
    });

    it("pulumi destroy removes the site, nginx, the upload account, the directory and the firewall", async () => {
        await stack.destroy();
        const left = onHost(server, `ls /etc/nginx/sites-available/twister2-uploader /etc/nginx/sites-enabled/twister2-uploader 2>/dev/null || true
            ls /etc/systemd/system/twister2-cluster-firewall.service /etc/twister2-cluster 2>/dev/null || true
            command -v nft >/dev/null && nft list tables | grep twister2
            dpkg-query -W -f='\${Status}' nginx 2>/dev/null | grep -q 'install ok installed' && echo nginx-installed
            id twister2 2>/dev/null && echo account
            test -e /home/twister2 && echo home
            test -e /var/www/html/twister2 && echo directory
            true`).stdout.trim();
        expect(left).toBe("");
        expect(status(reader, "GET", outputs.corePackageUrl!)).toBe("000");
    });
});
