// The shared host library's frame around every step script (host/lib.sh), run here with bash: the
// script's result, its secret on stdin and its name as $0 pass through the hour's bound, and a script
// that outlives the bound is ended with its children and fails naming host and script. The library's
// directories and its hour are moved to a scratch directory and two seconds for the test.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
const library = fs.readFileSync(path.join(__dirname, "host", "lib.sh"), "utf8");

/** Runs `body` after the library as remote.ts's runner would: `bash -c '. <file>' <label>`, `stdin` on standard input. */
function runStep(body: string, stdin = ""): { code: number | null; stdout: string; stderr: string; dir: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "t2-lib-"));
    scratch.push(dir);
    const bound = "timeout --kill-after=30 1h ";
    expect(library).toContain(bound);
    const text = library
        .replace("readonly T2_STATE_DIR=/var/lib/twister2-cluster", `readonly T2_STATE_DIR=${dir}/state`)
        .replace("readonly T2_LOCK_DIR=/run/lock/twister2-cluster", `readonly T2_LOCK_DIR=${dir}/lock`)
        .replace(bound, "timeout --kill-after=1 2 ");
    const script = path.join(dir, "0123456789abcdef.sh");
    fs.writeFileSync(script, `${text}\n${body}\n`);
    const run = spawnSync("bash", ["-c", `. ${script}`, "10.0.0.9/test-step.sh"], { input: stdin, encoding: "utf8", timeout: 20_000 });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr, dir };
}

describe("lib.sh around a step", () => {
    it("passes the secret on stdin, the script's name and its result through", () => {
        const run = runStep('IFS= read -r secret; step "running as $0"; echo "result for ${#secret} characters"', "s3cr3t\n");
        expect(run.code).toBe(0);
        expect(run.stdout).toBe("result for 6 characters\n");
        expect(run.stderr).toMatch(/^\[[^\]]+\] running as 10\.0\.0\.9\/test-step\.sh$/m);
    });

    it("keeps a failing script's status and message", () => {
        const run = runStep('die "no good"');
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/^\[[^\]]+\] ERROR: no good\n$/m);
    });

    it("ends a script that outlives its bound, and what it started, naming host and script", () => {
        const started = Date.now();
        const run = runStep(`step "waiting for ever"; sleep 300 & echo $! >"${"$T2_STATE_DIR"}/child"; sleep 300`);
        expect(Date.now() - started).toBeLessThan(10_000);
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/^\[[^\]]+\] ERROR: gave up after an hour: a command did not end/m);
        const child = fs.readFileSync(path.join(run.dir, "state", "child"), "utf8").trim();
        // Gone, or dead and not yet reaped by whoever inherited it.
        const state = fs.existsSync(`/proc/${child}/stat`) ? fs.readFileSync(`/proc/${child}/stat`, "utf8").split(") ")[1]?.[0] : "gone";
        expect(state).toMatch(/^(gone|Z)$/);
    });
});
