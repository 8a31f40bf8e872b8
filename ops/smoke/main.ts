// npm run smoke -- STACK [options]: proves that the stack's cluster runs a Twister2-shaped job. It packs a
// small job (ops/smoke/job: a job master and one worker per Mesos agent), uploads it with rsync as Twister2's
// uploader does, runs it as a Mesos framework through the leading master's v1 scheduler API in the
// worker image on the overlay network with the job's directory on the NFS share, reads the result back,
// tears the framework down and reports. Exit 0: the job ran; 1: it did not (the report names the host
// and the cause); 2: the stack is not deployed or the options are wrong.
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { plan } from "../../components";
import { routeHttpThroughBastions } from "../bastionHttp";
import { knownHostsOf, loadLiveStack, runMain, secretOutput, ssh, sshOptions, StackOutputs, UsageError } from "../liveStack";
import { shellQuote } from "../../framework/remote/ssh";
import { SchedulerConnection, terminalStates } from "./mesosScheduler";
import { Outcome, SmokeAgent, SmokeJob, SmokeJobSpec, TaskRecord } from "./smokeJob";

const usage = `usage: npm run smoke -- STACK [--worker-class CLASS] [--timeout SECONDS] [--offer-timeout SECONDS] [--upload-key FILE] [--keep]
  --worker-class   the workers' Java class (default twister2.smoke.Worker; twister2.smoke.FailingWorker exits 3)
  --timeout        seconds the job may take once subscribed (default 300)
  --offer-timeout  seconds an agent may go without an offer that fits its task (default 60)
  --upload-key     the SSH key to upload with (default: the uploader host's login key; it must be in uploader.publicKeys)
  --keep           leave the job's packages on the uploader and its directory on the share
The framework authenticates with the stack's framework credential (the secret output mesosFramework), or
with MESOS_FRAMEWORK_PRINCIPAL and MESOS_FRAMEWORK_SECRET when they are set.`;

interface Options { stack: string; workerClass: string; timeoutSecs: number; offerTimeoutSecs: number; uploadKey?: string; keep: boolean }

function parseOptions(argv: string[]): Options {
    const options: Options = { stack: "", workerClass: "twister2.smoke.Worker", timeoutSecs: 300, offerTimeoutSecs: 60, keep: false };
    const rest = [...argv];
    while (rest.length > 0) {
        const arg = rest.shift()!;
        const value = () => {
            const v = rest.shift();
            if (v === undefined) throw new UsageError(`${arg} needs a value`);
            return v;
        };
        const seconds = () => {
            const v = Number(value());
            if (!Number.isInteger(v) || v <= 0) throw new UsageError(`${arg} takes a whole number of seconds`);
            return v;
        };
        if (arg === "--worker-class") options.workerClass = value();
        else if (arg === "--timeout") options.timeoutSecs = seconds();
        else if (arg === "--offer-timeout") options.offerTimeoutSecs = seconds();
        else if (arg === "--upload-key") options.uploadKey = path.resolve(value());
        else if (arg === "--keep") options.keep = true;
        else if (arg === "--") continue;
        else if (arg.startsWith("-") || options.stack) throw new UsageError(`unexpected argument ${arg}`);
        else options.stack = arg;
    }
    if (!options.stack) throw new UsageError("give the stack");
    if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(options.workerClass)) throw new UsageError(`--worker-class ${options.workerClass} is not a Java class name`);
    return options;
}

const say = (message: string) => process.stderr.write(`smoke: ${message}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function run(command: string, args: string[], cwd?: string): void {
    const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 300_000 });
    if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${(result.stderr || String(result.error)).trim()}`);
}

