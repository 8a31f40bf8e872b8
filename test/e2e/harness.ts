// End-to-end harness: the lab's hosts (reached over SSH, as an operator would), the real Pulumi engine
// (through its Automation API) against a throwaway local backend, and a timing log for the run.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CommandError, Deployment, EngineEvent, Stack } from "@pulumi/pulumi/automation";
import YAML from "yaml";
import type { StackOutputs } from "../../components/outputs";
import type { Bastion } from "../../framework/config/hosts";
import { runSsh, runSshAsync } from "../../framework/remote/ssh";
import { openStack, policyPackDir, previewOf, projectName, readOutputs, readProgramConfig, StackPreview } from "../../scripts/automation";

export const projectDir = path.resolve(__dirname, "..", "..");
// LAB_DIR (as scripts/lab.sh reads it) lets a second lab run these tests beside the default one.
export const labDir = path.resolve(projectDir, process.env.LAB_DIR ?? ".lab");
// The end-to-end lab mixes Debian's releases, as a fleet being upgraded does: h2, h3 and h5 are Debian 13
// (in the dev layout a ZooKeeper server and Mesos master each, the uploader, the NFS server, an agent),
// h1 and h4 Debian 12 (lab.sh reads it: LAB_TRIXIE_HOSTS; set it to run the tests on other mixes).
process.env.LAB_TRIXIE_HOSTS ??= "h2 h3 h5";
export const stateDir = path.join(projectDir, ".state", "e2e");

export interface LabHost {
    name: string;
    address: string;
    user: string;
    privateKeyFile: string;
    container: string;
    /** Set while the host's sudo asks for a password (labSudoPassword). */
    sudoPasswordFile?: string;
    /** Set while this machine reaches the host only through the lab's bastion (labBastion). */
    bastion?: Bastion;
}

export function labUp(): LabHost[] {
    execFileSync("bash", [path.join(projectDir, "scripts", "lab.sh"), "up"], { stdio: "inherit" });
    return labInventory();
}

export function labDown(): void {
    spawnSync("bash", [path.join(projectDir, "scripts", "lab.sh"), "down"], { stdio: "inherit" });
}

/** `lab.sh sudo-password NAME on|off`: the host's login gives sudo a password (named in the inventory), or none. */
export function labSudoPassword(name: string, on: boolean): void {
    execFileSync("bash", [path.join(projectDir, "scripts", "lab.sh"), "sudo-password", name, on ? "on" : "off"], { stdio: "inherit" });
}

/**
 * `lab.sh bastion on|off`: the lab's jump host, and a fence that leaves it this machine's only way to the
 * hosts (named as each host's bastion in the inventory, so onHost goes through it), or neither.
 */
export function labBastion(on: boolean): void {
    execFileSync("bash", [path.join(projectDir, "scripts", "lab.sh"), "bastion", on ? "on" : "off"], { stdio: "inherit" });
}

/** The lab's bastion (while labBastion is on) as a host onHost reaches directly: a lab machine in no stack. */
export function labBastionHost(): LabHost {
    const [{ bastion, container }] = labInventory();
    if (!bastion) throw new Error("the lab has no bastion: labBastion(true) first");
    return { name: "bastion", address: bastion.address, user: bastion.user, privateKeyFile: bastion.privateKeyFile!, container: container.replace(/-h\d+$/, "-bastion") };
}

export function labInventory(): LabHost[] {
    return JSON.parse(fs.readFileSync(path.join(labDir, "inventory.json"), "utf8")).hosts as LabHost[];
}

