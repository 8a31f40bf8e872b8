// The shared host library's frame around every step script (host/lib.sh), run here with bash: the
// script's result, its secret on stdin and its name as $0 pass through the hour's bound, and a script
// that outlives the bound is ended with its children and fails naming host and script. The library's
// directories and its hour are moved to a scratch directory and two seconds for the test; so are apt's
// keyrings and source lists for its repositories.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
const library = fs.readFileSync(path.join(__dirname, "host", "lib.sh"), "utf8");

/**
 * Runs `body` after the library as remote.ts's runner would: `bash -c '. <file>' <label>`, `stdin` on
 * standard input; `before` first prepares the scratch directory (its lock directory is `<dir>/lock`).
 */
function runStep(body: string, stdin = "", before?: (dir: string) => void): { code: number | null; stdout: string; stderr: string; dir: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "t2-lib-"));
    scratch.push(dir);
    before?.(dir);
    const bound = "timeout --kill-after=30 1h ";
    expect(library).toContain(bound);
    const text = library
        .replace("readonly T2_STATE_DIR=/var/lib/twister2-cluster", `readonly T2_STATE_DIR=${dir}/state`)
        .replace("readonly T2_LOCK_DIR=/run/twister2-cluster", `readonly T2_LOCK_DIR=${dir}/lock`)
        .replace(bound, "timeout --kill-after=1 2 ")
        .replace("keyring=/etc/apt/keyrings/", `keyring=${dir}/keyrings/`)
        .replace("list=/etc/apt/sources.list.d/", `list=${dir}/sources.list.d/`);
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

    it("makes its lock directory root's alone, and refuses one that anybody else made or can write", () => {
        const made = runStep('step "locked"');
        expect(made.code).toBe(0);
        expect(fs.statSync(path.join(made.dir, "lock")).mode & 0o777).toBe(0o700);
        const squatted = (dir: string) => {
            // As a local user would have made it first: theirs, with a link for root to follow.
            fs.mkdirSync(path.join(dir, "lock"), { mode: 0o777 });
            fs.symlinkSync(path.join(dir, "victim"), path.join(dir, "lock", "apt.lock"));
            fs.chownSync(path.join(dir, "lock"), 65534, 65534);
        };
        for (const before of [squatted, (dir: string) => fs.symlinkSync(os.tmpdir(), path.join(dir, "lock"))]) {
            const refused = runStep('step "locked"', "", before);
            expect(refused.code).toBe(1);
            expect(refused.stderr).toMatch(/ERROR: .*\/lock is not root's own directory \(mode 700\)/);
            expect(refused.stderr).not.toMatch(/locked/);
            expect(fs.existsSync(path.join(refused.dir, "victim"))).toBe(false);
        }
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

describe("lib.sh's apt repositories", () => {
    const osRelease = Object.fromEntries(fs.readFileSync("/etc/os-release", "utf8").split("\n")
        .map((line) => /^(\w+)="?([^"]*)"?$/.exec(line)).filter((m): m is RegExpExecArray => m !== null).map((m) => [m[1], m[2]]));
    const armored = "-----BEGIN PGP PUBLIC KEY BLOCK-----\\n\\nmDMEZfake\\n-----END PGP PUBLIC KEY BLOCK-----";
    /** apt_source_recorded with its files under the scratch directory and `curl` answering `answer` (a shell command). */
    const source = (key: string, where: string, answer: string) => runStep([
        `curl() { echo "curl $*" >>"$T2_STATE_DIR/curl.log"; local out; while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done; ${answer}; }`,
        "package_installed() { return 0; }",
        `apt_source_recorded docker docker '${key}' '${where}' && echo changed`,
        `cat "$T2_STATE_DIR/docker.sources"`,
    ].join("\n"));
    const filesOf = (dir: string) => ({
        list: fs.readFileSync(path.join(dir, "sources.list.d", "docker.list"), "utf8"),
        key: fs.readFileSync(path.join(dir, "keyrings", "docker.asc"), "utf8"),
        curl: fs.readFileSync(path.join(dir, "state", "curl.log"), "utf8"),
    });

    it("downloads a key from an https URL and fills in the host's {ID} and {VERSION_CODENAME}", () => {
        const run = source("https://download.docker.com/linux/{ID}/gpg", "https://download.docker.com/linux/{ID} {VERSION_CODENAME} stable", `printf '%b\\n' '${armored}' >"$out"`);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toBe(`changed\n${run.dir}/keyrings/docker.asc\n${run.dir}/sources.list.d/docker.list\n`);
        const { list, key, curl } = filesOf(run.dir);
        expect(list).toBe(`deb [signed-by=${run.dir}/keyrings/docker.asc] https://download.docker.com/linux/${osRelease.ID} ${osRelease.VERSION_CODENAME} stable\n`);
        expect(key).toContain("BEGIN PGP PUBLIC KEY BLOCK");
        expect(curl).toMatch(/^curl -fsSL --max-time 60 -o \S+ /);
        expect(curl).toMatch(new RegExp(`https://download\\.docker\\.com/linux/${osRelease.ID}/gpg\\n$`));
    });

    it.each([
        ["a key that does not download", "return 22", /ERROR: could not download the signing key of the docker repository from https:\/\/mirror\.example\/gpg/],
        ["a download that is not a key", `echo '<html>' >"$out"`, /ERROR: https:\/\/mirror\.example\/gpg is not an ASCII-armored key/],
    ])("stops on %s, naming the URL", (_, answer, message) => {
        const run = source("https://mirror.example/gpg", "https://mirror.example/docker bookworm stable", answer);
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(message);
        expect(fs.existsSync(path.join(run.dir, "keyrings", "docker.asc"))).toBe(false);
    });
});

describe("lib.sh pins_differing", () => {
    it("lists the pins of a thing's packages that the host has at another version, not those it runs or lacks", () => {
        const bash = spawnSync("dpkg-query", ["-W", "-f=${Version}", "bash"], { encoding: "utf8" }).stdout;
        const run = runStep("pins_differing zookeeper", "", (dir) => {
            fs.mkdirSync(path.join(dir, "state"));
            fs.writeFileSync(path.join(dir, "state", "zookeeper.wants"),
                `bash=${bash} coreutils=0.0-not-this-one t2-no-such-package=1.0 dpkg\nsource twister2-x key http://example.invalid/ bookworm main\n`);
        });
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toBe("coreutils=0.0-not-this-one\n");
    });
});

describe("lib.sh pins_here", () => {
    it("takes a package pinned per Debian release at this host's release's version, and the package alone where none is given for it", () => {
        const codename = /^VERSION_CODENAME=(\w+)$/m.exec(fs.readFileSync("/etc/os-release", "utf8"))![1];
        const run = runStep(`pins_here jq jq=1.6-2 "zookeeperd=other/9.9,${codename}/5:3.8.0-11+deb12u2,later/1.0" "docker-ce=other/1.0"`);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toBe("jq\njq=1.6-2\nzookeeperd=5:3.8.0-11+deb12u2\ndocker-ce\n");
    });
});