/** The job as Twister2 packs one: a core package and a job package, each a gzip tarball. */
function packJob(scratch: string): void {
    const jobSources = path.join(__dirname, "job");
    const javaFiles = (dir: string) => fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".java")).map((f) => path.join(dir, f));
    const classes = path.join(scratch, "classes");
    const pack = path.join(scratch, "pack");
    fs.mkdirSync(path.join(pack, "twister2-core", "lib"), { recursive: true });
    fs.mkdirSync(path.join(pack, "twister2-job"), { recursive: true });
    run("javac", ["--release", "17", "-d", path.join(classes, "core"), ...javaFiles(path.join(jobSources, "core"))]);
    run("javac", ["--release", "17", "-cp", path.join(classes, "core"), "-d", path.join(classes, "job"), ...javaFiles(path.join(jobSources, "job"))]);
    run("jar", ["--create", "--file", path.join(pack, "twister2-core", "lib", "twister2-smoke-core.jar"), "-C", path.join(classes, "core"), "."]);
    run("jar", ["--create", "--file", path.join(pack, "twister2-job", "twister2-smoke-job.jar"), "-C", path.join(classes, "job"), "."]);
    const upload = path.join(scratch, "upload");
    fs.mkdirSync(upload);
    run("tar", ["-czf", path.join(upload, "twister2-core.tar.gz"), "-C", pack, "twister2-core"]);
    run("tar", ["-czf", path.join(upload, "twister2-job.tar.gz"), "-C", pack, "twister2-job"]);
}

async function getJson(url: string): Promise<unknown> {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
    return response.json();
}

interface AgentState {
    frameworks?: AgentFramework[];
    completed_frameworks?: AgentFramework[];
}
interface AgentFramework { id: string; executors?: { id: string; directory: string }[]; completed_executors?: { id: string; directory: string }[] }

/** A task's sandbox file (stdout/stderr) from its agent: /state for the directory, /files/read for the bytes. */
async function sandboxFile(agentUrl: string, frameworkId: string, taskId: string, file: string, maxBytes = 4096): Promise<string | undefined> {
    try {
        const state = await getJson(`${agentUrl}/state`) as AgentState;
        const executors = [...(state.frameworks ?? []), ...(state.completed_frameworks ?? [])]
            .filter((f) => f.id === frameworkId)
            .flatMap((f) => [...(f.executors ?? []), ...(f.completed_executors ?? [])]);
        const directory = executors.find((e) => e.id === taskId)?.directory;
        if (!directory) return undefined;
        const filePath = `${directory}/${file}`;
        const size = (await getJson(`${agentUrl}/files/read?path=${encodeURIComponent(filePath)}&offset=-1`) as { offset: number }).offset;
        const offset = Math.max(0, size - maxBytes);
        const read = await getJson(`${agentUrl}/files/read?path=${encodeURIComponent(filePath)}&offset=${offset}&length=${maxBytes}`) as { data: string };
        return read.data;
    } catch {
        return undefined;
    }
}

function describeTask(task: TaskRecord): string {
    const states = task.states.map((s) => `${s.state} +${seconds(s.atMs)}`).join(", ");
    const exit = task.exitCode === undefined ? "" : ` (exit ${task.exitCode})`;
    return `${task.taskId} ${task.role}${task.role === "worker" ? ` ${task.workerId}` : ""} on ${task.agent.name} (${task.agent.hostname}): ${states || "no status"}${exit}`;
}

