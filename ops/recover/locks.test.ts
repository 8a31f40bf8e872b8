import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { postgresTarget, removeBrokenAttributes, stackLocks } from "./locks";

describe("stackLocks", () => {
    it("reads the locks of one stack in a file backend, whatever the organisation and project", async () => {
        const backend = fs.mkdtempSync(path.join(os.tmpdir(), "t2-locks-"));
        try {
            const lock = { pid: 4242, username: "alice", hostname: "laptop", timestamp: "2026-12-06T16:00:00Z" };
            for (const [stack, id] of [["dev", "a"], ["dev", "b"], ["prod", "c"]]) {
                const dir = path.join(backend, ".pulumi", "locks", "organization", "twister2-cluster", stack);
                fs.mkdirSync(dir, { recursive: true });
                fs.writeFileSync(path.join(dir, `${id}.json`), JSON.stringify({ ...lock, pid: id.charCodeAt(0) }));
            }
            expect((await stackLocks(`file://${backend}`, "dev"))!.map((l) => l.pid).sort()).toEqual([97, 98]);
            expect(await stackLocks(`file://${backend}`, "staging")).toEqual([]);
            expect(await stackLocks(`file://${path.join(backend, "none")}`, "dev")).toEqual([]);
        } finally {
            fs.rmSync(backend, { recursive: true, force: true });
        }
    });

    it("does not read the backends it does not know", async () => {
        expect(await stackLocks("s3://bucket/state", "dev")).toBeUndefined();
    });
});

describe("postgresTarget", () => {
    it("takes Pulumi's table parameter out of the URL PostgreSQL's client gets, keeping the others", () => {
        expect(postgresTarget("postgres://u:p@db.example:5432/pulumi?sslmode=require&table=team_state"))
            .toEqual({ connectionString: "postgres://u:p@db.example:5432/pulumi?sslmode=require", table: "team_state" });
        expect(postgresTarget("postgres://u@db/pulumi").table).toBe("pulumi_state");
    });

    it("refuses a table name that is not a plain SQL name", () => {
        expect(() => postgresTarget("postgres://u@db/pulumi?table=x;drop")).toThrow(/not a plain SQL name/);
    });
});

describe("removeBrokenAttributes", () => {
    it("removes the stack's empty or torn attributes files of a file backend, and nothing else", () => {
        const backend = fs.mkdtempSync(path.join(os.tmpdir(), "t2-attrs-"));
        try {
            const dir = path.join(backend, ".pulumi", "stacks", "twister2-cluster");
            fs.mkdirSync(dir, { recursive: true });
            const files = { "dev.json": "{}", "dev.json.attrs": "", "dev.json.bak.attrs": "{\"user.cache_control\"", "dev.json.gz.attrs": "{}", "prod.json.attrs": "" };
            for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
            expect(removeBrokenAttributes(`file://${backend}`, "dev").map((f) => path.basename(f)).sort()).toEqual(["dev.json.attrs", "dev.json.bak.attrs"]);
            expect(fs.readdirSync(dir).sort()).toEqual(["dev.json", "dev.json.gz.attrs", "prod.json.attrs"]);
            expect(removeBrokenAttributes("postgres://db/pulumi", "dev")).toEqual([]);
            expect(removeBrokenAttributes(`file://${path.join(backend, "none")}`, "dev")).toEqual([]);
        } finally {
            fs.rmSync(backend, { recursive: true, force: true });
        }
    });
});
