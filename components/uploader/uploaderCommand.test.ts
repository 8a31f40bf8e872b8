// uploader-command.sh, the upload account's forced command, run here as sshd would run it: the client's
// request in SSH_ORIGINAL_COMMAND, the upload directory as its argument. (rsync through rrsync: the
// uploader e2e test.)
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const script = path.join(__dirname, "host", "uploader-command.sh");
const scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "t2-upload-command-")));
const dir = path.join(scratch, "var", "www", "twister2");
const outside = path.join(scratch, "etc");
fs.mkdirSync(dir, { recursive: true });
fs.mkdirSync(outside);
fs.writeFileSync(path.join(outside, "keep"), "");
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const request = (command: string | undefined) => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    if (command !== undefined) env.SSH_ORIGINAL_COMMAND = command;
    const run = spawnSync("sh", [script, `${dir}/`], { env, encoding: "utf8" });
    return { code: run.status, stderr: run.stderr };
};

describe("the upload account's forced command", () => {
    it("runs mkdir -p in the directory and rm -rf below it, as Twister2's ScpController sends them", () => {
        expect(request(`mkdir -p ${dir}/job-1/x/`).code).toBe(0);
        expect(fs.statSync(path.join(dir, "job-1", "x")).isDirectory()).toBe(true);
        expect(request(`mkdir -p ${dir}/`).code).toBe(0);
        expect(request(`rm -rf ${dir}/job-1`).code).toBe(0);
        expect(fs.existsSync(path.join(dir, "job-1"))).toBe(false);
    });

    it("removes a link below the directory, never what it points to, and makes nothing through one", () => {
        fs.symlinkSync(outside, path.join(dir, "link"));
        const through = request(`mkdir -p ${dir}/link/made`);
        expect(through.code).toBe(1);
        expect(through.stderr).toMatch(/is outside/);
        expect(request(`rm -rf ${dir}/link/keep`).code).toBe(1);
        expect(request(`rm -rf ${dir}/link`).code).toBe(0);
        expect(fs.existsSync(path.join(dir, "link"))).toBe(false);
        expect(fs.readdirSync(outside)).toEqual(["keep"]);
    });

    it("refuses a shell, any other command, and paths outside, above or beside the directory", () => {
        for (const command of [undefined, "", "bash", "sh -c id", "cat /etc/passwd", "scp -t /tmp", "internal-sftp",
            `rsyncx --sender -logDtpre.iLsfxCIvu . ${dir}/`,
            `mkdir -p ${outside}/x`, `mkdir ${dir}/x`, `mkdir -p ${dir}/../x`, `mkdir -p ${dir}/./x`, `mkdir -p job-1`,
            `mkdir -p ${dir}/a ${dir}/b`, `mkdir -p ${dir}/$(id)`, `mkdir -p ${dir}/*`, `mkdir -p ${dir}/a;id`,
            `rm -rf ${dir}`, `rm -rf ${dir}/`, `rm -rf ${outside}`, `rm -rf ${dir}/..`, `rm -rf -- ${dir}/x`, `rm -fr ${dir}/x`]) {
            const refused = request(command);
            expect(refused.code, String(command)).toBe(1);
            expect(refused.stderr, String(command)).toMatch(/^twister2-cluster: the upload account only uploads job packages into .*\/var\/www\/twister2\//);
        }
        expect(fs.readdirSync(outside)).toEqual(["keep"]);
        expect(fs.existsSync(dir)).toBe(true);
        expect(fs.readdirSync(path.dirname(dir))).toEqual(["twister2"]);
    });
});
