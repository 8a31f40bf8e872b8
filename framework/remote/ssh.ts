// The one way this program and its tools reach a host outside a Pulumi step (preflight, npm run check,
// smoke, recover, the e2e harness): plain `ssh` with the login's key (or the SSH agent's), the host keys
// pinned in a known_hosts file, no prompts, bounded dials and a dead connection dropped; through the
// host's bastion when it has one (a ProxyCommand with the same options, so the bastion's key is pinned too).
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Host } from "../config/hosts";
import { passwordPreamble, rootCommandLine, sudoPassword, withPassword } from "./sudo";

/** Where ssh goes: a host of the stack, or any login on it. */
export type SshTarget = Pick<Host, "address" | "user"> & Partial<Pick<Host, "port" | "privateKeyFile" | "sudoPasswordFile" | "sudoPassword" | "bastion">>;

export interface SshResult {
    /** ssh's exit status (255: ssh itself failed; then stderr says why; -1: it did not end in time). */
    code: number;
    stdout: string;
    stderr: string;
}

export interface SshRun {
    /** The OpenSSH known_hosts file that pins the host's key (writeKnownHosts). */
    knownHostsFile: string;
    /** Run as root through sudo (the default), or as the login itself. */
    asRoot?: boolean;
    /** Log in as another account with its key (the upload account), running `command` rather than a script. */
    login?: { user: string; key?: string };
    /** Seconds to connect (default 10). */
    connectTimeout?: number;
    /** How long the whole run may take (default 120 s). */
    timeoutMs?: number;
}

/**
 * The options of every `ssh` that this program and its tools run (the Docker provider's too): no user
 * ssh config, the login's key file only (or, without one, the agent's keys), the host keys pinned in
 * `knownHostsFile`, no prompts, `connectTimeout` seconds to connect. `key` logs in with another key. A
 * host with a bastion is reached through it: a ProxyCommand (`ssh -W`, what `-J` runs, which would not
 * take these options along) that logs in to the bastion with its own key, pinned in the same file.
 */
export function opensshOptions(host: SshTarget, knownHostsFile: string, key = host.privateKeyFile, connectTimeout = 10): string[] {
    const login = key === undefined ? [] : ["-i", key, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none"];
    const common = ["-o", `UserKnownHostsFile=${knownHostsFile}`, "-o", "GlobalKnownHostsFile=/dev/null",
        "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", `ConnectTimeout=${connectTimeout}`];
    const { bastion } = host;
    const jump = bastion === undefined ? [] : ["-o", `ProxyCommand=${["ssh", ...opensshOptions({ ...bastion, bastion: undefined }, knownHostsFile, bastion.privateKeyFile, connectTimeout),
        "-p", String(bastion.port), "-W", "%h:%p", `${bastion.user}@${bastion.address}`].map((word) => word === "%h:%p" ? word : shellQuote(word.replace(/%/g, "%%"))).join(" ")}`];
    return ["-F", "/dev/null", ...login, ...common, ...jump];
}

/** ssh's arguments for `run` on `host`, with the port and keepalives (a dead connection is dropped after 15 s). */
export function sshArguments(host: SshTarget, run: SshRun & { command?: string }): string[] {
    const user = run.login?.user ?? host.user;
    const command = run.command ?? (run.login || run.asRoot === false ? "bash -s" : rootCommandLine(host, ["bash -euo pipefail -s"]));
    return [...opensshOptions(host, run.knownHostsFile, run.login ? run.login.key : host.privateKeyFile, run.connectTimeout),
        "-p", String(host.port ?? 22), "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3", `${user}@${host.address}`, command];
}

/** What ssh sends on standard input: the script, after the host's sudo password when the script runs as root and sudo asks. */
function stdinOf(host: SshTarget, script: string, run: SshRun): string {
    if (run.login) return "";
    return run.asRoot === false ? script : withPassword(sudoPassword(host), script);
}

/** Runs `script` (bash, on standard input) on `host`, or with `login` the command `script`; waits for it. */
export function runSsh(host: SshTarget, script: string, run: SshRun): SshResult {
    const args = sshArguments(host, run.login ? { ...run, command: script } : run);
    const result = spawnSync("ssh", args, { input: stdinOf(host, script, run), encoding: "utf8", timeout: run.timeoutMs ?? 120_000 });
    return { code: result.status ?? -1, stdout: result.stdout ?? "", stderr: (result.stderr || String(result.error ?? "")).trim() };
}

/** runSsh without waiting: for many hosts at once. */
export function runSshAsync(host: SshTarget, script: string, run: SshRun): Promise<SshResult> {
    return new Promise((resolve) => {
        const child = spawn("ssh", sshArguments(host, run.login ? { ...run, command: script } : run), { timeout: run.timeoutMs ?? 120_000 });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("error", (err) => resolve({ code: -1, stdout, stderr: err.message }));
        child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr: stderr.trim() }));
        child.stdin.end(stdinOf(host, script, run));
    });
}