async function main(): Promise<number> {
    let options: Options;
    try {
        options = parseOptions(process.argv.slice(2));
    } catch (err) {
        process.stderr.write(`smoke: ${(err as Error).message}\n${usage}\n`);
        return 2;
    }
    const started = Date.now();
    const { outputs, config } = loadLiveStack(options.stack);
    const missing = [
        !outputs.mesosMasters?.length && "Mesos masters", !outputs.overlayNetwork && "an overlay network",
        !outputs.workerImage && "a worker image", !outputs.uploader && "an uploader", !outputs.nfsShare && "an NFS share",
    ].filter(Boolean);
    if (missing.length > 0) throw new UsageError(`stack ${options.stack} has no ${missing.join(", ")} in its outputs: deploy it first (pulumi up)`);
    const { mesosMasters, overlayNetwork, workerImage, uploader, nfsShare } = outputs as Required<StackOutputs>;
    await routeHttpThroughBastions(config.hosts, knownHostsOf(options.stack));
    const layout = plan(config);
    if (!layout.mesos?.agents.length || !layout.uploader || !layout.nfs) throw new UsageError("the stack needs mesos-agent, uploader and nfs-server hosts");
    const agents: SmokeAgent[] = layout.mesos.agents.map((h) => ({ name: h.name, hostname: h.address }));
    const agentHosts = new Map(layout.mesos.agents.map((h) => [h.name, h]));
    const uploaderHost = layout.uploader;
    const nfsServer = layout.nfs.server;

    const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
    const jobId = `smoke-${stamp}-${crypto.randomBytes(2).toString("hex")}`;
    const jobDir = `${nfsShare.path.replace(/\/$/, "")}/${jobId}`;
    const uploadDir = `${uploader.directory.replace(/\/$/, "")}/${jobId}/`;
    const jobPath = `${new URL(uploader.url).pathname.replace(/\/?$/, "/")}${jobId}/`;
    const uploadLogin = { user: uploader.scpConnection.split("@")[0], key: options.uploadKey ?? uploaderHost.privateKeyFile };
    const notes: string[] = [];
    const report: string[] = [];
    let outcome: Outcome | undefined;
    let connection: SchedulerConnection | undefined;
    let job: SmokeJob | undefined;
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "t2-smoke-"));
    say(`job ${jobId} on stack ${options.stack}: ${agents.length} agents (${agents.map((a) => a.name).join(", ")}), image ${workerImage.image}, network ${overlayNetwork.name}`);
    try {
        say("packing the job (ops/smoke/job: javac, jar, tar)");
        packJob(scratch);
        say(`uploading it with rsync to ${uploader.scpConnection}:${uploadDir}`);
        const rsync = spawnSync("rsync", ["-a", "--timeout=60", "-e", ["ssh", ...sshOptions(options.stack, uploaderHost, uploadLogin.key)].map(shellQuote).join(" "),
            `${path.join(scratch, "upload")}/`, `${uploader.scpConnection}:${uploadDir}`], { encoding: "utf8", timeout: 180_000 });
        if (rsync.status !== 0) {
            outcome = { ok: false, agent: uploaderHost.name, cause: `uploading the job to ${uploader.scpConnection} failed: ${(rsync.stderr || String(rsync.error)).trim()} (the upload key must be in uploader.publicKeys; --upload-key picks it)` };
            return finish();
        }
        for (const file of ["twister2-core.tar.gz", "twister2-job.tar.gz"]) {
            const url = `${uploader.fetchUri.replace(/\/$/, "")}${jobPath}${file}`;
            const response = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(10_000) }).catch((err: Error) => err);
            if (response instanceof Error || !response.ok) {
                outcome = { ok: false, agent: uploaderHost.name, cause: `the uploaded package is not downloadable: HEAD ${url}: ${response instanceof Error ? response.message : `HTTP ${response.status}`}` };
                return finish();
            }
        }

        say(`making the job's directory on the share (${nfsServer.name}:${jobDir})`);
        const made = ssh(options.stack, nfsServer, `install -d -m 0777 '${jobDir}'`);
        if (made.code !== 0) {
            outcome = { ok: false, agent: nfsServer.name, cause: `could not make ${jobDir} on the NFS server ${nfsServer.name}: ${made.stderr}` };
            return finish();
        }
        const unmounted = new Map<string, string>(); // agent name -> what the share's path is on there instead
        for (const [name, host] of agentHosts) {
            // The file system the share's path is on there (the path itself may not exist where nothing is mounted).
            const fstype = ssh(options.stack, host, `p='${nfsShare.path}'; while [ ! -e "$p" ]; do p=$(dirname "$p"); done; findmnt -n -o FSTYPE --target "$p" || true`).stdout.trim();
            if (!fstype.startsWith("nfs")) unmounted.set(name, fstype || "unknown");
        }
        if (unmounted.size > 0) {
            const where = [...unmounted].map(([name, fs]) => `${name} (${fs})`).join(", ");
            notes.push(`the share is not mounted at ${nfsShare.path} on ${where}: a job's output stays on that host, so the result is checked through the job master's output`);
        }

        const spec: SmokeJobSpec = {
            jobId, image: workerImage.image, network: overlayNetwork.name, fetchUri: uploader.fetchUri, jobPath, jobDir, agents,
            jobMasterClass: "twister2.smoke.JobMaster", workerClass: options.workerClass, jobMasterPort: 11011,
            jobMaster: { cpus: 0.1, mem: 384, disk: 64 }, worker: { cpus: 0.1, mem: 384, disk: 64 },
            offerTimeoutSecs: options.offerTimeoutSecs, timeoutSecs: options.timeoutSecs,
        };
        // The masters authenticate HTTP frameworks: with the stack's framework credential, unless the environment names another.
        const credentials = process.env.MESOS_FRAMEWORK_PRINCIPAL
            ? { principal: process.env.MESOS_FRAMEWORK_PRINCIPAL, secret: process.env.MESOS_FRAMEWORK_SECRET ?? "" }
            : outputs.mesosFramework && secretOutput(options.stack, "mesosFramework") as StackOutputs["mesosFramework"];
        const principal = credentials?.principal;
        say(`subscribing to Mesos (${mesosMasters.join(", ")})`);
        connection = await SchedulerConnection.subscribe(mesosMasters, {
            user: os.userInfo().username, name: `twister2-smoke ${jobId}`, hostname: os.hostname(), failover_timeout: 0,
            ...(principal ? { principal } : {}),
        }, { credentials });
        say(`framework ${connection.frameworkId} subscribed at ${connection.masterUrl}`);
        job = new SmokeJob(spec, Date.now());
        await runJob(connection, job);
        outcome = job.outcome;

        if (outcome?.ok) {
            const master = job.jobMaster!;
            const text = unmounted.has(master.agent.name)
                ? (await sandboxFile(master.agentUrl, connection.frameworkId, master.taskId, "stdout", 65536))
                    ?.split("\n").find((l) => l.startsWith("twister2-smoke-result "))?.slice("twister2-smoke-result ".length)
                : ssh(options.stack, nfsServer, `cat '${jobDir}/result.json'`).stdout;
            const from = unmounted.has(master.agent.name) ? `the job master's output on ${master.agent.name}` : `the share on ${nfsServer.name} (${jobDir}/result.json)`;
            outcome = checkResult(text, job, from, report);
        }
    } catch (err) {
        outcome ??= { ok: false, cause: (err as Error).message };
    }
    return finish();

    async function finish(): Promise<number> {
        if (job && connection) {
            if (!outcome?.ok && outcome?.taskId) {
                const task = job.tasks.get(outcome.taskId);
                const stderr = task && await sandboxFile(task.agentUrl, connection.frameworkId, task.taskId, "stderr");
                const tail = stderr?.trim().split("\n").filter((l) => l.trim()).slice(-6);
                if (tail?.length) report.push(`  its stderr ends:`, ...tail.map((l) => `    ${l}`));
            }
            report.unshift("  tasks:", ...[...job.tasks.values()].map((t) => `    ${describeTask(t)}`));
            const teardown = await tearDown(connection, job);
            report.push(`  ${teardown.message}`);
            if (!teardown.ok && outcome?.ok) outcome = { ok: false, cause: teardown.message };
        }
        if (!options.keep) {
            // As Twister2's ScpController sends it: the upload account's forced command takes one plain path.
            ssh(options.stack, uploaderHost, `rm -rf ${shellQuote(uploadDir)}`, uploadLogin);
            ssh(options.stack, nfsServer, `rm -rf '${jobDir}'`);
            for (const host of agentHosts.values()) ssh(options.stack, host, `if ! findmnt -n --target '${nfsShare.path}' -t nfs,nfs4 >/dev/null; then rm -rf '${jobDir}'; fi`);
        }
        fs.rmSync(scratch, { recursive: true, force: true });
        const verdict = outcome?.ok ? "PASSED" : "FAILED";
        console.log(`Smoke job ${jobId} on stack ${options.stack}: ${verdict} in ${seconds(Date.now() - started)}`);
        if (!outcome?.ok) console.log(`  cause${outcome?.agent ? ` (on ${outcome.agent})` : ""}: ${outcome?.cause ?? "unknown"}`);
        for (const line of report) console.log(line);
        for (const note of notes) console.log(`  note: ${note}`);
        return outcome?.ok ? 0 : 1;
    }
}