export interface Result {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs a shell command on a lab host as root (through sudo), over SSH with the pinned host key. */
export function onHost(host: LabHost, script: string, options: { check?: boolean; timeoutMs?: number } = {}): Result {
    return checked(host, script, runSsh(host, script, labSsh(options)), options);
}

/** A lab host's Debian release, its codename (the lab mixes Debian 12 and 13: LAB_TRIXIE_HOSTS). */
export const debianRelease = (host: LabHost): string => onHost(host, "sed -n 's/^VERSION_CODENAME=//p' /etc/os-release").stdout.trim();

/**
 * onHost without blocking this process: for a script that may take a minute or more (an apt install, a
 * container run). A test worker blocked that long misses its own calls to vitest's main process, which
 * fail the run after 60 s ("Timeout calling onTaskUpdate") although every test passed.
 */
export async function onHostAsync(host: LabHost, script: string, options: { check?: boolean; timeoutMs?: number } = {}): Promise<Result> {
    return checked(host, script, await runSshAsync(host, script, labSsh(options)), options);
}

const labSsh = (options: { timeoutMs?: number }) =>
    ({ knownHostsFile: path.join(labDir, "known_hosts"), connectTimeout: 20, timeoutMs: options.timeoutMs ?? 300_000 });

function checked(host: LabHost, script: string, out: Result, options: { check?: boolean }): Result {
    if ((options.check ?? true) && out.code !== 0) {
        throw new Error(`on ${host.name}: script failed (${out.code}):\n${script}\n--- stdout\n${out.stdout}\n--- stderr\n${out.stderr}`);
    }
    return out;
}

/**
 * Whether the resource plugin Pulumi runs for `@pulumi/<name>` is the lab's stand-in (lab/providers/install.sh
 * marks each one it builds), not an official plugin installed on this machine.
 */
export function standInPlugin(name: "command" | "docker" | "random"): boolean {
    const { version } = JSON.parse(fs.readFileSync(path.join(projectDir, "node_modules", "@pulumi", name, "package.json"), "utf8")).pulumi;
    const home = process.env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi");
    return fs.existsSync(path.join(home, "plugins", `resource-${name}-v${version}`, ".twister2-cluster-standin"));
}

/** Where mesosClients() keeps its virtualenvs: the user's cache (a second run reuses one). */
const clientsCache = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "twister2-cluster", "mesos-clients");

/**
 * Real Mesos clients (test/e2e/mesos-clients/requirements.txt, from PyPI) in a virtualenv of their own,
 * made on first use, one per version of that file: its python (AVENTER's CLI is its module
 * `avmesos.cli.mesos-cli`), and the directory of this project's scripts on pymesos.
 */
export function mesosClients(): { python: string; scripts: string } {
    const scripts = path.join(projectDir, "test", "e2e", "mesos-clients");
    const requirements = path.join(scripts, "requirements.txt");
    const venv = path.join(clientsCache, createHash("sha256").update(fs.readFileSync(requirements)).digest("hex").slice(0, 12));
    if (!fs.existsSync(path.join(venv, "installed"))) {
        fs.rmSync(venv, { recursive: true, force: true });
        // Debian's python3, with its site packages: pymesos's http-parser comes built from there (requirements.txt says why).
        execFileSync("/usr/bin/python3", ["-m", "venv", "--system-site-packages", venv], { stdio: "inherit" });
        execFileSync(path.join(venv, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", "-r", requirements], { stdio: "inherit", timeout: 600_000 });
        fs.writeFileSync(path.join(venv, "installed"), "");
    }
    return { python: path.join(venv, "bin", "python"), scripts };
}

/** The host's swarm membership as its Docker reports it (`active`, `inactive`, ...), or `no-docker`. */
export function swarmNodeState(host: LabHost): string {
    return onHost(host, "if command -v docker >/dev/null; then docker info --format '{{.Swarm.LocalNodeState}}'; else echo no-docker; fi").stdout.trim();
}

/** Retries `probe` every second until it returns true or `seconds` pass. */
export async function eventually(seconds: number, probe: () => boolean | Promise<boolean>): Promise<boolean> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
        if (await probe()) return true;
        if (Date.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, 1000));
    }
}

/** The end of a Pulumi operation: whether it succeeded, and what the CLI printed (its progress display and errors). */
export interface PulumiResult {
    ok: boolean;
    stdout: string;
    stderr: string;
}

interface CheckOption {
    /** Resolve with `ok: false` when the operation fails, instead of rejecting with its output (the default). */
    check?: boolean;
}

interface PolicyOption {
    /** Run the project's policy pack (policy/) with the operation, as npm run up and the previews do. */
    policyPack?: boolean;
}
const policyPacksOf = (options: PolicyOption) => options.policyPack ? [policyPackDir] : undefined;

