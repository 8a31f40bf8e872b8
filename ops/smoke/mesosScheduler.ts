// A client of Mesos's v1 scheduler HTTP API (JSON): `POST /api/v1/scheduler` with SUBSCRIBE opens a
// stream of events in RecordIO ("<length>\n<json>"); every other call is a POST of its own carrying the
// stream's `Mesos-Stream-Id`, answered 202. Non-leading masters answer 307 to the leader.

/** The parts of Mesos's scheduler events this client reads (mesos/v1/scheduler/scheduler.proto). */
export interface Resource {
    name: string;
    type: "SCALAR" | "RANGES" | "SET";
    scalar?: { value: number };
    ranges?: { range: { begin: number; end: number }[] };
}
export interface Offer {
    id: { value: string };
    agent_id: { value: string };
    hostname: string;
    url?: { address: { ip?: string; hostname?: string; port: number } };
    resources: Resource[];
}
export interface TaskStatus {
    task_id: { value: string };
    state: string;
    agent_id?: { value: string };
    message?: string;
    reason?: string;
    source?: string;
    uuid?: string;
    timestamp?: number;
    container_status?: { network_infos?: { name?: string; ip_addresses?: { ip_address?: string }[] }[] };
}
export type SchedulerEvent =
    | { type: "SUBSCRIBED"; subscribed: { framework_id: { value: string }; heartbeat_interval_seconds?: number } }
    | { type: "OFFERS"; offers: { offers: Offer[] } }
    | { type: "RESCIND"; rescind: { offer_id: { value: string } } }
    | { type: "UPDATE"; update: { status: TaskStatus } }
    | { type: "FAILURE"; failure: { agent_id?: { value: string }; status?: number } }
    | { type: "ERROR"; error: { message: string } }
    | { type: "HEARTBEAT" | "MESSAGE" | "INVERSE_OFFERS" | "RESCIND_INVERSE_OFFER" | "UPDATE_OPERATION_STATUS" };

/** A call without framework_id (the connection adds it). */
export type SchedulerCall = { type: string } & Record<string, unknown>;

export const terminalStates = new Set(["TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST",
    "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR", "TASK_UNREACHABLE"]);

/** Splits a RecordIO byte stream into its JSON records, whatever the chunk boundaries. */
export class RecordIoDecoder {
    private buffer = Buffer.alloc(0);

    push(chunk: Uint8Array): unknown[] {
        this.buffer = Buffer.concat([this.buffer, chunk]);
        const records: unknown[] = [];
        for (;;) {
            const newline = this.buffer.indexOf(0x0a);
            if (newline < 0) break;
            const header = this.buffer.subarray(0, newline).toString("ascii");
            if (!/^\d+$/.test(header)) throw new Error(`not a RecordIO stream: record header '${header.slice(0, 40)}'`);
            const length = Number(header);
            if (this.buffer.length < newline + 1 + length) break;
            records.push(JSON.parse(this.buffer.subarray(newline + 1, newline + 1 + length).toString("utf8")));
            this.buffer = this.buffer.subarray(newline + 1 + length);
        }
        return records;
    }
}

export interface SubscribeOptions {
    /** Basic credentials, where the masters authenticate HTTP frameworks. */
    credentials?: { principal: string; secret: string };
    /** Per request, in milliseconds (not the stream: that lives as long as the framework). */
    requestTimeoutMs?: number;
}

const apiPath = "/api/v1/scheduler";

/** One subscription: its events, its calls, and the master it is bound to. */
export class SchedulerConnection {
    private constructor(
        readonly masterUrl: string,
        readonly frameworkId: string,
        private readonly streamId: string,
        private readonly headers: Record<string, string>,
        private readonly pending: AsyncIterator<unknown>,
        private readonly abort: AbortController,
        private readonly timeoutMs: number,
    ) {}

