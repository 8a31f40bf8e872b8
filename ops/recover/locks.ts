// The locks a `pulumi up` or `destroy` holds in Pulumi's DIY backend while it runs, and leaves behind when
// it is killed: Pulumi's own layout, `.pulumi/locks/<org>/<project>/<stack>/<id>.json`, each
// {"pid", "username", "hostname", "timestamp"}; read in a file backend's directory or a PostgreSQL
// backend's table. Other backends (S3, GCS, Azure) are not read: recover says so.
import * as fs from "node:fs";
import * as path from "node:path";
import { Client } from "pg";

export interface StackLock {
    pid: number;
    username: string;
    hostname: string;
    timestamp: string;
}

/** The locks of `stack` in the backend at `backendUrl`, or undefined when this kind of backend is not read. */
export async function stackLocks(backendUrl: string, stack: string): Promise<StackLock[] | undefined> {
    if (backendUrl.startsWith("file://")) return fileLocks(backendUrl, stack);
    if (/^postgres(ql)?:\/\//.test(backendUrl)) return postgresLocks(backendUrl, stack);
    return undefined;
}

/** A directory of a file backend's `.pulumi` (`locks`, `stacks`). */
const fileBackendDir = (backendUrl: string, name: string): string => path.join(decodeURIComponent(new URL(backendUrl).pathname), ".pulumi", name);

function fileLocks(backendUrl: string, stack: string): StackLock[] {
    const root = fileBackendDir(backendUrl, "locks");
    const found: StackLock[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const file = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(file);
            else if (entry.name.endsWith(".json") && path.basename(dir) === stack) found.push(JSON.parse(fs.readFileSync(file, "utf8")) as StackLock);
        }
    };
    if (fs.existsSync(root)) walk(root);
    return found;
}

/**
 * A file backend keeps each file's attributes beside it (`<file>.attrs`, JSON), written after the file and
 * not atomically: a run killed between the two leaves an empty one, and every later command of the stack
 * fails with "failed to load checkpoint: EOF". The checkpoint itself is whole (written to a temporary file,
 * then renamed). Removes each attributes file of `stack`'s checkpoint (and its backup) that is empty or
 * not JSON, so the backend reads none, and returns their paths; other backends: none.
 */
export function removeBrokenAttributes(backendUrl: string, stack: string): string[] {
    if (!backendUrl.startsWith("file://")) return [];
    const root = fileBackendDir(backendUrl, "stacks");
    if (!fs.existsSync(root)) return [];
    const broken = fs.readdirSync(root, { withFileTypes: true }).filter((project) => project.isDirectory())
        .flatMap((project) => [".json", ".json.gz", ".json.bak", ".json.gz.bak"].map((ext) => path.join(root, project.name, `${stack}${ext}.attrs`)))
        .filter((file) => {
            if (!fs.existsSync(file)) return false;
            try {
                JSON.parse(fs.readFileSync(file, "utf8"));
                return false;
            } catch {
                return true;
            }
        });
    for (const file of broken) fs.rmSync(file);
    return broken;
}

/**
 * The backend's URL as PostgreSQL's client takes it, and the table Pulumi keeps its files in (its `table`
 * parameter, `pulumi_state` by default), which the client would take for a connection setting.
 */
export function postgresTarget(backendUrl: string): { connectionString: string; table: string } {
    const url = new URL(backendUrl);
    const table = url.searchParams.get("table") ?? "pulumi_state";
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw new Error(`the backend's table '${table}' is not a plain SQL name`);
    url.searchParams.delete("table");
    return { connectionString: url.toString(), table };
}

async function postgresLocks(backendUrl: string, stack: string): Promise<StackLock[]> {
    const { connectionString, table } = postgresTarget(backendUrl);
    const client = new Client({ connectionString });
    await client.connect();
    try {
        // LIKE's own wildcards in a stack name are taken literally.
        const literal = stack.replace(/[\\%_]/g, "\\$&");
        // Each row's data is {"data": <the file's bytes, base64>}.
        const rows = await client.query<{ data: { data: string } | string }>(
            `SELECT data FROM ${table} WHERE key LIKE $1`, [`%.pulumi/locks/%/${literal}/%.json`]);
        return rows.rows.map((row) => {
            const blob = typeof row.data === "string" ? JSON.parse(row.data) as { data: string } : row.data;
            return JSON.parse(Buffer.from(blob.data, "base64").toString("utf8")) as StackLock;
        });
    } finally {
        await client.end();
    }
}