/** Most steps wait on a remote host: more at once than Pulumi's default of 8. */
const parallel = 32;

/**
 * A throwaway stack in a backend of its own under .state/e2e/<stack>, driven through Pulumi's Automation
 * API (scripts/automation.ts). `init()` creates it; its config then starts as a copy of another stack's
 * (`fromConfig`, e.g. Pulumi.dev.yaml) so tests can change it freely. `programDir` runs another program
 * than the project's (its config then comes from setAllConfig); `env` adds to the environment of every
 * pulumi and npm command it runs (SSH_AUTH_SOCK). Operations reject with the CLI's output
 * when they fail, unless `check: false`.
 */
export class PulumiStack {
    /** Pulumi.<stack>.yaml in the program's directory (git-ignored): the stack's config, as the CLI writes it. */
    private readonly configFile: string;
    private readonly programDir: string;
    private readonly envVars: Record<string, string>;
    private opened?: Stack;

    constructor(readonly stack: string, private readonly fromConfig?: string, options: { programDir?: string; env?: Record<string, string> } = {}) {
        this.programDir = options.programDir ?? projectDir;
        const backend = path.join(stateDir, stack, "backend");
        fs.rmSync(backend, { recursive: true, force: true });
        fs.mkdirSync(backend, { recursive: true });
        const [toolchainPath, toolchainBin] = execFileSync("bash", ["-c", ". scripts/pulumi-env.sh && printf '%s\\n%s\\n' \"$PATH\" \"$T2_TOOLCHAIN_BIN\""],
            { cwd: projectDir, encoding: "utf8" }).trim().split("\n");
        this.envVars = {
            PATH: toolchainPath,
            T2_TOOLCHAIN_BIN: toolchainBin,
            PULUMI_BACKEND_URL: `file://${backend}`,
            PULUMI_CONFIG_PASSPHRASE: "e2e-throwaway-passphrase",
            PULUMI_CONFIG_PASSPHRASE_FILE: "",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            ...options.env,
        };
        this.configFile = path.join(this.programDir, `Pulumi.${stack}.yaml`);
        // One left by an earlier run would bring its config into this stack.
        fs.rmSync(this.configFile, { force: true });
    }

    /** Creates the stack (passphrase secrets) in its fresh backend, with the config of `fromConfig` if given. */
    async init(): Promise<void> {
        this.opened = await this.timed("pulumi stack init", () =>
            openStack(this.stack, { workDir: this.programDir, envVars: this.envVars, create: true }));
        if (this.fromConfig) await this.replaceConfig(configCopiedFrom(path.resolve(projectDir, this.fromConfig)));
    }

    /**
     * Points the stack at this lab's own services (Pulumi.dev.yaml names the default lab's gateway): the
     * Mesos and Docker package repositories, the worker image's base image and the apt proxy. Call after init.
     */
    async useLabServices(): Promise<void> {
        const inventory = JSON.parse(fs.readFileSync(path.join(labDir, "inventory.json"), "utf8"));
        const repoUrl: string = inventory.mesosRepository.url;
        await this.setConfig("mesos.repository.url", repoUrl, { path: true });
        await this.setConfig("docker.repository.url", inventory.dockerRepository.url, { path: true });
        await this.setConfig("workerImage.baseImageUrl", new URL("images/debian-bookworm.tar", repoUrl).href, { path: true });
        await this.setConfig("workerImage.aptProxy", inventory.aptProxy, { path: true });
    }

    /** `pulumi up`; its engine events too (timestamps, each step's metadata). */
    async up(options: CheckOption & PolicyOption & { replace?: string[] } = {}): Promise<PulumiResult & { events: EngineEvent[] }> {
        const events: EngineEvent[] = [];
        const result = await this.operation("pulumi up", (output) => this.automation().up({
            parallel, replace: options.replace, policyPacks: policyPacksOf(options), onEvent: (event) => events.push(event), ...output,
        }), options);
        return { ...result, events };
    }