/** Feeds the events to the job's decisions and sends its calls; checks its deadlines every second. */
async function runJob(connection: SchedulerConnection, job: SmokeJob): Promise<void> {
    const events = connection.events();
    let next = events.next();
    let shown = 0;
    while (!job.outcome) {
        let timer: NodeJS.Timeout | undefined;
        const tick = new Promise<"tick">((resolve) => { timer = setTimeout(() => resolve("tick"), 1000); });
        const got = await Promise.race([next, tick]);
        clearTimeout(timer);
        if (got !== "tick") {
            if (got.done) {
                job.outcome = { ok: false, cause: `the Mesos master at ${connection.masterUrl} closed the subscription` };
                break;
            }
            for (const call of job.handle(got.value, Date.now())) await connection.call(call);
            next = events.next();
        }
        job.check(Date.now());
        const changes = [...job.tasks.values()].flatMap((t) => t.states.map((s) => ({ t, s }))).sort((a, b) => a.s.atMs - b.s.atMs);
        for (const { t, s } of changes.slice(shown)) {
            say(`+${seconds(s.atMs)} ${t.role}${t.role === "worker" ? ` ${t.workerId}` : ""} on ${t.agent.name}: ${s.state}${s.message ? ` (${s.message})` : ""}`);
        }
        shown = changes.length;
    }
}

