// The smoke job's scheduler: RecordIO framing, and its decisions on offers and status updates.
import { describe, expect, it } from "vitest";
import { Offer, RecordIoDecoder, SchedulerCall, SchedulerEvent } from "./mesosScheduler";
import { SmokeJob, SmokeJobSpec } from "./smokeJob";

const spec: SmokeJobSpec = {
    jobId: "smoke-1", image: "twister2-worker:abc", network: "mesos-overlay", fetchUri: "http://10.0.0.2:8082",
    jobPath: "/twister2/mesos/smoke-1/", jobDir: "/nfs/twister2/smoke-1",
    agents: [{ name: "h4", hostname: "10.0.0.4" }, { name: "h5", hostname: "10.0.0.5" }],
    jobMasterClass: "twister2.smoke.JobMaster", workerClass: "twister2.smoke.Worker", jobMasterPort: 11011,
    jobMaster: { cpus: 0.1, mem: 384, disk: 64 }, worker: { cpus: 0.1, mem: 384, disk: 64 },
    offerTimeoutSecs: 60, timeoutSecs: 300,
};

let offerCount = 0;
function offer(hostname: string, cpus = 2, mem = 4096): Offer {
    offerCount += 1;
    return {
        id: { value: `O${offerCount}` }, agent_id: { value: `agent-${hostname}` }, hostname,
        resources: [
            { name: "cpus", type: "SCALAR", scalar: { value: cpus } },
            { name: "mem", type: "SCALAR", scalar: { value: mem } },
            { name: "disk", type: "SCALAR", scalar: { value: 10000 } },
            { name: "ports", type: "RANGES", ranges: { range: [{ begin: 31000, end: 32000 }] } },
        ],
    };
}
const offers = (...list: Offer[]): SchedulerEvent => ({ type: "OFFERS", offers: { offers: list } });
const update = (taskId: string, state: string, extra: Record<string, unknown> = {}): SchedulerEvent =>
    ({ type: "UPDATE", update: { status: { task_id: { value: taskId }, state, agent_id: { value: "agent-x" }, uuid: `u-${taskId}-${state}`, ...extra } } });
const running = (taskId: string, ip: string) => update(taskId, "TASK_RUNNING", {
    container_status: { network_infos: [{ name: "mesos-overlay", ip_addresses: [{ ip_address: ip }] }] },
});

type Launched = { task_id: { value: string }; agent_id: { value: string }; container: { type: string; docker: { image: string; network: string; parameters: { key: string; value: string }[] }; network_infos: { name: string }[]; volumes: { container_path: string; host_path: string }[] }; command: { shell: boolean } };
function launched(call: SchedulerCall): Launched {
    expect(call.type).toBe("ACCEPT");
    const accept = call.accept as { operations: { type: string; launch: { task_infos: Launched[] } }[] };
    expect(accept.operations).toHaveLength(1);
    expect(accept.operations[0].type).toBe("LAUNCH");
    return accept.operations[0].launch.task_infos[0];
}
const envOf = (task: Launched) => Object.fromEntries(task.container.docker.parameters.map((p) => {
    expect(p.key).toBe("env");
    const i = p.value.indexOf("=");
    return [p.value.slice(0, i), p.value.slice(i + 1)];
}));

/** A job whose job master runs on h4 at 10.78.0.2. */
function jobWithMasterRunning(now = 0): SmokeJob {
    const job = new SmokeJob(spec, now);
    job.handle(offers(offer("10.0.0.4")), now);
    job.handle(running("0", "10.78.0.2"), now + 1000);
    return job;
}

describe("RecordIO", () => {
    it("splits records whatever the chunk boundaries", () => {
        const records = [{ type: "SUBSCRIBED" }, { type: "HEARTBEAT" }, { type: "OFFERS", n: "é" }];
        const bytes = Buffer.concat(records.map((r) => {
            const data = Buffer.from(JSON.stringify(r));
            return Buffer.concat([Buffer.from(`${data.length}\n`), data]);
        }));
        for (const size of [1, 3, 7, bytes.length]) {
            const decoder = new RecordIoDecoder();
            const got: unknown[] = [];
            for (let i = 0; i < bytes.length; i += size) got.push(...decoder.push(bytes.subarray(i, i + size)));
            expect(got).toEqual(records);
        }
    });

    it("refuses a stream that is not RecordIO", () => {
        expect(() => new RecordIoDecoder().push(Buffer.from("<html>\n"))).toThrow(/not a RecordIO stream/);
    });
});