    /** `pulumi preview`, with the steps it plans and, with the policy pack, its verdict (scripts/automation.ts: previewOf). */
    async preview(options: CheckOption & PolicyOption & { expectNoChanges?: boolean; diff?: boolean } = {}): Promise<PulumiResult & StackPreview> {
        const events: EngineEvent[] = [];
        const result = await this.operation("pulumi preview", (output) => this.automation().preview({
            parallel, expectNoChanges: options.expectNoChanges, diff: options.diff, policyPacks: policyPacksOf(options), onEvent: (event) => events.push(event), ...output,
        }), options);
        return { ...result, ...previewOf(events, options.policyPack ?? false) };
    }

    /** `pulumi destroy` of every resource, or only of those in `target` (URNs). */
    destroy(options: CheckOption & { target?: string[] } = {}): Promise<PulumiResult> {
        // A target's dependents go with it, as `pulumi destroy --target ... --target-dependents`.
        return this.operation("pulumi destroy", (output) => this.automation().destroy({ parallel, target: options.target, targetDependents: options.target !== undefined, ...output }), options);
    }

    /** `pulumi refresh`: the state updated from what the providers read. */
    refresh(options: CheckOption = {}): Promise<PulumiResult> {
        return this.operation("pulumi refresh", (output) => this.automation().refresh(output), options);
    }

    /** `pulumi cancel`: unlocks the stack after an update that did not end (killed). */
    cancel(options: CheckOption = {}): Promise<PulumiResult> {
        return this.operation("pulumi cancel", () => this.automation().cancel(), options);
    }

    /** The stack's outputs as plain values, secrets decrypted: this project's (components/outputs.ts), or another program's. */
    outputs(): Promise<Partial<StackOutputs> & Record<string, unknown>> {
        return this.timed("pulumi stack output", () => readOutputs(this.automation()));
    }

    /** One of this project's outputs (components/outputs.ts), typed; the test fails when the stack has none of that name. */
    async output<K extends keyof StackOutputs>(name: K): Promise<NonNullable<StackOutputs[K]>> {
        const value = (await this.outputs())[name];
        if (value === undefined || value === null) throw new Error(`stack ${this.stack} has no output ${name}`);
        return value as NonNullable<StackOutputs[K]>;
    }

    /** The names of the stack's outputs that are secrets (shown as [secret] by `pulumi stack output`). */
    async secretOutputs(): Promise<string[]> {
        const outputs = await this.timed("pulumi stack output", () => this.automation().outputs());
        return Object.entries(outputs).filter(([, output]) => output.secret).map(([name]) => name);
    }

    /** The stack's config as the program reads it (keys without the project's prefix). */
    config(): Promise<Record<string, unknown>> {
        return this.timed("pulumi config", () => readProgramConfig(this.automation()));
    }

    /**
     * Sets a config key of the program's own namespace (`roles`, or with `path`, `roles.h5[0]`). A text,
     * number or true/false is set as `pulumi config set` sets it (with `path`, "true", "false" and integers
     * become booleans and numbers). A map or list is set whole (`config set-all --json`, which reads its
     * key as a path whether or not `path` is given).
     */
    async setConfig(key: string, value: unknown, options: { path?: boolean; secret?: boolean } = {}): Promise<void> {
        const fullKey = `${await projectName(this.automation())}:${key}`;
        const secret = options.secret ?? false;
        await this.timed("pulumi config set", () => typeof value === "object" && value !== null
            ? this.automation().setAllConfigJson(JSON.stringify({ [fullKey]: configEntry(value, secret) }))
            : this.automation().setConfig(fullKey, { value: String(value), secret }, options.path));
    }

    /** Removes a config key of the program's own namespace (with `path`, one entry of a map or list). */
    async removeConfig(key: string, options: { path?: boolean } = {}): Promise<void> {
        const fullKey = `${await projectName(this.automation())}:${key}`;
        await this.timed("pulumi config rm", () => this.automation().removeConfig(fullKey, options.path));
    }

    /** Replaces the stack's whole config with these values of the program's own namespace (plain, not secret). */
    async setAllConfig(values: Record<string, unknown>): Promise<void> {
        const project = await projectName(this.automation());
        await this.replaceConfig(Object.fromEntries(Object.entries(values).map(([key, value]) => [`${project}:${key}`, value])));
    }

