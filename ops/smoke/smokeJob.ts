// What the smoke job's scheduler decides, as a pure function of the events it is given: launch the
// job master as soon as an offer fits it, then one worker on every agent once the job master runs (the
// workers need its address on the overlay), decline every other offer, acknowledge every update, and
// end with the first failure or when all tasks finished. Time comes in as an argument (tests drive it).
import { mesosPorts } from "../../components/mesos/component";
import { Offer, SchedulerCall, SchedulerEvent, TaskStatus, scalar, scalarsOf, terminalStates } from "./mesosScheduler";

export interface SmokeAgent {
    /** The host's name in the stack (h4). */
    name: string;
    /** What Mesos calls it: the agent's --hostname (this program sets the host's address). */
    hostname: string;
}

export interface TaskResources {
    cpus: number;
    /** MB */
    mem: number;
    /** MB */
    disk: number;
}

export interface SmokeJobSpec {
    jobId: string;
    /** The stack's worker image (twister2.resource.mesos.docker.image). */
    image: string;
    /** The overlay network's name (twister2.resource.mesos.overlay.network.name). */
    network: string;
    /** The uploader's web server (twister2.resource.HTTP.fetch.uri) and the job's path on it. */
    fetchUri: string;
    jobPath: string;
    /** The job's directory on the share, mounted at /persistent-volume/. */
    jobDir: string;
    /** One worker on each. */
    agents: SmokeAgent[];
    jobMasterClass: string;
    workerClass: string;
    jobMasterPort: number;
    jobMaster: TaskResources;
    worker: TaskResources;
    /** Seconds an agent that must run a task may go without offering enough for it. */
    offerTimeoutSecs: number;
    /** Seconds the whole job may take, from the subscription. */
    timeoutSecs: number;
}

export interface TaskRecord {
    taskId: string;
    workerId: number;
    role: "job master" | "worker";
    agent: SmokeAgent;
    agentId: string;
    /** The agent's HTTP endpoint (/state, /files/read), from the offer. */
    agentUrl: string;
    /** Each state with the time it was reported (ms since the job started) and Mesos's message. */
    states: { state: string; atMs: number; message?: string; reason?: string }[];
    ip?: string;
    exitCode?: number;
}

export interface Outcome {
    ok: boolean;
    /** The host the failure is on, when it is on one. */
    agent?: string;
    cause: string;
    /** The task that failed, when a task did. */
    taskId?: string;
}

const refuseSeconds = 1;

export class SmokeJob {
    readonly tasks = new Map<string, TaskRecord>();
    outcome?: Outcome;
    private readonly startedAt: number;
    /** Since when tasks wait to be placed: from the start (the job master), then from the job master running (workers). */
    private offerWaitSince?: number;
    private readonly offeredBy = new Set<string>();

    constructor(readonly spec: SmokeJobSpec, now: number) {
        this.startedAt = now;
        this.offerWaitSince = now;
    }

    get jobMaster(): TaskRecord | undefined {
        return this.tasks.get("0");
    }

    /** The calls an event asks for (acknowledgements, launches, declines). */
    handle(event: SchedulerEvent, now: number): SchedulerCall[] {
        switch (event.type) {
            case "OFFERS":
                return event.offers.offers.map((offer) => this.onOffer(offer));
            case "UPDATE":
                return this.onUpdate(event.update.status, now);
            case "ERROR":
                this.fail({ cause: `the master ended the subscription: ${event.error.message}` });
                return [];
            case "FAILURE": {
                const agent = this.agentById(event.failure.agent_id?.value);
                if (agent && event.failure.status === undefined) this.fail({ agent: agent.name, cause: `agent ${agent.name} failed (Mesos FAILURE event)` });
                return [];
            }
            default:
                return [];
        }
    }

