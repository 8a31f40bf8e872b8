// The providers' contract: each behaviour of @pulumi/command, @pulumi/random and @pulumi/docker this
// project relies on, tried on a lab host with the real engine and whatever plugins are installed (the
// lab's stand-ins here; the official plugins pass the same tests). Checked from the host itself.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LabHost, labInventory, onHost, PulumiStack, reportTimings, standInPlugin } from "./harness";

const programDir = path.join(__dirname, "provider-contract");
let target: LabHost & { hostKey: string };
let other: LabHost & { hostKey: string };
let stack: PulumiStack;
const secret = `t2-contract-secret-${crypto.randomBytes(8).toString("hex")}`;
const log = "/tmp/t2-contract/log";
// A secret in a state exported with its secrets shown: the signature, and the value as JSON.
const secretSig = "4dabf18193072939515e22adb298388d";
const isSecret = (v: unknown): boolean => typeof v === "object" && v !== null && secretSig in v;
const reveal = (v: unknown): any => isSecret(v) ? JSON.parse((v as { plaintext: string }).plaintext) : v;
/** The resources of the stack's state (secrets shown) of a type, by name. */
const stateOf = async (type: string): Promise<Record<string, { inputs: any; outputs: any }>> => {
    const resources: { type: string; urn: string; inputs: any; outputs: any }[] = (await stack.exportState({ showSecrets: true })).deployment.resources ?? [];
    return Object.fromEntries(resources.filter((r) => r.type === type).map((r) => [r.urn.split("::").pop()!, r]));
};
const hostLog = () => onHost(target, `cat ${log} 2>/dev/null || true`).stdout.trim().split("\n").filter(Boolean);

// Every command appends its name and what ran to the log on the host.
const append = (line: string) => `mkdir -p /tmp/t2-contract && echo ${line} >> ${log}`;
const baseCommands = () => ({
    plain: { create: `${append("plain-create")} && echo plain-stdout`, delete: append("plain-delete") },
    updatable: { create: append("updatable-create-1"), update: append("updatable-update-1"), delete: append("updatable-delete") },
    triggered: { create: append("triggered-create-1"), delete: append("triggered-delete"), triggers: [1] },
    secretStdin: { create: "mkdir -p /tmp/t2-contract && cat > /tmp/t2-contract/stdin-copy && echo stdin-received", stdin: secret },
    logged: { create: "echo visible-on-stderr >&2; echo hidden-on-stdout", logging: "stderr" },
    // Neither create nor delete: no host is ever dialled, so a dead address is fine.
    undialled: { address: "127.0.0.9" },
});
let commands: Record<string, Record<string, unknown>>;
const up = async () => {
    await stack.setAllConfig({ target, commands });
    return stack.up();
};

beforeAll(async () => {
    const hosts = labInventory() as (LabHost & { hostKey: string })[];
    [target, other] = hosts;
    stack = new PulumiStack("e2e-contract", undefined, { programDir });
    await stack.init();
    onHost(target, "rm -rf /tmp/t2-contract");
});

afterAll(async () => {
    await stack?.dispose();
    reportTimings("providers-timings.json");
});

