// scripts/drift-issue.sh, which the scheduled drift workflow runs, against a stand-in `gh` that records
// what it is asked and answers `issue list` with the open issue the case gives.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const script = path.join(__dirname, "..", "..", "scripts", "drift-issue.sh");

function run(status: number, openIssue?: number): { code: number; stdout: string; calls: string[] } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "t2-drift-issue-"));
    fs.writeFileSync(path.join(dir, "gh"), `#!/bin/sh
echo "$*" >>"${dir}/calls"
[ "$1 $2" = "issue list" ] && [ -n "\${OPEN_ISSUE:-}" ] && echo "$OPEN_ISSUE"
exit 0
`, { mode: 0o755 });
    const report = path.join(dir, "drift.md");
    fs.writeFileSync(report, "## prod: drift: 1 of 41 live checks differ, 0 changes pending in the stack\n");
    const result = spawnSync("bash", [script, "prod", report, String(status)], {
        encoding: "utf8", env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, OPEN_ISSUE: openIssue ? String(openIssue) : "" },
    });
    const calls = fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n") : [];
    fs.rmSync(dir, { recursive: true, force: true });
    return { code: result.status ?? -1, stdout: result.stdout, calls: calls.filter((call) => !call.startsWith("issue list")) };
}

describe("drift-issue.sh", () => {
    it("opens an issue for a stack that drifts and has none open", () => {
        const { code, calls } = run(1);
        expect(code).toBe(0);
        expect(calls).toEqual([expect.stringMatching(/^issue create --title Drift: prod --label drift --body-file .*drift\.md$/)]);
    });

    it("brings the open issue up to date while the stack still drifts", () => {
        const { calls } = run(1, 17);
        expect(calls).toEqual([expect.stringMatching(/^issue edit 17 --body-file .*drift\.md$/)]);
    });

    it("closes the open issue once the stack is clean, and does nothing when none is open", () => {
        expect(run(0, 17).calls).toEqual([expect.stringMatching(/^issue close 17 --comment No drift any more: prod: drift/)]);
        expect(run(0).calls).toEqual([]);
    });

    it("fails when the drift report itself failed, touching no issue", () => {
        const { code, calls } = run(2, 17);
        expect(code).toBe(1);
        expect(calls).toEqual([]);
    });
});
