// The one place that decides how this program talks to a host: the connection (pinned host key,
// dialling), how a host script and its settings become a command, how secrets travel (stdin only,
// never in command text) and what is logged. A stack's steps are declared through its Remote, the
// per-stack context index.ts makes and passes to every component.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { PackageNeed, packageSettings } from "../packages/packages";
import { HostScript, packageScripts, scriptText } from "./hostScripts";
import type { Host } from "../config/hosts";
import { compactPrivateKey } from "./privateKey";
import { shellQuote } from "./ssh";
import { stepCommandLine } from "./stepCommand";
import { asksPassword, rootCommandLine, sudoPassword, withPassword } from "./sudo";

export type { HostScript } from "./hostScripts";

export type { Host } from "../config/hosts";

const sha256 = (text: string): string => crypto.createHash("sha256").update(text).digest("hex");
/** The library every host script runs on (prefixed to each), and the bundle's head that installs them. */
const libraryDir = path.join(__dirname, "host");
const sharedLibrary = fs.readFileSync(path.join(libraryDir, "lib.sh"), "utf8");
const bundleHead = fs.readFileSync(path.join(libraryDir, "host-scripts.sh"), "utf8");

/**
 * What every command shares: nothing travels in SSH environment requests, which stock sshd drops (the
 * provider would warn on every update). No customTimeouts: the command provider bounds only its dials
 * with them, never a command that runs; the dials are bounded by the connection (connectionTo), a host
 * that dies mid-command by TCP keepalive, and every script by its own waits and, behind them, lib.sh's
 * hour.
 */
const commandPolicy = { addPreviousOutputInEnv: false } as const;

/** Settings a script receives as environment variables. Values are never secret. */
export type ScriptSettings = Record<string, pulumi.Input<string | number | boolean>>;

export interface HostScriptArgs {
    host: Host;
    /** Script run on create (and again when it or its settings change: every script is idempotent). */
    create?: HostScript;
    createSettings?: ScriptSettings;
    /** Script that undoes `create`; it runs with the settings and connection last deployed. */
    delete?: HostScript;
    deleteSettings?: ScriptSettings;
    /** Secret material for the script, read from standard input. */
    stdin?: pulumi.Input<string>;
    /** The script prints a secret on stdout: mark it secret, and show only its stderr. */
    secretStdout?: boolean;
    /** Values whose change must replace (undo, then run again) the step rather than re-run it. */
    triggers?: pulumi.Input<unknown>[];
}

/** More of a host's setup step, after its packages (a host firewall): a script, and its settings to apply and to undo. */
export interface SetupPart {
    script: HostScript;
    settings: ScriptSettings;
    /** The settings it runs with on destroy, before the packages are purged. */
    undoSettings: ScriptSettings;
}

export interface RemoteOptions {
    /** The stack: names the bundle, `.twister2/<stack>/host-scripts.sh`. */
    stack: string;
    /** The checkout; the bundle's path is relative to it, so the same stack gives the same step inputs in any checkout. */
    projectDir: string;
    /** An OpenSSH known_hosts file pinning every host's key (writeKnownHosts), for the ssh that providers run (sshOptions). */
    knownHostsFile: string;
    /** Every host script a step may run: the components' contracts' (the framework adds its own). */
    scripts: readonly HostScript[];
}

/** Where a host's setup step copies the bundle, in the SSH login's home. */
const stagedBundle = ".twister2-cluster-host-scripts.sh";

/**
 * A stack's context for its steps on hosts: every step of the stack is declared through it. It holds
 * what the steps share: each host's setup step (which every other step on the host waits for), the
 * bundle of host scripts and files they run from, the private keys read once, and which step waits for
 * which (so that a step waits for its host's setup only when nothing it waits for does already).
 */
export class Remote {
    public readonly knownHostsFile: string;
    /** Each declared script's text (the library, then the script) and the hash that names it on hosts. */
    private readonly scripts = new Map<HostScript, { text: string; hash: string }>();
    /** Files steps read on their hosts, by their name there (`<hash>-<name>`). */
    private readonly hostFiles = new Map<string, string>();
    private readonly setups = new Map<string, command.remote.Command>();
    private readonly privateKeys = new Map<string, pulumi.Output<string>>();
    private readonly sudoPasswords = new Map<string, pulumi.Output<string>>();
    private readonly steps = new WeakMap<pulumi.Resource, { host: string; after: pulumi.Input<pulumi.Resource>[] }>();
    private readonly bundleFile: string;
    private readonly bundleSha256: pulumi.Output<string>;
    private sealBundle?: (sha256: string) => void;

