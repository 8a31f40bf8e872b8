// End-to-end harness: the lab's hosts (reached over SSH, as an operator would), the real Pulumi CLI
// against a throwaway local backend, and a timing log for the run.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const projectDir = path.resolve(__dirname, "..", "..");
// LAB_DIR (as scripts/lab.sh reads it) lets a second lab run these tests beside the default one.
export const labDir = path.resolve(projectDir, process.env.LAB_DIR ?? ".lab");
const stateDir = path.join(projectDir, ".state", "e2e");

export interface LabHost {
    name: string;
    address: string;
    user: string;
    privateKeyFile: string;
    container: string;
}

export function labUp(): LabHost[] {
    execFileSync("bash", [path.join(projectDir, "scripts", "lab.sh"), "up"], { stdio: "inherit" });
    return labInventory();
}

export function labDown(): void {
    spawnSync("bash", [path.join(projectDir, "scripts", "lab.sh"), "down"], { stdio: "inherit" });
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
    const result = spawnSync("ssh", [
        "-i", host.privateKeyFile,
        "-o", `UserKnownHostsFile=${path.join(labDir, "known_hosts")}`,
        "-o", "StrictHostKeyChecking=yes",
        "-o", "BatchMode=yes",
        "-o", "ConnectTimeout=20",
        `${host.user}@${host.address}`,
        "sudo bash -euo pipefail -s",
    ], { input: script, encoding: "utf8", timeout: options.timeoutMs ?? 300_000 });
    const out = { code: result.status ?? -1, stdout: result.stdout ?? "", stderr: result.stderr ?? String(result.error ?? "") };
    if ((options.check ?? true) && out.code !== 0) {
        throw new Error(`on ${host.name}: script failed (${out.code}):\n${script}\n--- stdout\n${out.stdout}\n--- stderr\n${out.stderr}`);
    }
    return out;
}

/** Retries `probe` every second until it returns true or `seconds` pass. */
export async function eventually(seconds: number, probe: () => boolean): Promise<boolean> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
        if (probe()) return true;
        if (Date.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, 1000));
    }
}

/**
 * The Pulumi CLI on a throwaway stack in a backend of its own under .state/e2e/<stack>. Its config starts as a
 * copy of another stack's (Pulumi.<stack>.yaml, git-ignored) so tests can change it freely. `programDir` runs
 * another program than the project's (its config then comes from writeConfig).
 */
export class PulumiStack {
    readonly configFile: string;
    private readonly env: NodeJS.ProcessEnv;
    private readonly programDir: string;