    /** Deadlines: the job as a whole, and offers for the tasks still to place. */
    check(now: number): void {
        if (this.outcome) return;
        const { spec } = this;
        if (now - this.startedAt > spec.timeoutSecs * 1000) {
            const running = this.liveTasks();
            const where = running.map((t) => `${t.role} ${t.workerId} on ${t.agent.name} (${this.stateOf(t)})`).join(", ");
            this.fail({ agent: running[0]?.agent.name, taskId: running[0]?.taskId, cause: `the job did not finish within ${spec.timeoutSecs} s` + (where ? `: still ${where}` : "") });
            return;
        }
        if (this.offerWaitSince === undefined || now - this.offerWaitSince <= spec.offerTimeoutSecs * 1000) return;
        const free = (r: TaskResources) => `${r.cpus} cpus, ${r.mem} MB of memory and ${r.disk} MB of disk free`;
        if (!this.jobMaster) {
            const names = spec.agents.map((a) => `${a.name} (${a.hostname})`).join(", ");
            this.fail({ agent: spec.agents.length === 1 ? spec.agents[0].name : undefined, cause: `no offer with ${free(spec.jobMaster)} for the job master from any Mesos agent (${names}) within ${spec.offerTimeoutSecs} s: are they registered and active (/master/slaves)?` });
            return;
        }
        const agent = spec.agents.find((a) => !this.workerOn(a));
        if (!agent) return;
        const seen = this.offeredBy.has(agent.name) ? "only offers too small" : "no offer";
        this.fail({ agent: agent.name, cause: `${seen} from the Mesos agent on ${agent.name} (${agent.hostname}) within ${spec.offerTimeoutSecs} s: is it registered and active (/master/slaves), with ${free(spec.worker)}?` });
    }

    private workerOn(agent: SmokeAgent): TaskRecord | undefined {
        return [...this.tasks.values()].find((t) => t.role === "worker" && t.agent.name === agent.name);
    }

    private agentById(agentId?: string): SmokeAgent | undefined {
        return [...this.tasks.values()].find((t) => t.agentId === agentId)?.agent;
    }

    private stateOf(task: TaskRecord): string {
        return task.states.at(-1)?.state ?? "TASK_STAGING";
    }

    private onOffer(offer: Offer): SchedulerCall {
        const agent = this.spec.agents.find((a) => a.hostname === offer.hostname);
        const decline: SchedulerCall = { type: "DECLINE", decline: { offer_ids: [offer.id], filters: { refuse_seconds: refuseSeconds } } };
        if (!agent || this.outcome) return decline;
        if (this.jobMaster?.ip) this.offeredBy.add(agent.name);
        const free = scalarsOf(offer.resources);
        const fits = (r: TaskResources) => (free.cpus ?? 0) >= r.cpus && (free.mem ?? 0) >= r.mem && (free.disk ?? 0) >= r.disk;
        let launch: TaskRecord | undefined;
        if (!this.jobMaster) {
            if (fits(this.spec.jobMaster)) launch = this.record("0", 0, "job master", agent, offer);
        } else if (this.jobMaster.ip && !this.workerOn(agent) && fits(this.spec.worker)) {
            const workerId = 1 + [...this.tasks.values()].filter((t) => t.role === "worker").length;
            launch = this.record(String(workerId), workerId, "worker", agent, offer);
        }
        if (!launch) return decline;
        // Workers need the job master's address: the wait for their offers starts when it runs.
        if (launch.role === "job master") this.offerWaitSince = undefined;
        return {
            type: "ACCEPT",
            accept: {
                offer_ids: [offer.id],
                operations: [{ type: "LAUNCH", launch: { task_infos: [this.taskInfo(launch, offer)] } }],
                filters: { refuse_seconds: refuseSeconds },
            },
        };
    }

    private record(taskId: string, workerId: number, role: TaskRecord["role"], agent: SmokeAgent, offer: Offer): TaskRecord {
        const address = offer.url?.address;
        const agentUrl = `http://${address?.ip ?? offer.hostname}:${address?.port ?? mesosPorts.agent}`;
        const task: TaskRecord = { taskId, workerId, role, agent, agentId: offer.agent_id.value, agentUrl, states: [] };
        this.tasks.set(taskId, task);
        return task;
    }