    constructor(private readonly options: RemoteOptions) {
        this.knownHostsFile = options.knownHostsFile;
        const byName = new Map<string, HostScript>();
        for (const script of [...Object.values(packageScripts), ...options.scripts]) {
            const other = byName.get(script.name);
            if (other && other.path !== script.path) throw new Error(`two host scripts named ${script.name}: ${other.path} and ${script.path}`);
            if (other) continue;
            byName.set(script.name, script);
            const text = `${sharedLibrary}\n${scriptText(script)}`;
            this.scripts.set(script, { text, hash: sha256(text).slice(0, 16) });
        }
        this.bundleFile = path.join(".twister2", options.stack, "host-scripts.sh");
        this.bundleSha256 = pulumi.output(new Promise<string>((resolve) => { this.sealBundle = resolve; }));
    }

    /**
     * Each host's first step, before any other on it: the scripts and files copied into the SSH login's
     * home and installed as root, then every package the host's components need, in one apt run
     * (framework/packages), then the parts `then` adds (the host firewall), before any other step. A changed script installs again (a second or two) and re-runs only the steps
     * that use it; new packages install in the next run. Its undo runs after the host's last step: it
     * undoes those parts, purges what is left of the packages this program installed, and removes the scripts.
     */
    prepareHosts(hosts: { host: Host; packages: PackageNeed[]; then?: SetupPart[] }[]): void {
        for (const { host, packages, then } of hosts) {
            if (this.setups.has(host.name)) throw new Error(`host ${host.name} is set up twice, or after its first step`);
            this.setups.set(host.name, this.setupStep(host, packages, then ?? []));
        }
    }

    /**
     * Writes the bundle: every host script and host file in one file beside the stack's other files, once
     * every step (and so every host file) is declared. The head (host/host-scripts.sh) installs each
     * `put` block on the host it runs on. The hosts' setup steps wait for it.
     */
    writeBundle(): void {
        if (!this.sealBundle) throw new Error("the host-scripts bundle is written once, after every step is declared");
        const put = (name: string, text: string) =>
            `put ${name} <<'T2_END_OF_FILE'\n${Buffer.from(text).toString("base64").replace(/.{76}/g, "$&\n")}\nT2_END_OF_FILE\n`;
        const text = [
            bundleHead,
            ...[...this.scripts].sort(([a], [b]) => a.name.localeCompare(b.name)).map(([, { text, hash }]) => put(`${hash}.sh`, text)),
            ...[...this.hostFiles].sort(([a], [b]) => a.localeCompare(b)).map(([name, text]) => put(name, text)),
        ].join("");
        fs.mkdirSync(path.join(this.options.projectDir, path.dirname(this.bundleFile)), { recursive: true });
        fs.writeFileSync(path.join(this.options.projectDir, this.bundleFile), text, { mode: 0o644 });
        this.sealBundle(sha256(text));
        this.sealBundle = undefined;
    }

    /**
     * Files a step reads on its host (a Dockerfile, a repository key), delivered with the scripts rather
     * than carried in the step's command, which the state keeps twice: the command names the file, and
     * its hash, so new content still re-runs the step. Returns its name on the host, `<hash>-<name>`,
     * which a script turns into its path with lib.sh's host_file.
     */
    hostFile(name: string, text: string): string {
        const file = `${sha256(text).slice(0, 16)}-${name}`;
        if (!this.hostFiles.has(file)) {
            if (!this.sealBundle) throw new Error(`host file ${name} was declared after the host-scripts bundle was written; declare it with the resources, not in an apply`);
            this.hostFiles.set(file, text);
        }
        return file;
    }