    /**
     * The stack's state as `pulumi stack export` prints it: its secrets encrypted as they are stored, or
     * decrypted with `showSecrets`. The Automation API's exportStack always decrypts them, so the
     * encrypted export runs the CLI itself.
     */
    async exportState(options: { showSecrets?: boolean } = {}): Promise<Deployment> {
        if (options.showSecrets) return this.timed("pulumi stack export", () => this.automation().exportStack());
        const exported = await this.timed("pulumi stack export", () =>
            this.spawnAndCollect("pulumi", ["stack", "export", "--stack", this.stack, "--non-interactive"], this.programDir));
        if (exported.code !== 0) throw new Error(`pulumi stack export failed (${exported.code}):\n${exported.stderr}`);
        return JSON.parse(exported.stdout) as Deployment;
    }

    /** `npm run preview:md -- <stack>` against this stack's backend; never rejects (the exit code is the verdict). */
    previewMarkdownResult(): Promise<Result> {
        return this.spawnAndCollect("bash", [path.join(projectDir, "scripts", "preview-md.sh"), this.stack], projectDir);
    }

    /** `npm run preview:md -- <stack>` against this stack's backend. */
    previewMarkdown(): string {
        return execFileSync("bash", [path.join(projectDir, "scripts", "preview-md.sh"), this.stack], {
            cwd: projectDir, env: this.processEnv(), encoding: "utf8",
        });
    }

    /** `npm run smoke -- <stack> ...args` against this stack's backend; never rejects (the exit code is the verdict). */
    async smoke(args: string[] = []): Promise<Result & { seconds: number }> {
        const started = Date.now();
        const result = await this.spawnAndCollect("bash", [path.join(projectDir, "scripts", "smoke.sh"), this.stack, ...args], projectDir);
        const seconds = (Date.now() - started) / 1000;
        timings.push({ what: `npm run smoke ${args.join(" ")}`.trim(), seconds });
        return { ...result, seconds };
    }

    /** `npm run check -- <stack> ...args` against this stack's backend; never rejects. */
    async check(args: string[] = []): Promise<Result> {
        const started = Date.now();
        const result = await this.spawnAndCollect("bash", [path.join(projectDir, "scripts", "check.sh"), this.stack, ...args], projectDir);
        timings.push({ what: `npm run check ${args.join(" ")}`.trim(), seconds: (Date.now() - started) / 1000 });
        return result;
    }

    /** `scripts/pr-preview.sh <stack>` (the pull-request preview job's) against this stack's backend; never rejects. */
    async prPreview(): Promise<Result> {
        const started = Date.now();
        const result = await this.spawnAndCollect("bash", [path.join(projectDir, "scripts", "pr-preview.sh"), this.stack], projectDir);
        timings.push({ what: "pr-preview.sh", seconds: (Date.now() - started) / 1000 });
        return result;
    }

    /** `npm run drift -- <stack> ...args` against this stack's backend; never rejects. */
    async drift(args: string[] = []): Promise<Result> {
        const started = Date.now();
        const result = await this.spawnAndCollect("bash", [path.join(projectDir, "scripts", "drift.sh"), this.stack, ...args], projectDir);
        timings.push({ what: `npm run drift ${args.join(" ")}`.trim(), seconds: (Date.now() - started) / 1000 });
        return result;
    }

    /**
     * `pulumi up` (or `destroy`) run by the CLI itself, in a process group of its own, once `pattern` shows
     * in its output: its output so far, its pid, and its end (the exit code, and all it wrote). Rejects if
     * the run ends before the pattern shows.
     */
    async running(operation: "up" | "destroy", pattern: RegExp): Promise<{ pid: number; output: () => string; ended: Promise<{ code: number; output: string }> }> {
        const child = spawn("pulumi", [operation, "--yes", "--skip-preview", "--parallel", String(parallel), "--non-interactive", "--stack", this.stack],
            { cwd: this.programDir, env: this.processEnv(), detached: true });
        let output = "";
        const ended = new Promise<{ code: number; output: string }>((resolve) => child.on("close", (code) => resolve({ code: code ?? -1, output })));
        const seen = new Promise<boolean>((resolve) => {
            const onData = (chunk: Buffer) => {
                output += chunk.toString();
                if (pattern.test(output)) resolve(true);
            };
            child.stdout.on("data", onData);
            child.stderr.on("data", onData);
            void ended.then(() => resolve(false));
        });
        if (!(await seen)) throw new Error(`pulumi ${operation} ended before ${pattern} showed:\n${output.slice(-5000)}`);
        return { pid: child.pid!, output: () => output, ended };
    }

