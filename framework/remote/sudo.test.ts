// How commands become root: passwordless hosts as before (`sudo CMD && sudo CMD2`); a host whose sudo
// asks gets its password as the first line of the step's stdin (a secret), never in a command. The shell
// lines themselves run here, with a stand-in `sudo` on PATH that reads the password's line as sudo -S does.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runsScript } from "./remote";
import { shellQuote, sshArguments } from "./ssh";
import { inspect } from "node:util";
import { passwordPreamble, rootCommandLine, sudoPassword, sudoPasswordOf, withPassword } from "./sudo";
import { parseStackConfig } from "../../components";
import type { ConfigError } from "../config/stackConfig";
import { dockerScripts } from "../../components/docker/component";
import { DockerHost } from "../../components/docker/dockerHost";
import { labHosts, scratchDir } from "../../test/unit/fixtures";
import { hostScriptType, installMocks, RecordedResource, testRemote, valueOf } from "../../test/unit/mocks";

const { keyFile, dir } = scratchDir();
const passwordFile = path.join(dir, "sudo-password");
fs.writeFileSync(passwordFile, "s3cret pass\nignored second line\n", { mode: 0o600 });
const [plain, asking] = labHosts(keyFile, 2).map((h, i) => ({ ...h, port: 22, ...i === 1 ? { sudoPasswordFile: passwordFile } : {} }));

/**
 * Runs `line` in sh with `stdin`, a `sudo` on PATH that, given -S, reads one line (a byte at a time, as
 * sudo's tgetpass does) and refuses any but the password, then runs its command.
 */