    /**
     * One step on one host: a script run over SSH as root (`command.remote.Command`), with its undo.
     * Scripts print progress on stderr and their result on stdout, both shown as the step's status as
     * they come, but a secret result, which is never shown. Stdin carries secrets; nothing travels in SSH
     * environment requests, which stock sshd drops.
     */
    hostScript(name: string, args: HostScriptArgs, opts?: pulumi.CustomResourceOptions): command.remote.Command {
        const after = dependencies(opts?.dependsOn);
        const step = new command.remote.Command(name, {
            connection: this.connectionTo(args.host),
            create: args.create ? this.rootCommand(args.host, [this.scriptCommand(args.host, args.create, args.createSettings)]) : undefined,
            delete: args.delete ? this.rootCommand(args.host, [this.scriptCommand(args.host, args.delete, args.deleteSettings)]) : undefined,
            stdin: this.stdinOf(args.host, args.stdin),
            triggers: args.triggers,
            ...args.secretStdout ? { logging: "stderr" } : {},
            ...commandPolicy,
        }, {
            ...opts,
            // The host's setup step, unless a step of the same host that waits for it comes first anyway.
            dependsOn: this.followsSetup(args.host, after) ? after : [this.setupOf(args.host), ...after],
            additionalSecretOutputs: args.secretStdout ? ["stdout"] : opts?.additionalSecretOutputs,
            // A replaced step's undo runs before the step runs again: both act on the same host.
            deleteBeforeReplace: true,
        });
        this.steps.set(step, { host: args.host.name, after });
        return step;
    }

    /**
     * A file from the machine running pulumi, copied to `remotePath` on the host as the SSH user (SFTP;
     * a relative path is in the user's home). Only its path and hash are in the state; new content
     * copies it again. Nothing removes the copy on destroy: the step that uses it does.
     */
    copyToHost(name: string, host: Host, file: pulumi.Input<string>, remotePath: string, opts?: pulumi.CustomResourceOptions): command.remote.CopyToRemote {
        return new command.remote.CopyToRemote(name, {
            connection: this.connectionTo(host),
            source: pulumi.output(file).apply((where) => new pulumi.asset.FileAsset(where)),
            remotePath,
        }, opts);
    }

    /**
     * Turns a host script and its settings into the command that runs it (as root, by rootCommand) on `host`:
     * `env K=v ... twister2-step <hash> <address>/<script>`. The script is on the host already (the
     * host's setup step), named by the hash of its text, and so is the runner that starts it
     * (host/host-scripts.sh); a changed script or setting changes the command, and so re-runs exactly the
     * steps it affects, while the state keeps a line, not the script. Standard input stays free for
     * secrets. The script's $0 is `<address>/<script>`: the connection is a secret, so error messages and
     * `preview:md` read from the command where a step runs and what.
     */
    private scriptCommand(host: Host, script: HostScript, settings: ScriptSettings = {}): pulumi.Output<string> {
        const declared = this.scripts.get(script);
        if (!declared) throw new Error(`host script ${script.name} is not declared in its component's contract (scripts)`);
        return pulumi.all(settings).apply((resolved) =>
            stepCommandLine(Object.fromEntries(Object.entries(resolved).map(([key, value]) => [key, String(value)])), declared.hash, host.address, script.name));
    }

    /** Commands run as root one after another on `host`: `sudo CMD && sudo CMD2`, or with its sudo password (sudo.ts). */
    private rootCommand(host: Host, commands: pulumi.Input<string>[]): pulumi.Output<string> {
        return pulumi.all(commands).apply((all) => rootCommandLine(host, all));
    }

    /** A step's standard input: its secrets, after the host's sudo password when its sudo asks for one. Secret as a whole. */
    private stdinOf(host: Host, stdin: pulumi.Input<string> | undefined): pulumi.Output<string> | undefined {
        const password = this.sudoPasswordOf(host);
        if (password === undefined) return stdin === undefined ? undefined : pulumi.secret(stdin);
        return pulumi.secret(pulumi.all([password, stdin ?? ""]).apply(([pw, rest]) => withPassword(pw, rest)));
    }

    /** The host's sudo password, read once per program run and never outside a secret; undefined: passwordless sudo. */
    private sudoPasswordOf(host: Host): pulumi.Output<string> | undefined {
        if (!asksPassword(host)) return undefined;
        let password = this.sudoPasswords.get(host.name);
        if (!password) {
            password = pulumi.secret(sudoPassword(host)!);
            this.sudoPasswords.set(host.name, password);
        }
        return password;
    }

