// What the operator commands (npm run smoke, check, forget-host, recover) read of a deployed stack: its
// outputs, config and state through the Pulumi CLI, and SSH to its hosts the way an operator would, with
// the options `pulumi up`'s own ssh takes (remote.ts: opensshOptions; the host keys it pinned in
// .twister2/<stack>/known_hosts). Only forget-host and recover change the state, each through `pulumi`.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Deployment } from "./forget-host/forget";
import type { Host } from "../framework/remote/remote";
import { runSsh, SshResult, sshArguments } from "../framework/remote/ssh";
import { parseStackConfig, StackConfig } from "../components";
import type { StackOutputs as ClusterOutputs } from "../components/outputs";
import { CliConfigEntry, ConfigError, rawConfigFromCli, secretKeysFromCli } from "../framework/config/stackConfig";

export const projectDir = path.resolve(__dirname, "..");

/** A mistake of the operator's (options, a stack that is not deployed): exit 2, no stack trace. */
export class UsageError extends Error {}

/** The outputs of index.ts (components/outputs.ts); a stack not yet deployed has none. */
export type StackOutputs = Partial<ClusterOutputs>;

export interface LiveStack {
    name: string;
    outputs: StackOutputs;
    config: StackConfig;
}

/** `pulumi ARGS --stack STACK` in the project, its stdout; a failure is the operator's to fix (a UsageError). */
export function pulumi(args: string[], stack: string): string {
    const run = spawnSync("pulumi", [...args, "--stack", stack], { cwd: projectDir, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
    if (run.status !== 0) throw new UsageError(`pulumi ${args.join(" ")} --stack ${stack} failed: ${(run.stderr || String(run.error)).trim()}`);
    return run.stdout;
}

/** A stack's state as `pulumi stack export` writes it (secrets encrypted, as in the backend). */
export interface ExportedState { version: number; deployment: Deployment }

/**
 * Replaces STACK's state with `deployment` (`pulumi stack import`). The state before is kept under
 * .twister2/STACK/ (`pulumi stack import --file <it>` puts it back); returns that file's path.
 */
export function importState(stack: string, before: ExportedState, deployment: Deployment, why: string): string {
    const stateDir = path.join(projectDir, ".twister2", stack);
    fs.mkdirSync(stateDir, { recursive: true });
    const backup = path.join(stateDir, `state-before-${why}-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    fs.writeFileSync(backup, JSON.stringify(before, null, 2), { mode: 0o600 });
    const edited = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "t2-state-")), "state.json");
    try {
        fs.writeFileSync(edited, JSON.stringify({ ...before, deployment }), { mode: 0o600 });
        pulumi(["stack", "import", "--file", edited], stack);
    } finally {
        fs.rmSync(path.dirname(edited), { recursive: true, force: true });
    }
    return backup;
}

/** `pulumi ARGS --stack STACK`, its JSON output (`stack export` prints JSON without --json). */
export function pulumiJson(args: string[], stack: string): unknown {
    return JSON.parse(pulumi(args[1] === "export" ? args : [...args, "--json"], stack));
}

/** One secret output, decrypted (`pulumi stack output NAME --show-secrets`): kept in memory, never printed. */
export function secretOutput(stack: string, name: string): unknown {
    return pulumiJson(["stack", "output", name, "--show-secrets"], stack);
}

/**
 * The stack's outputs and its config, checked as `pulumi up` checks it. The config's secrets are
 * decrypted (a host's sudoPassword reaches sudo as pulumi up's does), kept in memory, never printed.
 */
export function loadLiveStack(stack: string): LiveStack {
    const outputs = pulumiJson(["stack", "output"], stack) as StackOutputs;
    const entries = pulumiJson(["config", "--show-secrets"], stack) as Record<string, CliConfigEntry>;
    try {
        return { name: stack, outputs, config: parseStackConfig(rawConfigFromCli(entries, "twister2-cluster"), projectDir, secretKeysFromCli(entries, "twister2-cluster")) };
    } catch (err) {
        if (err instanceof ConfigError) throw new UsageError(`the stack's config has problems:\n${err.message}`);
        throw err;
    }
}

/** A resource's name in its URN (`urn:pulumi:STACK::PROJECT::PARENT-TYPE$TYPE::NAME`). */
export const resourceName = (urn: string): string => urn.slice(urn.lastIndexOf("::") + 2);
/** A resource's own type in its URN (`command:remote:Command`, not its parents'). */
export const resourceType = (urn: string): string => (urn.split("::")[2] ?? "").split("$").pop() ?? "";

/** URNs of the stack's resources by their name (`zookeeper-h2-server` -> `urn:pulumi:...`). */
export function resourceUrns(stack: string): Map<string, string> {
    const exported = pulumiJson(["stack", "export"], stack) as { deployment: { resources?: { urn: string }[] } };
    return new Map((exported.deployment.resources ?? []).map((r) => [resourceName(r.urn), r.urn]));
}

/** The known_hosts file `pulumi up` wrote for the stack: every host's key, pinned. */
export const knownHostsOf = (stack: string): string => path.join(projectDir, ".twister2", stack, "known_hosts");

/** ssh's options for a host of the stack (rsync's `-e`), as framework/remote/ssh.ts makes them, without the login and command. */
export function sshOptions(stack: string, host: Host, key = host.privateKeyFile): string[] {
    return sshArguments({ ...host, privateKeyFile: key }, { knownHostsFile: knownHostsOf(stack) }).slice(0, -2);
}

export type { SshResult };

/** Runs a bash script as root (sudo) on a host; `login` runs a plain command as another account instead. */
export function ssh(stack: string, host: Host, script: string, login?: { user: string; key?: string }): SshResult {
    return runSsh(host, script, { knownHostsFile: knownHostsOf(stack), login });
}

/** Runs an operator command's main: its exit code, or 2 for a UsageError (message only), 1 for a crash. */
export function runMain(name: string, main: () => Promise<number>): void {
    main().then((code) => process.exit(code), (err: Error) => {
        process.stderr.write(`${name}: ${err instanceof UsageError ? err.message : err.stack ?? err.message}\n`);
        process.exit(err instanceof UsageError ? 2 : 1);
    });
}