    /**
     * `pulumi up` (or `destroy`), killed with SIGKILL `delaySeconds` after `pattern` shows in its output,
     * as if this machine lost power: then every process it started goes too (its process group). Resolves
     * with the output up to the kill; rejects if the run ends before the pattern shows. It spawns the CLI
     * itself: the Automation API's AbortSignal only sends SIGINT to `pulumi`, a graceful cancel that
     * lets the engine finish its steps and write the state, which is not what a power loss does.
     */
    async killed(operation: "up" | "destroy", pattern: RegExp, delaySeconds: number): Promise<string> {
        const started = Date.now();
        const run = await this.running(operation, pattern);
        await new Promise((r) => setTimeout(r, delaySeconds * 1000));
        const output = run.output();
        process.kill(run.pid, "SIGKILL");
        try {
            process.kill(-run.pid, "SIGKILL");
        } catch {
            // the group is empty already
        }
        await run.ended;
        timings.push({ what: `pulumi ${operation} (killed at ${pattern.source})`, seconds: (Date.now() - started) / 1000 });
        return output;
    }

    /** `npm run forget-host -- <stack> <host>` against this stack's backend; never rejects. */
    async forgetHost(host: string): Promise<Result> {
        const started = Date.now();
        const result = await this.spawnAndCollect("bash", [path.join(projectDir, "scripts", "forget-host.sh"), this.stack, host], projectDir);
        timings.push({ what: `npm run forget-host ${host}`, seconds: (Date.now() - started) / 1000 });
        return result;
    }

    /** `npm run recover`: after a killed run, clears its stale lock and settles its pending operations. */
    async recover(): Promise<Result> {
        const started = Date.now();
        const result = await this.spawnAndCollect("bash", [path.join(projectDir, "scripts", "recover.sh"), this.stack], projectDir);
        timings.push({ what: "npm run recover", seconds: (Date.now() - started) / 1000 });
        if (result.code !== 0) throw new Error(`npm run recover of stack ${this.stack} failed:\n${result.stdout}${result.stderr}`);
        return result;
    }

    /** Removes the stack's config file; the backend goes with the next run. */
    remove(): void {
        fs.rmSync(this.configFile, { force: true });
    }

    /**
     * For a file's afterAll: destroys whatever the state still holds (what a failed test left on the
     * lab's hosts, which the next file shares; nothing when a test destroyed it all), then remove().
     */
    async dispose(): Promise<void> {
        if (this.opened && ((await this.exportState()).deployment.resources ?? []).length > 0) await this.destroy({ check: false });
        this.remove();
    }

    private automation(): Stack {
        if (!this.opened) throw new Error(`stack ${this.stack}: call init() first`);
        return this.opened;
    }

    /** This process's environment with the stack's, for the commands the harness spawns itself. */
    private processEnv(): NodeJS.ProcessEnv {
        return { ...process.env, ...this.envVars };
    }