function runLine(line: string, stdin: string): { code: number; stdout: string; stderr: string } {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "t2-sudo-"));
    fs.writeFileSync(path.join(bin, "sudo"), `#!/bin/bash
stdin_password=
while [ $# -gt 0 ]; do
  case $1 in
    -S) IFS= read -r stdin_password; [ "$stdin_password" = 's3cret pass' ] || { echo 'sudo: 1 incorrect password attempt' >&2; exit 1; } ;;
    -k) ;;
    -p) shift ;;
    *) break ;;
  esac
  shift
done
exec "$@"
`, { mode: 0o755 });
    const run = spawnSync("sh", ["-c", line], { input: stdin, encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    fs.rmSync(bin, { recursive: true, force: true });
    return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

describe("rootCommandLine", () => {
    it("keeps passwordless hosts' commands as they were: sudo before each", () => {
        expect(rootCommandLine(plain, ["env A=1 twister2-step abc 'h/x.sh'", "bash b"])).toBe("sudo env A=1 twister2-step abc 'h/x.sh' && sudo bash b");
        expect(withPassword(undefined, "secret")).toBe("secret");
        expect(withPassword(undefined)).toBe("");
    });

    it("with a password: reads it from stdin's first line and gives it to each sudo -S -k; no command line holds it", () => {
        const line = rootCommandLine(asking, ["echo first", "cat"]);
        expect(line).not.toContain("s3cret");
        expect(line).toMatch(/^IFS= read -r T2_SUDO_PASSWORD && printf .* \| sudo -S -k -p '' echo first && \{ printf .*; cat; \} \| sudo -S -k -p '' cat$/);
        // The last command reads the step's own stdin after the password's line; the others read none of it.
        const run = runLine(line, withPassword(sudoPasswordOf(fs.readFileSync(passwordFile, "utf8")), "step secret\n"));
        expect(run).toMatchObject({ code: 0, stdout: "first\nstep secret\n" });
        // A wrong password: sudo refuses, and the chain stops there.
        const wrong = runLine(line, withPassword("wrong", "step secret\n"));
        expect(wrong.code).not.toBe(0);
        expect(wrong.stdout).toBe("");
        // runsScript still finds the script a step runs.
        expect(runsScript(rootCommandLine(asking, ["env A=1 twister2-step 0123456789abcdef '10.77.0.12/docker-install.sh'"]), dockerScripts.install)).toBe(true);
    });

    it("ssh runs a script as root the same way; preflight's probe gets $T2_SUDO_PASSWORD before its script", () => {
        const args = sshArguments(asking, { knownHostsFile: "/dev/null" });
        expect(args.at(-1)).toBe(rootCommandLine(asking, ["bash -euo pipefail -s"]));
        expect(args.join(" ")).not.toContain("s3cret");
        const probe = runLine(`{ ${passwordPreamble(passwordFile, shellQuote)}; printf '%s\\n' 'echo "[$T2_SUDO_PASSWORD]"'; } | bash -s`, "");
        expect(probe).toMatchObject({ code: 0, stdout: "[s3cret pass]\n" });
    });
});

describe("a Remote's steps on a host whose sudo asks for a password, under mocks", () => {
    let recorded: RecordedResource[];

    beforeAll(async () => {
        recorded = installMocks("unit-sudo");
        const remote = testRemote("unit-sudo");
        remote.prepareHosts([plain, asking].map((host) => ({ host, packages: [] })));
        const engines = [plain, asking].map((host) => new DockerHost(`docker-${host.name}`, { remote, host, source: "docker.io", daemonJson: {}, socketUsers: ["deploy"] }));
        remote.writeBundle();
        await Promise.all(engines.map((engine) => valueOf(engine.engineVersion)));
    });

    it("gives every step of that host the password as its stdin's first line, a secret, and the others nothing", () => {
        const steps = recorded.filter((r) => r.type === hostScriptType);
        const onAsking = steps.filter((s) => s.inputs.connection.host === asking.address);
        expect(onAsking.map((s) => s.name).sort()).toEqual(["docker-h2-engine", "host-setup-h2"]);
        for (const step of onAsking) {
            expect(step.inputs.stdin).toBe("s3cret pass\n");
            expect(step.secretPaths).toContain("stdin");
            for (const command of [step.inputs.create, step.inputs.delete]) {
                expect(String(command)).toMatch(/^IFS= read -r T2_SUDO_PASSWORD && /);
                expect(String(command)).not.toContain("s3cret");
            }
        }
        for (const step of steps.filter((s) => s.inputs.connection.host === plain.address)) {
            expect(step.inputs.stdin).toBeUndefined();
            expect(String(step.inputs.create)).toMatch(/^sudo /);
        }
    });
});

describe("a sudoPassword, a secret of the stack's config", () => {
    const roles = { h1: ["swarm-manager"], h2: ["swarm-worker"] };
    const withSecret = (secretKeys: Set<string>, extra: Record<string, unknown> = {}) => {
        const [h1, h2] = labHosts(keyFile, 2);
        return parseStackConfig({ hosts: [h1, { ...h2, sudoPassword: "s3cret pass", ...extra }], roles, docker: { source: "docker.io" } }, dir, secretKeys);
    };
    const problems = (secretKeys: Set<string>, extra: Record<string, unknown> = {}) => {
        try {
            withSecret(secretKeys, extra);
            return [];
        } catch (err) {
            return (err as ConfigError).problems;
        }
    };

    it("reaches sudo as a file's password does, and shows as [secret] wherever the host is shown", () => {
        const config = withSecret(new Set(["hosts"]));
        const host = config.hosts[1];
        expect(sudoPassword(host)).toBe("s3cret pass");
        expect(rootCommandLine(host, ["cat"])).toMatch(/^IFS= read -r T2_SUDO_PASSWORD && /);
        expect(rootCommandLine(config.hosts[0], ["cat"])).toBe("sudo cat");
        expect(JSON.stringify(config)).not.toContain("s3cret");
        expect(inspect(config, { depth: 10 })).not.toContain("s3cret");
        expect(`${host.sudoPassword}`).toBe("[secret]");
    });

    it("is refused in plain text, beside a sudoPasswordFile, empty, or in an inventory file, naming the setting and not the password", () => {
        expect(problems(new Set())).toEqual([
            "hosts[1].sudoPassword: is in plain text in the stack's config: set it as a secret (`pulumi config set --secret --path 'hosts[1].sudoPassword'` without the value: it asks for it)",
        ]);
        expect(problems(new Set(["hosts"]), { sudoPasswordFile: passwordFile })).toEqual(["hosts[1].sudoPassword: give sudoPassword or sudoPasswordFile, not both"]);
        expect(problems(new Set(["hosts"]), { sudoPassword: "" })[0]).toMatch(/^hosts\[1\]\.sudoPassword: /);
        const inventory = path.join(dir, "inventory-with-password.json");
        fs.writeFileSync(inventory, JSON.stringify({ hosts: labHosts(keyFile, 2).map((h) => ({ ...h, sudoPassword: "s3cret pass" })) }));
        const fromInventory = (() => {
            try {
                parseStackConfig({ hostsFile: inventory, roles, docker: { source: "docker.io" } }, dir, new Set(["hosts"]));
                return [];
            } catch (err) {
                return (err as ConfigError).problems;
            }
        })();
        expect(fromInventory).toHaveLength(2);
        expect(fromInventory[0]).toMatch(/^hostsFile \(.*\) hosts\[0\]\.sudoPassword: an inventory file is no place for a password/);
        for (const problem of [...problems(new Set()), ...fromInventory]) expect(problem).not.toContain("s3cret");
    });
});