    /** The TaskInfo Twister2's MesosScheduler builds for a Docker worker (DESIGN.md), plus the smoke job's settings. */
    private taskInfo(task: TaskRecord, offer: Offer): Record<string, unknown> {
        const { spec } = this;
        const resources = task.role === "job master" ? spec.jobMaster : spec.worker;
        const env: Record<string, string> = {
            JOB_NAME: spec.jobId,
            JOB_ID: spec.jobId,
            WORKER_ID: String(task.workerId),
            COMPUTE_RESOURCE_INDEX: "0",
            CLASS_NAME: task.role === "job master" ? spec.jobMasterClass : spec.workerClass,
            DOWNLOAD_METHOD: "HTTP",
            T2_FETCH_URI: spec.fetchUri,
            T2_JOB_PATH: spec.jobPath,
            T2_AGENT_HOST: offer.hostname,
            T2_WORKERS: String(spec.agents.length),
            JOB_MASTER_PORT: String(spec.jobMasterPort),
            ...(task.role === "worker" ? { JOB_MASTER_IP: this.jobMaster!.ip! } : {}),
        };
        return {
            name: `${spec.jobId}-${task.role === "job master" ? "job-master" : `worker-${task.workerId}`}`,
            task_id: { value: task.taskId },
            agent_id: offer.agent_id,
            resources: [scalar("cpus", resources.cpus), scalar("mem", resources.mem), scalar("disk", resources.disk)],
            command: { shell: false },
            container: {
                type: "DOCKER",
                docker: {
                    image: spec.image,
                    network: "USER",
                    parameters: Object.entries(env).map(([k, v]) => ({ key: "env", value: `${k}=${v}` })),
                },
                network_infos: [{ name: spec.network }],
                volumes: [
                    { container_path: "/twister2/", host_path: ".", mode: "RW" },
                    { container_path: "/persistent-volume/", host_path: spec.jobDir, mode: "RW" },
                    { container_path: "/customJars/", host_path: "/root/.twister2/repository/customJars", mode: "RW" },
                ],
            },
        };
    }

    private onUpdate(status: TaskStatus, now: number): SchedulerCall[] {
        const calls: SchedulerCall[] = status.uuid
            ? [{ type: "ACKNOWLEDGE", acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid } }]
            : [];
        const task = this.tasks.get(status.task_id.value);
        if (!task) return calls;
        const last = task.states.at(-1);
        if (last?.state === status.state && !status.uuid) return calls; // a reconciliation answer, no news
        task.states.push({ state: status.state, atMs: now - this.startedAt, message: status.message, reason: status.reason });
        const exit = /exited with status (\d+)/.exec(status.message ?? "");
        if (exit && terminalStates.has(status.state)) task.exitCode = Number(exit[1]);
        if (status.state === "TASK_RUNNING" && task.role === "job master") {
            task.ip = status.container_status?.network_infos?.flatMap((n) => n.ip_addresses ?? []).find((a) => a.ip_address)?.ip_address;
            if (!task.ip) {
                this.fail({ agent: task.agent.name, taskId: task.taskId, cause: `the job master runs on ${task.agent.name} but Mesos reports no address for it on ${this.spec.network}` });
                return calls;
            }
            this.offerWaitSince = now;
        }
        if (status.state === "TASK_FINISHED") {
            // Updates of different tasks arrive in any order: the job master may be reported first.
            const workers = [...this.tasks.values()].filter((t) => t.role === "worker");
            const finished = (t: TaskRecord) => this.stateOf(t) === "TASK_FINISHED";
            if (this.jobMaster && finished(this.jobMaster) && workers.length === this.spec.agents.length && workers.every(finished)) {
                this.outcome ??= { ok: true, cause: "every task finished" };
            }
        } else if (terminalStates.has(status.state) && !this.outcome) {
            const what = `the ${task.role}${task.role === "worker" ? ` ${task.workerId}` : ""} on ${task.agent.name} ended ${status.state}`;
            const detail = [status.reason, status.message].filter(Boolean).join(": ");
            this.fail({ agent: task.agent.name, taskId: task.taskId, cause: detail ? `${what} (${detail})` : what });
        }
        return calls;
    }

    private fail(outcome: Omit<Outcome, "ok">): void {
        this.outcome ??= { ok: false, ...outcome };
    }

    /** The tasks that have not ended (yet). */
    liveTasks(): TaskRecord[] {
        return [...this.tasks.values()].filter((t) => !terminalStates.has(this.stateOf(t)));
    }
}