    /** Sets these config keys (full names, `<project>:<key>`) and removes every other one. */
    private async replaceConfig(values: Record<string, unknown>): Promise<void> {
        const stack = this.automation();
        const others = Object.keys(await this.timed("pulumi config", () => stack.getAllConfig())).filter((key) => !(key in values));
        if (others.length > 0) await this.timed("pulumi config rm-all", () => stack.removeAllConfig(others));
        const entries = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, configEntry(value, false)]));
        await this.timed("pulumi config set-all", () => stack.setAllConfigJson(JSON.stringify(entries)));
    }

    /**
     * Runs an Automation API operation with its output collected, and times it. A CommandError (the CLI
     * failed) rejects with that output, or with check false resolves as `ok: false`; other errors reject.
     */
    private async operation(
        what: string,
        run: (output: { onOutput: (out: string) => void; onError: (err: string) => void }) => Promise<unknown>,
        options: CheckOption,
    ): Promise<PulumiResult> {
        let stdout = "";
        let stderr = "";
        let ok = true;
        try {
            await this.timed(what, () => run({ onOutput: (out) => (stdout += out), onError: (err) => (stderr += err) }));
        } catch (err) {
            if (!(err instanceof CommandError)) throw err;
            ok = false;
            // When the CLI printed nothing (it did not start, or the operation streams no output), its error says why.
            if (!stdout && !stderr) stderr = err.message;
        }
        if (!ok && (options.check ?? true)) {
            throw new Error(`${what} of stack ${this.stack} failed:\n${stdout.slice(-20000)}\n${stderr.slice(-10000)}`);
        }
        return { ok, stdout, stderr };
    }

    private async timed<T>(what: string, run: () => Promise<T>): Promise<T> {
        const started = Date.now();
        try {
            return await run();
        } finally {
            timings.push({ what, seconds: (Date.now() - started) / 1000 });
        }
    }

    /** Asynchronous, so the test worker stays responsive while a long command runs. */
    private async spawnAndCollect(command: string, args: string[], cwd: string): Promise<Result> {
        const child = spawn(command, args, { cwd, env: this.processEnv() });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        const code = await new Promise<number>((resolve) => {
            child.on("error", (err) => { stderr += err.message; resolve(-1); });
            child.on("close", (c) => resolve(c ?? -1));
        });
        return { code, stdout, stderr };
    }
}

/** A config value as `pulumi config set-all --json` takes it: text, or a structure with its JSON text. */
function configEntry(value: unknown, secret: boolean): { value: string; objectValue?: unknown; secret: boolean } {
    return typeof value === "object" && value !== null
        ? { value: JSON.stringify(value), objectValue: value, secret }
        : { value: String(value), secret };
}

/**
 * The config of another stack of this project, read from its Pulumi.<stack>.yaml (that stack's backend
 * and passphrase are not this one's, so the CLI cannot read it for us), with its `.lab/` paths made this
 * lab's. Secrets cannot come along: they are encrypted with the other stack's passphrase.
 */
function configCopiedFrom(file: string): Record<string, unknown> {
    const document = YAML.parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
    const thisLab = (value: unknown, key: string): unknown => {
        if (typeof value === "string") return value.startsWith(".lab/") ? `${labDir}/${value.slice(".lab/".length)}` : value;
        if (Array.isArray(value)) return value.map((item, i) => thisLab(item, `${key}[${i}]`));
        if (typeof value !== "object" || value === null) return value;
        const entries = Object.entries(value);
        // Pulumi writes a secret as a map of the one key `secure`.
        if (entries.length === 1 && entries[0][0] === "secure") throw new Error(`${file}: ${key} is a secret of that stack; the copy cannot decrypt it`);
        return Object.fromEntries(entries.map(([k, v]) => [k, thisLab(v, `${key}.${k}`)]));
    };
    return Object.fromEntries(Object.entries(document?.config ?? {}).map(([key, value]) => [key, thisLab(value, key)]));
}

/** How long each Pulumi command of this test file took; reported when the file ends. */
/** Seconds from the first to the last engine event of the resource named `name` in a `pulumi up`'s events (whole seconds). */
export function stepSeconds(events: EngineEvent[], name: string): number {
    const times = events.filter((event) => (event.resourcePreEvent?.metadata ?? event.resOutputsEvent?.metadata)?.urn.endsWith(`::${name}`))
        .map((event) => event.timestamp);
    if (times.length === 0) throw new Error(`no engine event of ${name}`);
    return Math.max(...times) - Math.min(...times);
}

const timings: { what: string; seconds: number }[] = [];

export function reportTimings(file: string): void {
    const lines = timings.map((t) => `${t.what.padEnd(44)} ${t.seconds.toFixed(1).padStart(8)} s`);
    console.log(`\nend-to-end timings:\n${lines.join("\n")}`);
    fs.mkdirSync(stateDir, { recursive: true });
    fs.writeFileSync(path.join(stateDir, file), JSON.stringify(timings, null, 2));
}