    /**
     * Subscribes through the first master that answers, following its 307 to the leader. The first
     * event (SUBSCRIBED) is read here, so a connection in hand is a framework the master knows.
     */
    static async subscribe(masterUrls: string[], frameworkInfo: Record<string, unknown>, options: SubscribeOptions = {}): Promise<SchedulerConnection> {
        const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
        if (options.credentials) {
            headers.Authorization = `Basic ${Buffer.from(`${options.credentials.principal}:${options.credentials.secret}`).toString("base64")}`;
        }
        const body = JSON.stringify({ type: "SUBSCRIBE", subscribe: { framework_info: frameworkInfo } });
        const problems: string[] = [];
        for (const first of masterUrls) {
            let url = new URL(apiPath, first).href;
            for (let hop = 0; hop < 3; hop++) {
                const abort = new AbortController();
                const timer = setTimeout(() => abort.abort(), options.requestTimeoutMs ?? 15_000);
                let response: Response;
                try {
                    response = await fetch(url, { method: "POST", headers, body, redirect: "manual", signal: abort.signal });
                } catch (err) {
                    problems.push(`${url}: ${(err as Error).message}`);
                    break;
                } finally {
                    clearTimeout(timer);
                }
                const location = response.headers.get("location");
                if (response.status === 307 && location) {
                    url = new URL(location.includes(apiPath) ? location : `${location.replace(/\/$/, "")}${apiPath}`, url).href;
                    continue;
                }
                if (response.status !== 200 || !response.body) {
                    problems.push(`${url}: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
                    break;
                }
                const streamId = response.headers.get("mesos-stream-id") ?? "";
                const events = recordsOf(response.body)[Symbol.asyncIterator]();
                const first = await events.next();
                const event = first.value as SchedulerEvent | undefined;
                if (first.done || event?.type !== "SUBSCRIBED") {
                    abort.abort();
                    const why = event?.type === "ERROR" ? event.error.message : `first event ${event?.type ?? "(none)"}`;
                    throw new Error(`subscribing at ${url} failed: ${why}`);
                }
                return new SchedulerConnection(new URL(url).origin, event.subscribed.framework_id.value, streamId,
                    headers, events, abort, options.requestTimeoutMs ?? 15_000);
            }
        }
        throw new Error(`no Mesos master took the subscription:\n  ${problems.join("\n  ")}`);
    }

    /** The events after SUBSCRIBED, until the master closes the stream. */
    async *events(): AsyncGenerator<SchedulerEvent> {
        for (;;) {
            const next = await this.pending.next();
            if (next.done) return;
            yield next.value as SchedulerEvent;
        }
    }

    /** Sends one call for this framework; resolves on 202, else throws with the master's answer. */
    async call(call: SchedulerCall): Promise<void> {
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(), this.timeoutMs);
        try {
            const response = await fetch(new URL(apiPath, this.masterUrl), {
                method: "POST",
                headers: { ...this.headers, "Mesos-Stream-Id": this.streamId },
                body: JSON.stringify({ ...call, framework_id: { value: this.frameworkId } }),
                signal: abort.signal,
            });
            if (response.status !== 202) {
                throw new Error(`${call.type} answered HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
            }
        } finally {
            clearTimeout(timer);
        }
    }

    /** Drops the stream (after TEARDOWN; without it the master fails the framework over). */
    close(): void {
        this.abort.abort();
    }
}

async function* recordsOf(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
    const decoder = new RecordIoDecoder();
    const reader = body.getReader();
    try {
        for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            yield* decoder.push(value);
        }
    } catch (err) {
        if ((err as Error).name === "AbortError") return;
        throw err;
    } finally {
        reader.releaseLock();
    }
}

/** `{ name: value }` of an offer's (or a task's) scalar resources. */
export function scalarsOf(resources: Resource[]): Record<string, number> {
    const total: Record<string, number> = {};
    for (const r of resources) {
        if (r.type === "SCALAR" && r.scalar) total[r.name] = (total[r.name] ?? 0) + r.scalar.value;
    }
    return total;
}

export const scalar = (name: string, value: number): Resource => ({ name, type: "SCALAR", scalar: { value } });
