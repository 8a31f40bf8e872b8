// The one place that decides how this program talks to a host: the connection (pinned host key; the
// dialing itself is in hostScriptProvider.ts), how a host script and its settings become a command,
// and how secrets travel (stdin only, never in command text).
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { hostScriptProvider } from "./hostScriptProvider";

/** A machine the cluster is built on, as the stack config describes it. */
export interface Host {
    /** Short name used in resource names and outputs (h1, zk-1, ...). */
    name: string;
    /** IP address (or DNS name) that other hosts and this program reach it at. */
    address: string;
    /** SSH login; a user with passwordless sudo, never root. */
    user: string;
    port: number;
    /** Path of the SSH private key on the machine that runs `pulumi`. */
    privateKeyFile: string;
    /** The host's public SSH host key (`ssh-ed25519 AAAA...`); connections to any other key fail. */
    hostKey: string;
}

/** Host-side shell lives in scripts/host/; every script is prefixed with the shared library. */
const hostScriptsDir = path.join(__dirname, "..", "scripts", "host");

const readScript = (file: string): string => fs.readFileSync(path.join(hostScriptsDir, file), "utf8");

/** Settings a script receives as environment variables. Values are never secret. */
export type ScriptSettings = Record<string, pulumi.Input<string | number | boolean>>;

export function shellQuote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Turns a host script and its settings into the command line that runs it as root:
 * `sudo env K='v' ... bash -c '<lib.sh + script>' <script name>`.
 * The script text and every setting are part of the command, so changing either re-runs exactly
 * the commands it affects. Standard input stays free for secrets.
 */
export function scriptCommand(file: string, settings: ScriptSettings = {}): pulumi.Output<string> {
    const body = `${readScript("lib.sh")}\n${readScript(file)}`;
    return pulumi.all(settings).apply((resolved) => {
        const env = Object.keys(resolved)
            .sort()
            .map((key) => {
                if (!/^[A-Z][A-Z0-9_]*$/.test(key)) throw new Error(`setting name ${key} is not an environment variable name`);
                return `${key}=${shellQuote(String(resolved[key]))}`;
            });
        return ["sudo", "env", ...env, "bash", "-c", shellQuote(body), file].join(" ");
    });
}

/** Where a HostScript connects; shown in diffs. The private key travels apart from it, as a secret. */
export function connectionTo(host: Host) {
    return { host: host.address, port: host.port, user: host.user, hostKey: host.hostKey };
}

const privateKeys = new Map<string, pulumi.Output<string>>();
/** Each key file is read once per program run, however many steps use it. */
export function privateKeyOf(host: Host): pulumi.Output<string> {
    let key = privateKeys.get(host.privateKeyFile);
    if (!key) {
        key = pulumi.secret(fs.readFileSync(host.privateKeyFile, "utf8"));
        privateKeys.set(host.privateKeyFile, key);
    }
    return key;
}

export interface HostScriptArgs {
    host: Host;
    /** Script under scripts/host/ run on create (and again when it or its settings change: every script is idempotent). */
    create?: string;
    createSettings?: ScriptSettings;
    /** Script that undoes `create`; it runs with the settings and connection last deployed. */
    delete?: string;
    deleteSettings?: ScriptSettings;
    /** Secret material for the script, read from standard input. */
    stdin?: pulumi.Input<string>;
    /** The script prints a secret on stdout: mark it secret. */
    secretStdout?: boolean;
    /** Values whose change must replace (undo, then run again) the step rather than re-run it. */
    triggers?: pulumi.Input<unknown>[];
}

/** One step on one host: a script run over SSH as root, with its undo. */
export class HostScript extends pulumi.dynamic.Resource {
    /** What the script printed on stdout. (`declare`: the base constructor sets it; a class field would reset it.) */
    declare public readonly stdout: pulumi.Output<string>;

    constructor(name: string, args: HostScriptArgs, opts?: pulumi.CustomResourceOptions) {
        super(hostScriptProvider, name, {
            connection: connectionTo(args.host),
            privateKey: privateKeyOf(args.host),
            script: args.create ?? args.delete ?? "",
            create: args.create ? scriptCommand(args.create, args.createSettings) : undefined,
            delete: args.delete ? scriptCommand(args.delete, args.deleteSettings) : undefined,
            stdin: args.stdin === undefined ? undefined : pulumi.secret(args.stdin),
            triggers: args.triggers,
            stdout: undefined,
        }, {
            ...opts,
            additionalSecretOutputs: args.secretStdout ? ["stdout"] : opts?.additionalSecretOutputs,
            customTimeouts: { create: "20m", update: "20m", delete: "10m", ...opts?.customTimeouts },
        }, "twister2", "HostScript");
    }
}

/** The last non-empty line a script printed on stdout: its result. */
export function lastLine(text: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.output(text).apply((t) => t.trim().split("\n").pop()?.trim() ?? "");
}

/** Writes an OpenSSH known_hosts file pinning every host's key, for tools that shell out to `ssh`. */
export function writeKnownHosts(file: string, hosts: Host[]): void {
    const lines = hosts.map((h) => `${h.port === 22 ? h.address : `[${h.address}]:${h.port}`} ${h.hostKey}`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${lines.join("\n")}\n`, { mode: 0o644 });
}
