// The Pulumi resource provider behind HostScript: runs a command on a host over OpenSSH, with the
// host key pinned, dial retries, and secrets on stdin. It is a Pulumi dynamic provider, so Pulumi
// serializes this code into the stack's state: it must be self-contained (requires inside functions).
import * as pulumi from "@pulumi/pulumi";

/** What reaches the provider: the connection and the command lines HostScript built. */
export interface HostScriptInputs {
    connection: { host: string; port: number; user: string; hostKey: string };
    privateKey: string;
    /** The script's file name, for messages. */
    script: string;
    create?: string;
    delete?: string;
    stdin?: string;
    triggers?: unknown[];
}

interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs `command` on the connection's host; retries while sshd cannot be reached. */
export async function runOnHost(inputs: HostScriptInputs, command: string, what: string): Promise<string> {
    const conn = inputs.connection;
    const fs = require("node:fs");
    const os = require("node:os");
    const path = require("node:path");
    const { spawn } = require("node:child_process");

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "t2-ssh-"));
    const keyFile = path.join(dir, "key");
    const knownHosts = path.join(dir, "known_hosts");
    fs.writeFileSync(keyFile, inputs.privateKey.endsWith("\n") ? inputs.privateKey : `${inputs.privateKey}\n`, { mode: 0o600 });
    fs.writeFileSync(knownHosts, `${conn.port === 22 ? conn.host : `[${conn.host}]:${conn.port}`} ${conn.hostKey}\n`);
    const args = [
        "-i", keyFile, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
        "-o", `UserKnownHostsFile=${knownHosts}`, "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes",
        "-o", "BatchMode=yes", "-o", "ConnectTimeout=20", "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=8",
        "-o", "LogLevel=ERROR", "-p", String(conn.port), `${conn.user}@${conn.host}`, command,
    ];
    const once = () => new Promise<RunResult>((resolve) => {
        const child = spawn("ssh", args, { stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => {
            stderr += chunk.toString();
            // The engine shows a plugin's stderr live: the scripts' step lines become `pulumi up` progress.
            process.stderr.write(chunk);
        });
        child.on("error", (err: Error) => resolve({ code: -1, stdout, stderr: `${stderr}${err.message}` }));
        child.on("close", (code: number | null) => resolve({ code: code ?? -1, stdout, stderr }));
        child.stdin.on("error", () => undefined);
        child.stdin.end(inputs.stdin ?? "");
    });
    // ssh exits 255 when it cannot connect (sshd busy, host booting); then pause and dial again.
    const unreachable = (r: RunResult) => r.code === 255 &&
        /(Connection (refused|reset|closed|timed out)|timed out|kex_exchange_identification|No route to host|Network is unreachable|Broken pipe)/i.test(r.stderr);
    try {
        let result = await once();
        for (let attempt = 2; attempt <= 30 && unreachable(result); attempt++) {
            await new Promise((r) => setTimeout(r, 3000));
            result = await once();
        }
        if (result.code !== 0) {
            const tail = result.stderr.trim().split("\n").slice(-25).join("\n");
            throw new Error(`${what} failed on ${conn.user}@${conn.host} (exit ${result.code}):\n${tail}`);
        }
        return result.stdout;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Equal as JSON: how the dynamic providers here compare old and new inputs. */
export const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export const hostScriptProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: HostScriptInputs) {
        const stdout = inputs.create ? await runOnHost(inputs, inputs.create, inputs.script) : "";
        const id = `${inputs.connection.host}:${inputs.script}:${Date.now().toString(36)}`;
        return { id, outs: { ...inputs, stdout } };
    },

    async diff(_id: string, olds: HostScriptInputs, news: HostScriptInputs) {
        const changed = (["connection", "privateKey", "script", "create", "delete", "stdin", "triggers"] as const)
            .filter((key) => !same(olds[key], news[key]));
        return {
            changes: changed.length > 0,
            replaces: changed.includes("triggers") ? ["triggers"] : [],
            deleteBeforeReplace: true,
        };
    },

    // Scripts are idempotent, so a changed script (or secret input) simply runs again.
    async update(_id: string, olds: HostScriptInputs & { stdout?: string }, news: HostScriptInputs) {
        const rerun = news.create !== undefined && (!same(olds.create, news.create) || !same(olds.stdin, news.stdin));
        const stdout = rerun ? await runOnHost(news, news.create!, news.script) : olds.stdout ?? "";
        return { outs: { ...news, stdout } };
    },

    async delete(_id: string, olds: HostScriptInputs) {
        if (olds.delete) await runOnHost(olds, olds.delete, `${olds.script} (undo)`);
    },
};