describe("command:remote:Command", () => {
    let firstUp: string;

    it("runs create on create, with stdin, and keeps stdout and stderr as outputs", async () => {
        commands = baseCommands();
        const result = await up();
        firstUp = result.stdout + result.stderr;
        expect(hostLog().sort()).toEqual(["plain-create", "updatable-create-1", "triggered-create-1"].sort());
        expect(onHost(target, "cat /tmp/t2-contract/stdin-copy").stdout).toBe(secret);
        const stdouts = (await stack.outputs()).stdouts;
        expect(stdouts).toMatchObject({ plain: "plain-stdout", secretStdin: "stdin-received", logged: "hidden-on-stdout", undialled: "" });
    });

    it("keeps a secret on stdin out of the state and out of the output", async () => {
        const state = JSON.stringify(await stack.exportState());
        expect(state).toContain("secretStdin");
        expect(state).not.toContain(secret);
        expect(firstUp).not.toContain(secret);
        // The connection, with its private key, is a secret as a whole.
        expect(state).not.toContain("PRIVATE KEY");
    });

    // The official plugin's shape, which the stand-in's state must have too: else switching plugins
    // shows every connection changed (issue 27).
    it("records the connection as the official plugin does: a secret, the defaults filled in, each key a secret within it", async () => {
        const { plain } = await stateOf("command:remote:Command");
        expect(isSecret(plain.inputs.connection)).toBe(true);
        const connection = reveal(plain.inputs.connection);
        expect(connection).toMatchObject({ host: target.address, user: target.user, port: 22, hostKey: target.hostKey, dialErrorLimit: 2, perDialTimeout: 5 });
        expect(Object.keys(connection).sort()).toEqual(["dialErrorLimit", "host", "hostKey", "perDialTimeout", "port", "privateKey", "user"]);
        expect(isSecret(connection.privateKey)).toBe(true);
        expect(plain.outputs.connection).toEqual(plain.inputs.connection);
        expect(plain.outputs).toMatchObject({ stdout: "plain-stdout", stderr: "" });
    });

    it("logs what `logging` says: stderr shown, stdout not", async () => {
        // Progress lines name the resource; the stack outputs printed at the end are not logging.
        expect(firstUp).toMatch(/Command logged .*visible-on-stderr/);
        expect(firstUp).not.toMatch(/Command logged .*hidden-on-stdout/);
        expect(firstUp).toMatch(/Command plain .*plain-stdout/);
    });

    it("re-runs create when update is unset, and runs update when it is set", async () => {
        onHost(target, `rm -f ${log}`);
        commands.plain.create = `${append("plain-create-2")} && echo plain-stdout-2`;
        commands.updatable.create = append("updatable-create-2");
        commands.updatable.update = append("updatable-update-2");
        await up();
        expect(hostLog().sort()).toEqual(["plain-create-2", "updatable-update-2"]);
        const stdouts = (await stack.outputs()).stdouts as Record<string, string>;
        expect(stdouts.plain).toBe("plain-stdout-2");
    });

    it("replaces on a trigger change: the new create, then the old delete with the state last deployed", async () => {
        onHost(target, `rm -f ${log}`);
        commands.triggered = { create: append("triggered-create-2"), delete: append("triggered-delete-2"), triggers: [2] };
        const result = await up();
        expect(result.stdout).toMatch(/replaced/);
        expect(hostLog()).toEqual(["triggered-create-2", "triggered-delete"]);
    });

    it("converges: a second up changes nothing", async () => {
        const preview = await stack.preview({ expectNoChanges: true });
        expect(preview.ok).toBe(true);
    });

    it("refuses a host key that is not the pinned one, before any command runs", async () => {
        commands = { ...commands, wrongKey: { create: "touch /tmp/t2-contract/wrong-key-ran", hostKey: other.hostKey } };
        await stack.setAllConfig({ target, commands });
        const result = await stack.up({ check: false });
        expect(result.ok).toBe(false);
        expect(result.stdout + result.stderr).toMatch(/host key mismatch/);
        expect(onHost(target, "test -e /tmp/t2-contract/wrong-key-ran && echo ran || echo not-run").stdout.trim()).toBe("not-run");
        delete commands.wrongKey;
    });

    it("goes through connection.proxy (a bastion) when set, and refuses a bastion whose host key is not the pinned one", async () => {
        // The host says where the login came from: the bastion.
        commands = { ...commands, proxied: { create: 'echo "${SSH_CLIENT%% *}"', proxy: { address: other.address, hostKey: other.hostKey } } };
        await up();
        expect(((await stack.outputs()).stdouts as Record<string, string>).proxied).toBe(other.address);
        commands = { ...commands, wrongProxyKey: { create: "touch /tmp/t2-contract/wrong-proxy-key-ran", proxy: { address: other.address, hostKey: target.hostKey } } };
        await stack.setAllConfig({ target, commands });
        const result = await stack.up({ check: false });
        expect(result.ok).toBe(false);
        expect(result.stdout + result.stderr).toMatch(/proxy: .*host key mismatch/);
        expect(onHost(target, "test -e /tmp/t2-contract/wrong-proxy-key-ran && echo ran || echo not-run").stdout.trim()).toBe("not-run");
        delete commands.wrongProxyKey;
        delete commands.proxied;
    });

    // The official plugin rightly takes what the stand-in refuses: where it is installed, this is skipped.
    it.skipIf(!standInPlugin("command"))("refuses a property the stand-in does not implement, naming it, before any host is touched (the stand-in only)", async () => {
        await stack.setAllConfig({ target, commands: { ...commands, withEnvironment: { create: "true", environment: { A: "b" } } } });
        const result = await stack.preview({ check: false });
        expect(result.ok).toBe(false);
        expect(result.stdout + result.stderr).toMatch(/environment is not implemented by this stand-in/);
    });

    it("runs delete on destroy with the state last deployed, and dials nothing without one", async () => {
        onHost(target, `rm -f ${log}`);
        await up();
        await stack.destroy();
        expect(hostLog().sort()).toEqual(["plain-delete", "triggered-delete-2", "updatable-delete"]);
    });
});