/** TEARDOWN, then the master's and the agents' own word that nothing of the framework is left. */
async function tearDown(connection: SchedulerConnection, job: SmokeJob): Promise<{ ok: boolean; message: string }> {
    try {
        await connection.call({ type: "TEARDOWN" });
    } catch (err) {
        return { ok: false, message: `TEARDOWN failed: ${(err as Error).message}` };
    } finally {
        connection.close();
    }
    const id = connection.frameworkId;
    const deadline = Date.now() + 30_000;
    let last = "";
    while (Date.now() < deadline) {
        try {
            const frameworks = await getJson(`${connection.masterUrl}/master/frameworks`) as { frameworks: { id: string }[] };
            const tasks = await getJson(`${connection.masterUrl}/master/tasks`) as { tasks: { framework_id: string; state: string; id: string }[] };
            const live = tasks.tasks.filter((t) => t.framework_id === id && !terminalStates.has(t.state));
            const running: string[] = [];
            const agents = new Map([...job.tasks.values()].map((t) => [t.agentUrl, t.agent.name]));
            for (const [url, name] of agents) {
                const state = await getJson(`${url}/state`) as AgentState;
                const executors = (state.frameworks ?? []).filter((f) => f.id === id).flatMap((f) => f.executors ?? []);
                running.push(...executors.map((e) => `task ${e.id} on ${name}`));
            }
            if (!frameworks.frameworks.some((f) => f.id === id) && live.length === 0 && running.length === 0) {
                return { ok: true, message: `torn down: framework ${id} is gone from /master/frameworks, none of its ${job.tasks.size} tasks is left in /master/tasks, and no agent runs any of its containers (/state)` };
            }
            last = live.length ? `tasks ${live.map((t) => `${t.id} (${t.state})`).join(", ")} still live`
                : running.length ? `${running.join(", ")} still running` : "the framework is still listed";
        } catch (err) {
            last = (err as Error).message;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    return { ok: false, message: `teardown of framework ${id} not confirmed within 30 s: ${last}` };
}

/** The job master's result: every worker reported, each from the agent it was launched on. */
function checkResult(text: string | undefined, job: SmokeJob, from: string, report: string[]): Outcome {
    const master = job.jobMaster!;
    let result: { workers: { workerId: number; host: string; ip: string }[] };
    try {
        result = JSON.parse(text ?? "");
    } catch {
        return { ok: false, agent: master.agent.name, cause: `no result in ${from}` };
    }
    const workers = [...job.tasks.values()].filter((t) => t.role === "worker");
    for (const worker of workers) {
        const reported = result.workers.find((w) => w.workerId === worker.workerId);
        if (!reported) return { ok: false, agent: worker.agent.name, cause: `worker ${worker.workerId} on ${worker.agent.name} is missing from the result in ${from}` };
        if (reported.host !== worker.agent.hostname) return { ok: false, agent: worker.agent.name, cause: `worker ${worker.workerId} reported host ${reported.host}, not ${worker.agent.hostname}` };
    }
    report.push(`  result, from ${from}: ${result.workers.length} workers reported to the job master (${master.ip}) over the overlay: ` +
        result.workers.map((w) => `${w.workerId} from ${workers.find((t) => t.workerId === w.workerId)?.agent.name ?? w.host} (${w.ip})`).join(", "));
    return { ok: true, cause: "every worker reported" };
}

runMain("smoke", main);