    constructor(readonly stack: string, fromConfig?: string, options: { programDir?: string } = {}) {
        this.programDir = options.programDir ?? projectDir;
        const backend = path.join(stateDir, stack, "backend");
        fs.rmSync(backend, { recursive: true, force: true });
        fs.mkdirSync(backend, { recursive: true });
        const toolchainPath = execFileSync("bash", ["-c", ". scripts/pulumi-env.sh && echo \"$PATH\""], { cwd: projectDir, encoding: "utf8" }).trim();
        this.env = {
            ...process.env,
            PATH: toolchainPath,
            PULUMI_BACKEND_URL: `file://${backend}`,
            PULUMI_CONFIG_PASSPHRASE: "e2e-throwaway-passphrase",
            PULUMI_CONFIG_PASSPHRASE_FILE: "",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        };
        this.configFile = path.join(this.programDir, `Pulumi.${stack}.yaml`);
        if (fromConfig) {
            // Without the source stack's salt (this stack has a passphrase of its own), and with this lab's files.
            const config = fs.readFileSync(path.join(projectDir, fromConfig), "utf8")
                .replace(/^encryptionsalt:.*\n?/m, "")
                .replace(/(?<=[\s[])\.lab\//g, `${labDir}/`);
            fs.writeFileSync(this.configFile, config);
        }
    }

    /** Replaces the stack's config with these values (plain, not secret). */
    writeConfig(values: Record<string, unknown>): void {
        const project = /^name:\s*(\S+)/m.exec(fs.readFileSync(path.join(this.programDir, "Pulumi.yaml"), "utf8"))![1];
        const config = Object.fromEntries(Object.entries(values).map(([k, v]) => [`${project}:${k}`, v]));
        fs.writeFileSync(this.configFile, JSON.stringify({ config }, null, 2));
    }

    /** Creates the stack (passphrase secrets) in its fresh backend. */
    init(): Promise<Result> {
        return this.run(["stack", "init", this.stack, "--secrets-provider", "passphrase"]);
    }

    /**
     * Points the stack at this lab's own services (Pulumi.dev.yaml names the default lab's gateway): the
     * Mesos package repository, the worker image's base image and the apt proxy. Call after init.
     */
    async useLabServices(): Promise<void> {
        const inventory = JSON.parse(fs.readFileSync(path.join(labDir, "inventory.json"), "utf8"));
        const repoUrl: string = inventory.mesosRepository.url;
        await this.run(["config", "set", "--path", "twister2-cluster:mesos.repository.url", repoUrl]);
        await this.run(["config", "set", "--path", "twister2-cluster:workerImage.baseImageUrl", new URL("images/debian-bookworm.tar", repoUrl).href]);
        await this.run(["config", "set", "--path", "twister2-cluster:workerImage.aptProxy", inventory.aptProxy]);
    }

    /** `npm run preview:md -- <stack>` against this stack's backend. */
    previewMarkdown(): string {
        return execFileSync("bash", [path.join(projectDir, "scripts", "preview-md.sh"), this.stack], {
            cwd: projectDir, env: this.env, encoding: "utf8",
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

    /**
     * `pulumi up`, killed with SIGKILL `delaySeconds` after `pattern` shows in its output, as if this
     * machine lost power: then every process it started goes too (its process group). Resolves with
     * the output up to the kill; rejects if the run ends before the pattern shows.
     */
    async upKilled(pattern: RegExp, delaySeconds: number): Promise<string> {
        const started = Date.now();
        const child = spawn("pulumi", ["up", "--yes", "--skip-preview", "--parallel", "32", "--non-interactive", "--stack", this.stack],
            { cwd: this.programDir, env: this.env, detached: true });
        let output = "";
        const ended = new Promise<void>((resolve) => child.on("close", () => resolve()));
        const seen = new Promise<boolean>((resolve) => {
            const onData = (chunk: Buffer) => {
                output += chunk.toString();
                if (pattern.test(output)) resolve(true);
            };
            child.stdout.on("data", onData);
            child.stderr.on("data", onData);
            void ended.then(() => resolve(false));
        });
        if (!(await seen)) throw new Error(`pulumi up ended before ${pattern} showed:\n${output.slice(-5000)}`);
        await new Promise((r) => setTimeout(r, delaySeconds * 1000));
        process.kill(child.pid!, "SIGKILL");
        try {
            process.kill(-child.pid!, "SIGKILL");
        } catch {
            // the group is empty already
        }
        await ended;
        timings.push({ what: `pulumi up (killed at ${pattern.source})`, seconds: (Date.now() - started) / 1000 });
        return output;
    }

    /** `npm run forget-host -- <stack> <host>` against this stack's backend; never rejects. */
    async forgetHost(host: string): Promise<Result> {
        const started = Date.now();
        const result = await this.spawnAndCollect("bash", [path.join(projectDir, "scripts", "forget-host.sh"), this.stack, host], projectDir);
        timings.push({ what: `npm run forget-host ${host}`, seconds: (Date.now() - started) / 1000 });
        return result;
    }

    /** Removes the stack's config file; the backend goes with the next run. */
    remove(): void {
        fs.rmSync(this.configFile, { force: true });
    }

    /**
     * Runs `pulumi <args>` on this stack; rejects with the output when it fails unless check is false.
     * Asynchronous, so the test worker stays responsive during a long `pulumi up`.
     */
    async run(args: string[], options: { check?: boolean } = {}): Promise<Result> {
        const started = Date.now();
        const stackArgs = args[0] === "stack" && args[1] === "init" ? [] : ["--stack", this.stack];
        // Most steps wait on a remote host: more at once than Pulumi's default of 8.
        if (["up", "destroy", "preview"].includes(args[0])) stackArgs.push("--parallel", "32");
        const { code, stdout, stderr } = await this.spawnAndCollect("pulumi", [...args, ...stackArgs, "--non-interactive"], this.programDir);
        timings.push({ what: `pulumi ${args.slice(0, 2).join(" ")}`, seconds: (Date.now() - started) / 1000 });
        if ((options.check ?? true) && code !== 0) {
            throw new Error(`pulumi ${args.join(" ")} failed (${code}):\n${stdout.slice(-20000)}\n${stderr.slice(-10000)}`);
        }
        return { code, stdout, stderr };
    }

    private async spawnAndCollect(command: string, args: string[], cwd: string): Promise<Result> {
        const child = spawn(command, args, { cwd, env: this.env });
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

/** How long each Pulumi command of this test file took; reported when the file ends. */
const timings: { what: string; seconds: number }[] = [];

export function reportTimings(file: string): void {
    const lines = timings.map((t) => `${t.what.padEnd(44)} ${t.seconds.toFixed(1).padStart(8)} s`);
    console.log(`\nend-to-end timings:\n${lines.join("\n")}`);
    fs.mkdirSync(stateDir, { recursive: true });
    fs.writeFileSync(path.join(stateDir, file), JSON.stringify(timings, null, 2));
}