describe("command:remote:CopyToRemote", () => {
    it("copies a file asset as the SSH user, and again when its content changes", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "t2-contract-"));
        const file = path.join(dir, "payload.txt");
        fs.writeFileSync(file, "first\n");
        await stack.setAllConfig({ target, copy: { file, remotePath: "t2-contract-payload.txt" } });
        await stack.up();
        const copied = () => onHost(target, `stat -c %U /home/${target.user}/t2-contract-payload.txt; cat /home/${target.user}/t2-contract-payload.txt`).stdout;
        expect(copied()).toBe(`${target.user}\nfirst\n`);
        fs.writeFileSync(file, "second\n");
        await stack.up();
        expect(copied()).toBe(`${target.user}\nsecond\n`);
        await stack.destroy();
        onHost(target, `rm -f /home/${target.user}/t2-contract-payload.txt`);
        fs.rmSync(dir, { recursive: true, force: true });
    });
});

describe("random:index/randomPassword:RandomPassword", () => {
    const result = async () => (await stack.outputs()).passwordResult as string;

    it("makes a secret of the asked length and classes, kept until its keepers change", async () => {
        await stack.setAllConfig({ target, password: { length: 24, keeper: "a" } });
        await stack.up();
        const first = await result();
        expect(first).toMatch(/^[A-Za-z0-9]{24}$/);
        expect(await stack.secretOutputs()).toContain("passwordResult");
        expect(JSON.stringify(await stack.exportState())).not.toContain(first);
        // The official plugin's shape: the inputs as given, the state Terraform's (defaults filled in).
        const { password } = await stateOf("random:index/randomPassword:RandomPassword");
        expect(password.inputs).toEqual({ length: 24, special: false, keepers: { keeper: "a" } });
        expect(password.outputs).toMatchObject({ id: "none", length: 24, special: false, upper: true, lower: true, numeric: true, minUpper: 0 });
        await stack.up();
        expect(await result()).toBe(first);
        await stack.setAllConfig({ target, password: { length: 24, keeper: "b" } });
        await stack.up();
        const second = await result();
        expect(second).not.toBe(first);
        await stack.setAllConfig({ target, password: { length: 30, keeper: "b" } });
        await stack.up();
        expect(await result()).toMatch(/^[A-Za-z0-9]{30}$/);
        await stack.destroy();
    });
});

describe("docker:index/network:Network", () => {
    it.skipIf(!standInPlugin("docker"))("refuses a property the stand-in does not implement, naming it (the stand-in only)", async () => {
        await stack.setAllConfig({ target, network: { internal: true } });
        const result = await stack.preview({ check: false });
        expect(result.ok).toBe(false);
        expect(result.stdout + result.stderr).toMatch(/internal is not implemented by this stand-in/);
    });
    // Create, refresh (read) and delete of a real overlay network are tried by swarm.e2e.test.ts.
});