    private setupStep(host: Host, packages: PackageNeed[], then: SetupPart[]): command.remote.Command {
        const bundleSha256 = this.bundleSha256;
        const file = this.bundleFile;
        // The bundle's path once it is written: only then may the copy hash it.
        const copy = this.copyToHost(`host-setup-${host.name}-copy`, host, bundleSha256.apply(() => file), stagedBundle,
            { aliases: [{ name: `host-scripts-${host.name}-copy` }] });
        const bundleAt = shellQuote(`${host.address}/host-scripts.sh`);
        const install = this.scriptCommand(host, packageScripts.install, packageSettings(packages, (name, text) => this.hostFile(name, text)));
        const applies = then.map((part) => this.scriptCommand(host, part.script, part.settings));
        const undos = then.map((part) => this.scriptCommand(host, part.script, part.undoSettings)).reverse();
        return new command.remote.Command(`host-setup-${host.name}`, {
            connection: this.connectionTo(host),
            create: this.rootCommand(host, [pulumi.interpolate`env BUNDLE_HASH=${bundleSha256.apply((hash) => hash.slice(0, 16))} bash ${stagedBundle} ${bundleAt}`, install, ...applies]),
            delete: this.rootCommand(host, [...undos, this.scriptCommand(host, packageScripts.remove), `bash ${stagedBundle} remove ${bundleAt}`]),
            stdin: this.stdinOf(host, undefined),
            ...commandPolicy,
        }, {
            dependsOn: [copy],
            aliases: [{ name: `host-scripts-${host.name}` }],
            // Replaced (npm run recover taints a setup whose undo was cut short): undo first, or the undo
            // of the old one would remove what the new one has just installed.
            deleteBeforeReplace: true,
        });
    }

    /** The host's setup step; a host nobody prepared (a component's unit test) gets one without packages. */
    private setupOf(host: Host): command.remote.Command {
        let setup = this.setups.get(host.name);
        if (!setup) {
            setup = this.setupStep(host, [], []);
            this.setups.set(host.name, setup);
        }
        return setup;
    }

    /** Whether one of `after` is, or waits for, a step on `host`: then that one waits for the host's setup. */
    private followsSetup(host: Host, after: pulumi.Input<pulumi.Resource>[]): boolean {
        const seen = new Set<pulumi.Input<pulumi.Resource>>();
        const pending = [...after];
        for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
            const step = this.steps.get(next as pulumi.Resource);
            if (!step || seen.has(next)) continue;
            if (step.host === host.name) return true;
            seen.add(next);
            pending.push(...step.after);
        }
        return false;
    }

    /**
     * How every step reaches its host. The SDK makes the whole connection a secret (it holds the key).
     * A wrong host key fails the dial, so no command runs on a host that is not the configured one.
     * Dialling: a host on the cluster's network answers in milliseconds, so 10 s per dial is generous,
     * and 12 dials (pauses growing 1.5x up to 5 s, about 30 s in all) ride out an sshd restart or the
     * connections sshd drops when many steps dial one host at once (MaxStartups), while a host that is
     * gone fails its step within about 2 minutes, naming the host.
     */
    private connectionTo(host: Host): command.types.input.remote.ConnectionArgs {
        return {
            ...this.endpointOf(host),
            // The bastion: the plugin dials it first (its key pinned too, the same bounds), then the host through it.
            ...host.bastion === undefined ? {} : { proxy: this.endpointOf(host.bastion) },
        };
    }

    /** Where a connection (or its proxy) dials, as whom, with which pinned key, and how often. */
    private endpointOf(target: Pick<Host, "address" | "port" | "user" | "privateKeyFile" | "hostKey">) {
        return {
            host: target.address,
            port: target.port,
            user: target.user,
            // Without it pulumi-command logs in with the agent's keys (SSH_AUTH_SOCK), as it also would with it.
            ...target.privateKeyFile === undefined ? {} : { privateKey: this.privateKeyOf(target.privateKeyFile) },
            hostKey: target.hostKey,
            dialErrorLimit: 12,
            perDialTimeout: 10,
        };
    }

    /** Each key file is read once per program run, however many steps use it (and kept short: privateKey.ts). */
    private privateKeyOf(file: string): pulumi.Output<string> {
        let key = this.privateKeys.get(file);
        if (!key) {
            key = pulumi.secret(compactPrivateKey(fs.readFileSync(file, "utf8")));
            this.privateKeys.set(file, key);
        }
        return key;
    }
}

const dependencies = (on: pulumi.CustomResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] =>
    on === undefined ? [] : Array.isArray(on) ? on : [on as pulumi.Input<pulumi.Resource>];

/** Whether `command` (a step's create or delete, as the state holds it) runs `script`. */
export function runsScript(command: unknown, script: HostScript): boolean {
    return [...String(command).matchAll(/ twister2-step [0-9a-f]{16} '?[^ ']*\/([^ /']+)'?(?= && |$)/g)].some((match) => match[1] === script.name);
}

/** The last non-empty line a script printed on stdout: its result. */
export function lastLine(text: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.output(text).apply((t) => t.trim().split("\n").pop()?.trim() ?? "");
}