/** A word for the shell: as it is when the shell would read it so, else in single quotes. */
export const shellQuote = (value: string): string => /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;

export interface ProbeResult<H extends SshTarget = Host> extends SshResult {
    host: H;
    /** This machine's clock (seconds) just before ssh started and just after it ended. */
    startedAt: number;
    endedAt: number;
}

/**
 * Runs a read-only script (bash, as the SSH login; for a login whose sudo asks, with the password in
 * $T2_SUDO_PASSWORD, sudo.ts) on every host at once, at most 32 at a time. It is
 * synchronous: the program calls it before it declares anything, so a host that fails stops the run
 * before any step exists.
 */
export function probeHosts<H extends SshTarget>(hosts: H[], knownHostsFile: string, scriptFor: (host: H) => string): ProbeResult<H>[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "t2-probe-"));
    try {
        hosts.forEach((host, i) => {
            const ssh = ["ssh", ...sshArguments(host, { knownHostsFile, asRoot: false })];
            const at = (ext: string) => shellQuote(path.join(dir, `${i}.${ext}`));
            fs.writeFileSync(path.join(dir, `${i}.script`), scriptFor(host));
            // A sudoPassword (a secret of the config) reaches the probe's shell as a file's does: from a file
            // of this run's own directory (mode 700, removed when the probes end), never an argument.
            const passwordFile = host.sudoPassword === undefined ? host.sudoPasswordFile : path.join(dir, `${i}.password`);
            if (host.sudoPassword !== undefined) fs.writeFileSync(passwordFile!, `${sudoPassword(host)}\n`, { mode: 0o600 });
            fs.writeFileSync(path.join(dir, `${i}.sh`), [
                `date +%s >${at("started")}`,
                passwordFile === undefined
                    ? `${ssh.map(shellQuote).join(" ")} <${at("script")} >${at("out")} 2>${at("err")}`
                    : `{ ${passwordPreamble(passwordFile, shellQuote)}; cat ${at("script")}; } | ${ssh.map(shellQuote).join(" ")} >${at("out")} 2>${at("err")}`,
                `echo $? >${at("rc")}`,
                `date +%s >${at("ended")}`,
            ].join("\n") + "\n");
        });
        spawnSync("sh", ["-c", `ls ${shellQuote(dir)}/*.sh | xargs -n 1 -P 32 sh`], { stdio: "ignore", timeout: 120_000 + hosts.length * 1000 });
        const read = (i: number, ext: string) => {
            try {
                return fs.readFileSync(path.join(dir, `${i}.${ext}`), "utf8");
            } catch {
                return "";
            }
        };
        return hosts.map((host, i) => ({
            host, code: Number(read(i, "rc").trim() || -1), stdout: read(i, "out"), stderr: read(i, "err"),
            startedAt: Number(read(i, "started").trim()), endedAt: Number(read(i, "ended").trim()),
        }));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Writes an OpenSSH known_hosts file pinning every host's key and its bastion's, for tools that shell out to `ssh`. */
export function writeKnownHosts(file: string, hosts: Pick<Host, "address" | "port" | "hostKey" | "bastion">[]): void {
    const pinned = [...hosts, ...hosts.flatMap((h) => h.bastion ? [h.bastion] : [])];
    const lines = [...new Set(pinned.map((h) => `${h.port === 22 ? h.address : `[${h.address}]:${h.port}`} ${h.hostKey}`))];
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${lines.join("\n")}\n`, { mode: 0o644 });
}