describe("the smoke job's scheduler", () => {
    it("launches the job master on the first offer that fits, as Twister2's MesosScheduler builds a Docker task", () => {
        const job = new SmokeJob(spec, 0);
        const [small, fits] = job.handle(offers(offer("10.0.0.5", 0.05), offer("10.0.0.4")), 0);
        expect(small).toEqual({ type: "DECLINE", decline: { offer_ids: [{ value: `O${offerCount - 1}` }], filters: { refuse_seconds: 1 } } });
        const task = launched(fits);
        expect(task.task_id.value).toBe("0");
        expect(task.agent_id.value).toBe("agent-10.0.0.4");
        expect(task.command).toEqual({ shell: false });
        expect(task.container.type).toBe("DOCKER");
        expect(task.container.docker).toMatchObject({ image: "twister2-worker:abc", network: "USER" });
        expect(task.container.network_infos).toEqual([{ name: "mesos-overlay" }]);
        expect(task.container.volumes).toEqual([
            { container_path: "/twister2/", host_path: ".", mode: "RW" },
            { container_path: "/persistent-volume/", host_path: "/nfs/twister2/smoke-1", mode: "RW" },
            { container_path: "/customJars/", host_path: "/root/.twister2/repository/customJars", mode: "RW" },
        ]);
        expect(envOf(task)).toMatchObject({
            JOB_NAME: "smoke-1", WORKER_ID: "0", CLASS_NAME: "twister2.smoke.JobMaster", DOWNLOAD_METHOD: "HTTP",
            T2_FETCH_URI: "http://10.0.0.2:8082", T2_JOB_PATH: "/twister2/mesos/smoke-1/", T2_WORKERS: "2",
        });
        expect(job.jobMaster?.agent.name).toBe("h4");
    });

    it("declines offers from hosts that are not the stack's agents, and everything while the job master starts", () => {
        const job = new SmokeJob(spec, 0);
        expect(job.handle(offers(offer("10.9.9.9")), 0)[0].type).toBe("DECLINE");
        job.handle(offers(offer("10.0.0.4")), 0);
        expect(job.handle(offers(offer("10.0.0.5")), 0).map((c) => c.type)).toEqual(["DECLINE"]);
    });

    it("acknowledges every update that carries a uuid, with its agent and task, and no other", () => {
        const job = new SmokeJob(spec, 0);
        job.handle(offers(offer("10.0.0.4")), 0);
        expect(job.handle(update("0", "TASK_STARTING"), 500)).toEqual([{
            type: "ACKNOWLEDGE", acknowledge: { agent_id: { value: "agent-x" }, task_id: { value: "0" }, uuid: "u-0-TASK_STARTING" },
        }]);
        const reconciled: SchedulerEvent = { type: "UPDATE", update: { status: { task_id: { value: "0" }, state: "TASK_STARTING", source: "SOURCE_MASTER" } } };
        expect(job.handle(reconciled, 600)).toEqual([]);
        expect(job.tasks.get("0")?.states.map((s) => s.state)).toEqual(["TASK_STARTING"]);
        // Updates for tasks it does not know are acknowledged too (else Mesos resends them forever).
        expect(job.handle(update("99", "TASK_LOST"), 700).map((c) => c.type)).toEqual(["ACKNOWLEDGE"]);
    });

    it("launches one worker per agent once the job master runs, with its overlay address", () => {
        const job = jobWithMasterRunning();
        const [h5, h4] = job.handle(offers(offer("10.0.0.5"), offer("10.0.0.4")), 2000).map(launched);
        expect(envOf(h5)).toMatchObject({ WORKER_ID: "1", CLASS_NAME: "twister2.smoke.Worker", JOB_MASTER_IP: "10.78.0.2", JOB_MASTER_PORT: "11011", T2_AGENT_HOST: "10.0.0.5" });
        expect(envOf(h4)).toMatchObject({ WORKER_ID: "2", T2_AGENT_HOST: "10.0.0.4" });
        expect(job.handle(offers(offer("10.0.0.5")), 3000)[0].type).toBe("DECLINE");
    });

    it("succeeds when the job master and every worker finished, whatever order their updates come in", () => {
        for (const order of [["1", "2", "0"], ["0", "2", "1"]]) {
            const job = jobWithMasterRunning();
            job.handle(offers(offer("10.0.0.5"), offer("10.0.0.4")), 2000);
            for (const [i, id] of order.entries()) {
                expect(job.outcome).toBeUndefined();
                job.handle(update(id, "TASK_FINISHED", { message: "Container exited with status 0" }), 5000 + i);
            }
            expect(job.outcome).toEqual({ ok: true, cause: "every task finished" });
            expect(job.tasks.get("0")?.exitCode).toBe(0);
        }
    });

    it("does not succeed while a worker is still to be placed", () => {
        const job = jobWithMasterRunning();
        job.handle(offers(offer("10.0.0.5")), 2000);
        job.handle(update("1", "TASK_FINISHED"), 3000);
        job.handle(update("0", "TASK_FINISHED"), 3000);
        expect(job.outcome).toBeUndefined();
    });

    it("fails on a worker's TASK_FAILED, naming its agent and exit code", () => {
        const job = jobWithMasterRunning();
        job.handle(offers(offer("10.0.0.5")), 2000);
        job.handle(update("1", "TASK_FAILED", { message: "Container exited with status 3", reason: "REASON_COMMAND_EXECUTOR_FAILED" }), 4000);
        expect(job.outcome).toMatchObject({ ok: false, agent: "h5", taskId: "1" });
        expect(job.outcome?.cause).toBe("the worker 1 on h5 ended TASK_FAILED (REASON_COMMAND_EXECUTOR_FAILED: Container exited with status 3)");
        expect(job.tasks.get("1")?.exitCode).toBe(3);
        expect(job.liveTasks().map((t) => t.taskId)).toEqual(["0"]);
        // Once failed, it takes nothing more.
        expect(job.handle(offers(offer("10.0.0.4")), 5000)[0].type).toBe("DECLINE");
    });

    it("fails, naming the agent, when an agent offers nothing for its worker in time", () => {
        const job = jobWithMasterRunning();
        job.handle(offers(offer("10.0.0.4")), 2000);
        job.check(60_000);
        expect(job.outcome).toBeUndefined();
        job.check(62_000);
        expect(job.outcome).toMatchObject({ ok: false, agent: "h5" });
        expect(job.outcome?.cause).toMatch(/^no offer from the Mesos agent on h5 \(10\.0\.0\.5\) within 60 s/);
    });

    it("fails when no agent offers enough for the job master, and when the job overruns its time", () => {
        const starved = new SmokeJob(spec, 0);
        starved.handle(offers(offer("10.0.0.4", 2, 100)), 1000);
        starved.check(61_000);
        expect(starved.outcome?.cause).toMatch(/^no offer with 0.1 cpus, 384 MB of memory .* for the job master from any Mesos agent \(h4 \(10.0.0.4\), h5 \(10.0.0.5\)\)/);

        const slow = jobWithMasterRunning();
        slow.handle(offers(offer("10.0.0.4"), offer("10.0.0.5")), 2000);
        slow.check(301_000);
        expect(slow.outcome?.cause).toMatch(/^the job did not finish within 300 s: still job master 0 on h4 \(TASK_RUNNING\), worker 1 on h4 \(TASK_STAGING\)/);
    });

    it("fails when the job master runs without an address on the overlay", () => {
        const job = new SmokeJob(spec, 0);
        job.handle(offers(offer("10.0.0.4")), 0);
        job.handle(update("0", "TASK_RUNNING"), 1000);
        expect(job.outcome?.cause).toBe("the job master runs on h4 but Mesos reports no address for it on mesos-overlay");
    });
});
