// ZooKeeper and Mesos on the lab: three ZooKeeper servers and three masters on h1-h3, agents on h4-h5
// (the Mesos here is the lab's stand-in package, installed the way real packages are). Checked from the
// hosts: `srvr`, the masters' HTTP endpoints, the operator API refused without the operator's credentials,
// refused agents (a wrong credential; a right one that is not the agents'), real Mesos clients from PyPI
// (pymesos's scheduler and operator drivers, AVENTER's mesos CLI), an agent drained and a machine taken
// down for maintenance through the operator API, an agent refusing changed attributes as Mesos does, a
// master failover, and ZooKeeper growing from three servers to five while a client keeps writing.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { debianRelease, eventually, labDir, LabHost, labInventory, mesosClients, onHost, onHostAsync, PulumiStack, reportTimings } from "./harness";

let hosts: LabHost[];
let stack: PulumiStack;
const host = (name: string) => hosts.find((h) => h.name === name)!;
const masters = ["h1", "h2", "h3"];
const agentAddresses = ["10.77.0.14", "10.77.0.15"];
const zkUrl = "zk://10.77.0.11:2181,10.77.0.12:2181,10.77.0.13:2181/mesos";
/**
 * zookeeper.version: the stack's first pin, and the one a test upgrades to, a version per Debian release (the lab
 * mixes Debian 12 and 13; a release whose archive offers one version keeps it).
 */
const zookeeperVersions: { first: Record<string, string>; upgrade: Record<string, string> } = { first: {}, upgrade: {} };
const releaseOf = (name: string) => debianRelease(host(name));
/**
 * mesos.version: the stack's first pin and the one a test upgrades to, the two releases of the Mesos stand-in
 * the lab's repository offers (lab/mesos-standin/build-deb.sh), older first.
 */
const mesosVersions = (): { first: string; upgrade: string } => {
    const packages = fs.readFileSync(path.join(labDir, "apt-repo", "dists", "bookworm", "main", "binary-amd64", "Packages"), "utf8");
    const versions = [...packages.matchAll(/^Package: mesos-standin\nVersion: (\S+)$/gm)].map(([, v]) => v)
        .sort((a, b) => spawnSync("dpkg", ["--compare-versions", a, "lt", b]).status === 0 ? -1 : 1);
    expect(versions, packages).toHaveLength(2);
    return { first: versions[0], upgrade: versions[1] };
};
/** Each host's Mesos package version, as dpkg has it. */
const mesosPackageVersion = (name: string) => onHost(host(name), "dpkg-query -W -f='${Version}' mesos-standin").stdout.trim();
/** Each server's versions of the three pinned ZooKeeper packages, as dpkg has them. */
const zookeeperPackageVersions = (name: string) =>
    onHost(host(name), "dpkg-query -W -f='${Version}\\n' zookeeperd zookeeper libzookeeper-java | sort -u").stdout.trim();

const zkMode = (name: string) =>
    onHost(host(name), "echo srvr | nc -N -w 3 127.0.0.1 2181 | sed -n 's/^Mode: //p'", { check: false }).stdout.trim();

/**
 * The servers' modes, sorted, once every one of `names` answers `srvr` (a server busy syncing, or a slow
 * host, may miss one read): within 60 s, else as they last answered.
 */
async function zkModes(names: string[]): Promise<string[]> {
    let modes: string[] = [];
    await eventually(60, () => (modes = names.map(zkMode).sort()).every((mode) => mode !== ""));
    return modes;
}

/** HTTP status and body of a GET from a lab host (redirects not followed). */
function httpGet(from: string, url: string): { status: number; location: string; body: string } {
    const out = onHost(host(from), `curl -s -D /tmp/t2-headers -o /tmp/t2-body --max-time 5 '${url}' || true
        sed -n 's/^HTTP[^ ]* \\([0-9]*\\).*/\\1/p' /tmp/t2-headers | tail -1
        sed -n 's/^[Ll]ocation: *//p' /tmp/t2-headers | tr -d '\\r'
        echo ---; cat /tmp/t2-body`, { check: false }).stdout;
    const [head, ...rest] = out.split("\n---\n");
    const [status, location] = head.split("\n");
    return { status: Number(status), location: location ?? "", body: rest.join("\n---\n") };
}

/** The master that answers /master/state itself (the leader), with that state. */
function leadingMaster(): { name: string; state: any } | undefined {
    for (const name of masters) {
        const res = httpGet("h1", `http://${host(name).address}:5050/master/state`);
        if (res.status === 200) return { name, state: JSON.parse(res.body) };
    }
    return undefined;
}

const activeAgents = (state: any): string[] =>
    (state.slaves as { hostname: string; active: boolean }[]).filter((s) => s.active).map((s) => s.hostname).sort();

/**
 * Seconds from the first to the last operation on each component's resources in a `pulumi up`'s engine
 * events, e.g. { zookeeper: 95, mesos: 40 }. Components run side by side.
 */
function secondsPerComponent(events: EngineEvent[], prefixes: string[]): Record<string, number> {
    const spans: Record<string, { start: number; end: number }> = {};
    for (const event of events) {
        const metadata = event.resourcePreEvent?.metadata ?? event.resOutputsEvent?.metadata;
        if (!metadata || metadata.type.startsWith("twister2:cluster:")) continue; // components span the whole run
        const prefix = prefixes.find((p) => metadata.urn.split("::").pop()!.startsWith(`${p}-`));
        if (!prefix) continue;
        const span = (spans[prefix] ??= { start: event.timestamp, end: event.timestamp });
        span.start = Math.min(span.start, event.timestamp);
        span.end = Math.max(span.end, event.timestamp);
    }
    return Object.fromEntries(Object.entries(spans).map(([p, s]) => [p, s.end - s.start]));
}

/**
 * A framework on pymesos's scheduler driver (test/e2e/mesos-clients/scheduler.py): it finds the leader through
 * ZooKeeper, subscribes as the frameworks' principal (its secret on stdin) and runs DOCKER tasks in the worker
 * image: one, t2-conformance-1; or, with `keep`, a long job of that many, launching again each that ends.
 * `said()` is what it printed so far; `stop()` tears the framework down and waits for it (30 s at most).
 */
async function startScheduler(keep?: number): Promise<{ said: () => string; stop: () => Promise<void> }> {
    const { python, scripts } = mesosClients();
    const framework = await stack.output("mesosFramework");
    const image = (await stack.output("workerImage")).image;
    const scheduler = spawn(python, [path.join(scripts, "scheduler.py"), zkUrl, framework.principal, image, ...keep === undefined ? [] : [String(keep)]],
        { stdio: ["pipe", "pipe", "pipe"] });
    let said = "";
    scheduler.stdout.on("data", (chunk: Buffer) => (said += chunk.toString()));
    scheduler.stderr.on("data", (chunk: Buffer) => (said += chunk.toString()));
    scheduler.stdin.end(`${framework.secret}\n`);
    const exited = new Promise<void>((resolve) => scheduler.once("exit", () => resolve()));
    return {
        said: () => said,
        stop: async () => {
            scheduler.kill("SIGTERM");
            await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
        },
    };
}

/** Runs `operation` while `sample()` is taken every second beside it: its result, and the samples. */
async function sampledDuring<T, S>(sample: () => S, operation: () => Promise<T>): Promise<{ result: T; samples: S[] }> {
    let sampling = true;
    const samples: S[] = [];
    const sampler = (async () => {
        while (sampling) {
            samples.push(sample());
            await new Promise((resolve) => setTimeout(resolve, 1000));
        }
    })();
    try {
        return { result: await operation(), samples };
    } finally {
        sampling = false;
        await sampler;
    }
}

/** A call of the leading master's v1 operator API with the operator's credentials; its answer (200 expected). */
async function operatorCall(body: object): Promise<any> {
    const operator = await stack.output("mesosOperator");
    const leader = host(leadingMaster()!.name).address;
    const response = await fetch(`http://${leader}:5050/api/v1`, {
        method: "POST", redirect: "manual", signal: AbortSignal.timeout(15_000),
        headers: { "Content-Type": "application/json", Authorization: `Basic ${Buffer.from(`${operator.principal}:${operator.secret}`).toString("base64")}` },
        body: JSON.stringify(body),
    });
    const text = await response.text();
    expect(response.status, `${JSON.stringify(body)}: ${text}`).toBe(200);
    return text ? JSON.parse(text) : {};
}

interface OperatorAgent { agent_info: { id: { value: string }; hostname: string }; pid: string; active: boolean; deactivated?: boolean; drain_info?: { state: string } }
const operatorAgents = async (): Promise<OperatorAgent[]> => (await operatorCall({ type: "GET_AGENTS" })).get_agents.agents ?? [];

/**
 * A ZooKeeper client beside a change: kazoo (on the masters with the stand-in) on h1 writing a znode every
 * second, retrying a lost connection as ZooKeeper clients do; a write counts as failed if it does not land
 * in 10 s. Stopped, it must have written more than `atLeast` times and failed never.
 */
function startZookeeperWriter(): { stopAndExpectNoFailure(atLeast: number): void } {
    onHost(host("h1"), `cat >/tmp/t2-writer.py <<'EOF'
import sys, time
from kazoo.client import KazooClient
from kazoo.retry import KazooRetry
zk = KazooClient(hosts="10.77.0.11:2181,10.77.0.12:2181,10.77.0.13:2181", timeout=15,
                 command_retry=KazooRetry(max_tries=-1, deadline=10, max_delay=1), connection_retry=KazooRetry(max_tries=-1))
zk.start()
zk.ensure_path("/t2-writer")
ok = failed = 0
while True:
    started = time.time()
    try:
        # zk.retry: retried on a lost connection (ConnectionLoss) until command_retry's deadline.
        zk.retry(zk.set, "/t2-writer", str(ok).encode())
        ok += 1
    except Exception as err:
        failed += 1
        print("failed:", repr(err), flush=True)
    print(f"ok={ok} failed={failed} latency={time.time() - started:.2f}", flush=True)
    time.sleep(max(0, 1 - (time.time() - started)))
EOF
nohup python3 /tmp/t2-writer.py >/tmp/t2-writer.log 2>&1 &
echo $! >/tmp/t2-writer.pid`);
    return {
        stopAndExpectNoFailure(atLeast) {
            const log = onHost(host("h1"), "kill $(cat /tmp/t2-writer.pid) 2>/dev/null || echo 'writer: not running'; cat /tmp/t2-writer.log; rm -f /tmp/t2-writer.*").stdout;
            const last = log.trim().split("\n").filter((l) => l.startsWith("ok=")).pop() ?? "";
            console.log(`ZooKeeper writer during the change: ${last}`);
            expect(log).not.toMatch(/failed:|Traceback|writer: not running/);
            expect(Number(/ok=(\d+)/.exec(last)?.[1] ?? 0)).toBeGreaterThan(atLeast);
        },
    };
}

beforeAll(async () => {
    hosts = labInventory();
    stack = new PulumiStack("e2e-mesos", "Pulumi.dev.yaml");
    await stack.init();
    // ZooKeeper and Mesos only (agents still get Docker): the swarm has its own tests.
    await stack.setConfig("roles", {
        h1: ["zookeeper", "mesos-master"], h2: ["zookeeper", "mesos-master"], h3: ["zookeeper", "mesos-master"],
        h4: ["mesos-agent"], h5: ["mesos-agent"],
    });
    // ZooKeeper pinned, on each Debian release of the servers, to the older of the two newest versions Debian offers
    // it (bookworm's and bookworm-security's), so that a test below can upgrade the ensemble to the newer.
    for (const name of masters) {
        const release = releaseOf(name);
        if (zookeeperVersions.upgrade[release] !== undefined) continue;
        const offered = (await onHostAsync(host(name), "apt-get update -qq && apt-cache madison zookeeperd | awk '{ print $3 }' | sort -u -V")).stdout.trim().split("\n");
        zookeeperVersions.upgrade[release] = offered.at(-1)!;
        zookeeperVersions.first[release] = offered.at(-2) ?? offered.at(-1)!;
    }
    console.log(`zookeeper.version: ${JSON.stringify(zookeeperVersions.first)}, then ${JSON.stringify(zookeeperVersions.upgrade)}`);
    await stack.setConfig("zookeeper.version", zookeeperVersions.first, { path: true });
    await stack.setConfig("mesos.version", mesosVersions().first, { path: true });
});

afterAll(async () => {
    await stack?.dispose();
    reportTimings("mesos-timings.json");
});

describe("ZooKeeper and Mesos on the lab", () => {
    it("pulumi up deploys three ZooKeeper servers, three masters and two agents", async () => {
        const up = await stack.up();
        console.log(`pulumi up, seconds per component: ${JSON.stringify(secondsPerComponent(up.events, ["docker", "zookeeper", "mesos"]))}`);
    });

    it("forms a ZooKeeper ensemble of one leader and two followers, each on the pinned version", async () => {
        expect(await zkModes(masters)).toEqual(["follower", "follower", "leader"]);
        for (const name of masters) expect(zookeeperPackageVersions(name), name).toBe(zookeeperVersions.first[releaseOf(name)]);
    });

    it("elects one leading master that shows both agents activated, and every master agrees on it", () => {
        const leader = leadingMaster();
        expect(leader, "no master answers /master/state").toBeDefined();
        expect(leader!.state.activated_slaves).toBe(2);
        expect(activeAgents(leader!.state)).toEqual(agentAddresses);
        for (const name of masters) {
            const redirect = httpGet(name, `http://${host(name).address}:5050/master/redirect`);
            expect(redirect.status, name).toBe(307);
            expect(redirect.location, name).toBe(`//${host(leader!.name).address}:5050`);
        }
        const agentState = JSON.parse(httpGet("h4", "http://10.77.0.14:5051/state").body);
        expect(agentState.flags).toMatchObject({ containerizers: "docker,mesos", master: zkUrl, hostname: "10.77.0.14" });
    });

    it("keeps the agent secret in root-only files and out of the stack's state", async () => {
        const files = onHost(host("h4"), "stat -c '%U %a' /etc/mesos/agent-credential.json; stat -c '%U %a' /etc/mesos-agent/credential").stdout.trim();
        expect(files.split("\n")).toEqual(["root 600", "root 644"]);
        const secret = JSON.parse(onHost(host("h4"), "cat /etc/mesos/agent-credential.json").stdout).secret as string;
        expect(secret.length).toBeGreaterThanOrEqual(32);
        const state = JSON.stringify(await stack.exportState());
        expect(state).not.toContain(secret);
        expect(onHost(host("h1"), "cat /etc/mesos/credentials.json").stdout).toContain(secret);
    });

    it("keeps Mesos's znodes readable by anyone and writable by the masters alone, whose ZooKeeper secret is in no process's arguments", async () => {
        // ZooKeeper's own client, on a ZooKeeper host, with no credentials.
        const zkCli = (command: string) => onHost(host("h3"), `/usr/share/zookeeper/bin/zkCli.sh -server 10.77.0.11:2181 ${command} 2>&1 | grep -v '^$' | tail -3`, { check: false }).stdout;
        const contenders = /\[([^\]]*)\]/.exec(zkCli("ls /mesos"))![1].split(", ").filter((c) => c.startsWith("json.info_"));
        expect(contenders).toHaveLength(3);
        // Read as Twister2 and the agents read it: the leader's MasterInfo, without credentials.
        expect(zkCli(`get /mesos/${contenders[0]}`)).toMatch(/"pid": ?"master@10\.77\.0\.1\d:5050"/);
        // Written or deleted without them: refused.
        expect(zkCli("create /mesos/json.info_9999999999 '{}'")).toMatch(/Insufficient permission/);
        expect(zkCli(`delete /mesos/${contenders[0]}`)).toMatch(/Insufficient permission/);
        expect(zkCli("getAcl /mesos")).toMatch(/'digest,'mesos:[^\n]+\n: cdrwa/);
        // The masters read the credentials from a root-only file; the process list shows its path.
        const secret = /^zk:\/\/mesos:([A-Za-z0-9]{32})@/.exec(onHost(host("h1"), "cat /etc/mesos/zk-credentials.url").stdout)![1];
        expect(onHost(host("h1"), "stat -c '%U %a' /etc/mesos/zk-credentials.url; cat /etc/mesos/zk").stdout.trim()).toBe("root 600\nfile:///etc/mesos/zk-credentials.url");
        for (const name of masters) expect(onHost(host(name), "ps -eo args").stdout, name).not.toContain(secret);
        expect(JSON.stringify(await stack.exportState())).not.toContain(secret);
    });

    it("refuses an agent started by hand with a wrong credential", () => {
        const run = onHost(host("h4"), `echo '{"principal":"twister2-agent","secret":"wrong"}' >/tmp/t2-bad-credential.json
            timeout 60 mesos-agent --master=${zkUrl} --work_dir=/tmp/t2-bad-agent --ip=10.77.0.14 --port=5052 \\
              --hostname=t2-bad-agent --containerizers=mesos --credential=/tmp/t2-bad-credential.json 2>&1 && code=0 || code=$?
            rm -rf /tmp/t2-bad-agent /tmp/t2-bad-credential.json
            echo "exit $code"`, { check: false }).stdout;
        expect(run).toMatch(/refused authentication/);
        expect(run.trim().split("\n").pop()).toBe("exit 1");
        expect(activeAgents(leadingMaster()!.state)).toEqual(agentAddresses);
    });

    it("refuses to register an agent whose credential is valid but not the agents' principal (register_agents ACL)", async () => {
        const framework = await stack.output("mesosFramework");
        const run = onHost(host("h4"), `umask 077; echo '${JSON.stringify(framework)}' >/tmp/t2-framework-credential.json
            timeout 60 mesos-agent --master=${zkUrl} --work_dir=/tmp/t2-acl-agent --ip=10.77.0.14 --port=5052 \\
              --hostname=t2-acl-agent --containerizers=mesos --credential=/tmp/t2-framework-credential.json 2>&1 && code=0 || code=$?
            rm -rf /tmp/t2-acl-agent /tmp/t2-framework-credential.json
            echo "exit $code"`, { check: false }).stdout;
        expect(run).toMatch(/Not authorized to register/);
        expect(run.trim().split("\n").pop()).not.toBe("exit 124");
        const leader = leadingMaster()!;
        expect(activeAgents(leader.state)).toEqual(agentAddresses);
        expect(onHost(host(leader.name), "journalctl -u mesos-master --no-pager -o cat | grep 'not authorized to register'").stdout)
            .toContain(`principal '${framework.principal}'`);
    });

    it("launches a container on an agent only for its master, and takes task updates only from agents (Mesos drops a message from another sender)", () => {
        const post = (from: string, url: string) => onHost(host(from), `curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST ` +
            `-H 'Content-Type: application/json' -d '{"framework_id":"t2-e2e","task":{"task_id":{"value":"t2-e2e"}}}' '${url}'`, { check: false }).stdout;
        // The lab's Mesos stand-in's own master-agent protocol: h4 is an agent, h5's master is none of them.
        expect(post("h4", "http://10.77.0.15:5051/standin/agent/launch")).toBe("403");
        expect(onHost(host("h5"), "journalctl -u mesos-agent --no-pager -o cat | grep -c 'because it is not the expected master' || true").stdout.trim()).not.toBe("0");
        expect(onHost(host("h5"), "docker ps -aq --filter name=mesos- | wc -l").stdout.trim()).toBe("0");
        const leader = host(leadingMaster()!.name).address;
        const notAgent = masters.find((m) => host(m).address !== leader)!;
        expect(post(notAgent, `http://${leader}:5050/standin/agent/status`)).toBe("403");
    });

    it("answers the operator API of masters and agents only with the operator's credentials, kept out of process lists and the state", async () => {
        const operator = await stack.output("mesosOperator");
        const leader = host(leadingMaster()!.name).address;
        // curl reads the credentials from stdin (-K -), as a person's .netrc would keep them out of ps.
        const call = (url: string, credential?: { principal: string; secret: string }) => onHost(host("h3"),
            `printf '%s\\n' '${credential ? `user = "${credential.principal}:${credential.secret}"` : ""}' |
             curl -s -K - -o /tmp/t2-api -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{"type":"GET_HEALTH"}' '${url}'
             echo; cat /tmp/t2-api; rm -f /tmp/t2-api`, { check: false }).stdout.split("\n");
        for (const url of [`http://${leader}:5050/api/v1`, "http://10.77.0.14:5051/api/v1", "http://10.77.0.15:5051/api/v1"]) {
            expect(call(url)[0], url).toBe("401");
            expect(call(url, { principal: operator.principal, secret: "wrong" })[0], url).toBe("401");
            const [status, body] = call(url, operator);
            expect(status, url).toBe("200");
            expect(JSON.parse(body), url).toMatchObject({ type: "GET_HEALTH", get_health: { healthy: true } });
        }
        // An agent knows the operator alone: the frameworks' credential, which a master's file holds too, is refused there.
        expect(call("http://10.77.0.14:5051/api/v1", await stack.output("mesosFramework"))[0]).toBe("401");
        expect(onHost(host("h4"), "stat -c '%U %a' /etc/mesos/agent-http-credentials.json").stdout.trim()).toBe("root 600");
        for (const name of [...masters, "h4", "h5"]) expect(onHost(host(name), "ps -eo args").stdout, name).not.toContain(operator.secret);
        expect(JSON.stringify(await stack.exportState())).not.toContain(operator.secret);
    });

    it("serves real Mesos clients from PyPI: pymesos's scheduler and operator drivers, and AVENTER's mesos CLI", async () => {
        const { python, scripts } = mesosClients();
        const operator = await stack.output("mesosOperator");
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "t2-clients-"));
        const scheduler = await startScheduler();
        try {
            expect(await eventually(180, () => /^update t2-conformance-1 TASK_RUNNING$/m.test(scheduler.said())), scheduler.said()).toBe(true);
            const frameworkId = /^subscribed (\S+)$/m.exec(scheduler.said())![1];

            // AVENTER's CLI, finding the leader through ZooKeeper as its config says.
            const config = path.join(scratch, "config.toml");
            fs.writeFileSync(config, `[master.zookeeper]\naddresses = [${masters.map((m) => `"${host(m).address}:2181"`).join(", ")}]\npath = "/mesos"\n`);
            const cli = (...args: string[]) => spawnSync(python, ["-m", "avmesos.cli.mesos-cli", ...args],
                { env: { ...process.env, MESOS_CLI_CONFIG: config }, encoding: "utf8", timeout: 60_000 });
            const agentList = cli("agent", "list");
            expect(agentList.status, agentList.stdout + agentList.stderr).toBe(0);
            for (const address of agentAddresses) expect(agentList.stdout).toMatch(new RegExp(`\\S+-S\\d+ +${address.replace(/\./g, "\\.")} +True`));
            const frameworkList = cli("framework", "list");
            expect(frameworkList.status, frameworkList.stdout + frameworkList.stderr).toBe(0);
            expect(frameworkList.stdout).toMatch(new RegExp(`${frameworkId} +True +t2-conformance +t2-conformance`));
            const taskList = cli("task", "list");
            expect(taskList.status, taskList.stdout + taskList.stderr).toBe(0);
            expect(taskList.stdout).toMatch(new RegExp(`^t2-conformance-1 +TASK_RUNNING +${frameworkId} `, "m"));
            const inspected = cli("task", "inspect", "t2-conformance-1");
            expect(inspected.status, inspected.stdout + inspected.stderr).toBe(0);
            expect(JSON.parse(inspected.stdout)).toMatchObject({ id: "t2-conformance-1", framework_id: frameworkId, state: "TASK_RUNNING" });

            // pymesos's operator drivers, asking a master that does not lead (they follow its redirect) and both agents.
            const leader = leadingMaster()!.name;
            const follower = host(masters.find((m) => m !== leader)!).address;
            const operatorCalls = (principal: string, secret: string) => {
                const run = spawnSync(python, [path.join(scripts, "operator_calls.py"), principal, `${follower}:5050`, ...agentAddresses.map((a) => `${a}:5051`)],
                    { input: `${secret}\n`, encoding: "utf8", timeout: 120_000 });
                expect(run.status, run.stderr).toBe(0);
                return Object.fromEntries(run.stdout.trim().split("\n").map((line) => {
                    const [daemon, call, outcome, ...rest] = line.split(" ");
                    return [`${daemon} ${call}`, outcome === "ok" ? JSON.parse(rest.join(" ")) : `failed ${rest.join(" ")}`];
                }));
            };
            const answers = operatorCalls(operator.principal, operator.secret);
            expect(answers).toMatchObject({
                "master GET_HEALTH": { healthy: true },
                "master GET_VERSION": "1.11.0",
                "master GET_FLAGS": { authenticate_http_readwrite: "true" },
                "master GET_METRICS": { "master/elected": 1 },
                "master GET_MASTER": expect.any(String),
                "master GET_AGENTS": agentAddresses.map((a) => `${a} active`),
                "master GET_FRAMEWORKS": expect.arrayContaining(["t2-conformance"]),
                "master GET_TASKS": expect.arrayContaining(["t2-conformance-1 TASK_RUNNING"]),
                "master GET_STATE": { agents: 2, frameworks: expect.any(Number), tasks: expect.any(Number) },
            });
            for (const address of agentAddresses) {
                expect(answers[`${address}:5051 GET_HEALTH`], address).toEqual({ healthy: true });
                expect(answers[`${address}:5051 GET_VERSION`], address).toBe("1.11.0");
                expect(answers[`${address}:5051 GET_FLAGS`], address).toMatchObject({ containerizers: "docker,mesos" });
                expect(answers[`${address}:5051 GET_METRICS`], address).toEqual({ "slave/registered": 1 });
                expect(answers[`${address}:5051 GET_STATE`], address).toEqual(expect.objectContaining({ agents: 0 }));
            }
            // The task's container, on one agent.
            expect(agentAddresses.map((a) => answers[`${a}:5051 GET_CONTAINERS`]).sort()).toEqual([0, 1]);
            // Without the operator's credentials (pymesos's own way), every call is refused as the read-write realm's.
            const refused = operatorCalls("-", "");
            expect(Object.keys(refused).length).toBe(9 + 6 * agentAddresses.length);
            for (const [call, answer] of Object.entries(refused)) expect(answer, call).toMatch(/^failed Failed to send request code=401/);
        } finally {
            await scheduler.stop();
            fs.rmSync(scratch, { recursive: true, force: true });
        }
        // Torn down: the master lists it among the completed frameworks, and its task killed.
        expect(scheduler.said()).toMatch(/^torn down$/m);
        const state = leadingMaster()!.state;
        expect(state.frameworks.map((f: { name: string }) => f.name)).not.toContain("t2-conformance");
    });

    it("drains an agent and takes a machine down for maintenance through the operator API, as Mesos's maintenance primitives do", async () => {
        const scheduler = await startScheduler();
        try {
            expect(await eventually(180, () => /^update t2-conformance-1 TASK_RUNNING$/m.test(scheduler.said())), scheduler.said()).toBe(true);
            const tasks: { task_id: { value: string }; agent_id: { value: string }; state: string }[] = (await operatorCall({ type: "GET_TASKS" })).get_tasks.tasks ?? [];
            const agentId = tasks.find((t) => t.task_id.value === "t2-conformance-1" && t.state === "TASK_RUNNING")!.agent_id.value;
            // Draining: the agent's task is killed (within its grace period), the agent gets no more offers, then DRAINED.
            await operatorCall({ type: "DRAIN_AGENT", drain_agent: { agent_id: { value: agentId }, max_grace_period: { seconds: 5 } } });
            expect(await eventually(60, () => /^update t2-conformance-1 TASK_KILLED$/m.test(scheduler.said())), scheduler.said()).toBe(true);
            let drained: OperatorAgent | undefined;
            await eventually(60, async () => (drained = (await operatorAgents()).find((a) => a.agent_info.id.value === agentId))?.drain_info?.state === "DRAINED");
            expect(drained).toMatchObject({ deactivated: true, drain_info: { state: "DRAINED" } });
            await operatorCall({ type: "REACTIVATE_AGENT", reactivate_agent: { agent_id: { value: agentId } } });
            const reactivated = (await operatorAgents()).find((a) => a.agent_info.id.value === agentId)!;
            expect(reactivated.deactivated ?? false).toBe(false);
            expect(reactivated.drain_info).toBeUndefined();
        } finally {
            await scheduler.stop();
        }

        // Maintenance: the machine of h5's agent scheduled, then down (its agent removed and shut down, and
        // refused while down), then up again, and its agent back once started.
        const h5 = host("h5");
        const machine = { hostname: h5.address, ip: h5.address };
        await operatorCall({ type: "UPDATE_MAINTENANCE_SCHEDULE", update_maintenance_schedule: { schedule: { windows: [{
            machine_ids: [machine], unavailability: { start: { nanoseconds: Date.now() * 1_000_000 }, duration: { nanoseconds: 3600 * 1e9 } },
        }] } } });
        const status = async () => (await operatorCall({ type: "GET_MAINTENANCE_STATUS" })).get_maintenance_status.status;
        expect((await status()).draining_machines).toEqual([expect.objectContaining({ id: machine })]);
        await operatorCall({ type: "START_MAINTENANCE", start_maintenance: { machines: [machine] } });
        expect((await status()).down_machines).toEqual([machine]);
        expect((await operatorAgents()).map((a) => a.agent_info.hostname)).toEqual(["10.77.0.14"]);
        expect(await eventually(30, () => onHost(h5, "systemctl is-active mesos-agent || true").stdout.trim() !== "active")).toBe(true);
        onHost(h5, "systemctl start mesos-agent");
        expect(await eventually(30, () => onHost(h5, "journalctl -u mesos-agent --no-pager -o cat | grep -c 'Machine is `DOWN`' || true").stdout.trim() !== "0")).toBe(true);
        await operatorCall({ type: "STOP_MAINTENANCE", stop_maintenance: { machines: [machine] } });
        const after = await status();
        expect([after.draining_machines ?? [], after.down_machines ?? []]).toEqual([[], []]);
        onHost(h5, "systemctl start mesos-agent");
        let agents: OperatorAgent[] = [];
        await eventually(60, async () => (agents = await operatorAgents()).filter((a) => a.active).length === 2);
        expect(agents.filter((a) => a.active).map((a) => a.agent_info.hostname).sort()).toEqual(agentAddresses);
    });

    it("refuses to recover an agent whose attributes changed, as Mesos 1.11 does, and recovers it as it was once they are back", async () => {
        const h5 = host("h5");
        const idOf = () => (leadingMaster()?.state.slaves as { id: string; hostname: string; active: boolean }[] | undefined)
            ?.find((s) => s.hostname === h5.address && s.active)?.id;
        const before = idOf();
        expect(before).toBeDefined();
        onHost(h5, "cp /etc/mesos-agent/attributes /run/t2-e2e-attributes && printf 'lab:true;rack:r9' >/etc/mesos-agent/attributes && systemctl restart mesos-agent");
        try {
            expect(await eventually(60, () => onHost(h5, "journalctl -u mesos-agent --no-pager -o cat | grep -c 'Failed to perform recovery: Incompatible agent info detected' || true").stdout.trim() !== "0")).toBe(true);
        } finally {
            onHost(h5, "cp /run/t2-e2e-attributes /etc/mesos-agent/attributes && rm /run/t2-e2e-attributes && systemctl reset-failed mesos-agent; systemctl restart mesos-agent");
        }
        expect(await eventually(60, () => idOf() !== undefined)).toBe(true);
        expect(idOf()).toBe(before);
    });

    it("rolls a change of mesos.agentAttributes, an agent flag and docker.daemonJson through the agents as announced: one at a time, each drained, its engine restarted, each registering anew, while a long job runs its drained tasks elsewhere and a ZooKeeper client writes", async () => {
        type Slave = { id: string; hostname: string; active: boolean; attributes: Record<string, string> };
        const slaves = (): Slave[] => leadingMaster()?.state.slaves ?? [];
        const before = Object.fromEntries(slaves().filter((s) => s.active).map((s) => [s.hostname, s.id]));
        expect(Object.keys(before).sort()).toEqual(agentAddresses);
        // A long job beside it: two tasks kept running, each drained one launched again where Mesos offers.
        const keeper = await startScheduler(2);
        try {
            const running = () => {
                const states = new Map<string, string>();
                for (const [, task, state] of keeper.said().matchAll(/^update (\S+) (\S+)/gm)) states.set(task, state);
                return [...states].filter(([, state]) => state === "TASK_RUNNING").map(([task]) => task);
            };
            expect(await eventually(120, () => running().length === 2), keeper.said()).toBe(true);
            await stack.setConfig("mesos.agentAttributes", { lab: "true", rack: "r1" }, { path: true });
            await stack.setConfig("mesos.agentDrainGraceSeconds", 5, { path: true });
            await stack.setConfig("mesos.executorRegistrationTimeout", "11mins", { path: true });
            await stack.setConfig("docker.daemonJson", { "log-driver": "json-file", "log-opts": { "max-size": "10m", "max-file": "3" }, labels: ["twister2-roll=1"] }, { path: true });
            const engineStarted = (name: string) => Number(onHost(host(name), "systemctl show -p ActiveEnterTimestampMonotonic --value docker").stdout.trim());
            const enginesBefore = ["h4", "h5"].map(engineStarted);
            // Announced by the preview: the agents' roll steps, in order, then the engines' (theirs done by then).
            expect([...stack.previewMarkdown().matchAll(/^\d+\. (\S+) `([^`]+)`$/gm)].map(([, address, step]) => `${address} ${step}`)).toEqual([
                "10.77.0.14 mesos-h4-agent-roll", "10.77.0.15 mesos-h5-agent-roll", "10.77.0.14 docker-h4-roll", "10.77.0.15 docker-h5-roll",
            ]);
            // Beside the up: how many agents the leading master shows active, every second; and a ZooKeeper client writing.
            const writer = startZookeeperWriter();
            const { result: up, samples: counts } = await sampledDuring(() => slaves().filter((s) => s.active).length, () => stack.up());
            writer.stopAndExpectNoFailure(10);
            // Each agent restarted with its engine, the agents one after the other, as announced (their engines' start times say so too).
            const said = (name: string) => String(up.events.find((e) => e.resOutputsEvent?.metadata.urn.endsWith(`::mesos-${name}-agent-roll`))?.resOutputsEvent?.metadata.new?.outputs?.stdout ?? "");
            for (const name of ["h4", "h5"]) expect(said(name), name).toMatch(/^restarted agent\+engine /m);
            const enginesAfter = ["h4", "h5"].map(engineStarted);
            expect(enginesAfter[0]).toBeGreaterThan(enginesBefore[0]);
            expect(enginesAfter[1]).toBeGreaterThan(enginesAfter[0]);
            for (const name of ["h4", "h5"]) {
                expect(onHost(host(name), "docker info -f '{{json .Labels}}'; cat /etc/mesos-agent/executor_registration_timeout").stdout, name).toMatch(/twister2-roll=1[\s\S]*^11mins$/m);
            }
            // Each agent's roll step ran (one after the other: a chain), and never were both agents away.
            const rolled = ["h4", "h5"].map((name) => up.events.find((e) => e.resOutputsEvent?.metadata.urn.endsWith(`::mesos-${name}-agent-roll`))?.timestamp);
            expect(rolled.every((t) => t !== undefined), JSON.stringify(rolled)).toBe(true);
            expect(Math.min(...counts), counts.join(" ")).toBeGreaterThanOrEqual(1);
            expect(counts.length).toBeGreaterThan(3);
            // Registered anew (what Mesos checkpointed changed), with the new attributes, and active.
            const after = slaves().filter((s) => s.active);
            expect(after.map((s) => s.hostname).sort()).toEqual(agentAddresses);
            for (const agent of after) {
                expect(agent.attributes, agent.hostname).toMatchObject({ rack: "r1" });
                expect(agent.id, agent.hostname).not.toBe(before[agent.hostname]);
            }
            // Drained first: the master moved each old agent to DRAINED before it went.
            const leader = leadingMaster()!.name;
            const log = onHost(host(leader), "journalctl -u mesos-master --no-pager -o cat").stdout;
            for (const id of Object.values(before)) expect(log, id).toContain(`Transitioning agent ${id} to the DRAINED state`);
            // The long job: every task on a drained agent was killed there and launched again on another agent, and it
            // still runs two tasks when the roll is done; torn down, it ends.
            expect(await eventually(60, () => running().length === 2), keeper.said()).toBe(true);
            const jobSaid = keeper.said();
            const agentOf = new Map([...jobSaid.matchAll(/^launched (\S+) on (\S+)/gm)].map(([, task, agent]) => [task, agent]));
            const killed = [...jobSaid.matchAll(/^update (\S+) TASK_KILLED/gm)].map(([, task]) => task);
            expect(killed.length, jobSaid).toBeGreaterThanOrEqual(2);
            for (const task of killed) expect(Object.values(before), `${task}: ${jobSaid}`).toContain(agentOf.get(task));
            expect(agentOf.size, jobSaid).toBe(2 + killed.length);
            // Each launched again on an agent other than the one just drained.
            let drainedAgent: string | undefined;
            for (const [, killedTask, task, agent] of jobSaid.matchAll(/^(?:update (\S+) TASK_KILLED|launched (\S+) on (\S+))/gm)) {
                if (killedTask !== undefined) drainedAgent = agentOf.get(killedTask);
                else if (drainedAgent !== undefined) expect(agent, `${task}: ${jobSaid}`).not.toBe(drainedAgent);
            }
        } finally {
            await keeper.stop();
        }
        expect(keeper.said()).toMatch(/^torn down$/m);
        // Converged: nothing pending, nothing runs again.
        await stack.preview({ expectNoChanges: true });
    });

    it("rolls a change of the masters' flags and of mesos.version through the masters one at a time, the leading master last (one election), then the agents, each drained and back as the same agent, every host on the new version", async () => {
        const leaderBefore = leadingMaster()!.name;
        const agentIds = () => JSON.stringify((leadingMaster()?.state.slaves ?? []).filter((s: any) => s.active).map((s: any) => `${s.hostname} ${s.id}`).sort());
        const agentsBefore = agentIds();
        const { first, upgrade } = mesosVersions();
        for (const name of [...masters, "h4", "h5"]) expect(mesosPackageVersion(name), name).toBe(first);
        // When each daemon's service last became active (µs of the kernel's monotonic clock, which the lab's hosts share).
        const startedAt = (names: string[], unit: string) => Object.fromEntries(names.map((name) => [name,
            Number(onHost(host(name), `systemctl show -p ActiveEnterTimestampMonotonic --value ${unit}`).stdout.trim())]));
        const startedBefore = startedAt(masters, "mesos-master");
        const agentsStartedBefore = startedAt(["h4", "h5"], "mesos-agent");
        await stack.setConfig("mesos.cluster", "t2-rolled", { path: true });
        await stack.setConfig("mesos.version", upgrade, { path: true });
        // Beside the up: which master leads, every second.
        const { result: up, samples: leaders } = await sampledDuring(() => leadingMaster()?.name ?? "none", () => stack.up());
        // The roll's steps that restarted their master, in the order they ran: the others in their order, the leader last.
        const restarted = up.events.flatMap((e) => {
            const urn = e.resOutputsEvent?.metadata.urn ?? "";
            const said = /^restarted (\S+)$/m.exec(String(e.resOutputsEvent?.metadata.new?.outputs?.stdout ?? ""));
            return /::mesos-h\d-master-roll/.test(urn) && said ? [`${/mesos-(h\d)-/.exec(urn)![1]} ${said[1]}`] : [];
        });
        const others = masters.filter((name) => name !== leaderBefore);
        expect(restarted).toEqual([...others.map((name) => `${name} following`), `${leaderBefore} leading`]);
        // The hosts agree: each master started anew, one after another, the one that led last.
        const startedAfter = startedAt(masters, "mesos-master");
        for (const name of masters) expect(startedAfter[name], name).toBeGreaterThan(startedBefore[name]);
        expect([...masters].sort((a, b) => startedAfter[a] - startedAfter[b])).toEqual([...others, leaderBefore]);
        // One election: the samples name the old leader, then (after at most a few seconds of none) one new leader.
        const runs = leaders.filter((name, i) => name !== leaders[i - 1]);
        expect(runs.filter((name) => name !== "none"), leaders.join(" ")).toHaveLength(2);
        expect(leaders.filter((name) => name === "none").length, leaders.join(" ")).toBeLessThanOrEqual(15);
        // Every master runs with the new flag.
        for (const name of masters) {
            expect(JSON.parse(httpGet("h1", `http://${host(name).address}:5050/master/flags`).body).flags.cluster, name).toBe("t2-rolled");
        }
        // The agents took the new version in their roll, after the last master and one after the other (each drained,
        // stopped, upgraded, started), and came back as the same agents (what Mesos checkpoints of them is unchanged).
        const agentsStartedAfter = startedAt(["h4", "h5"], "mesos-agent");
        expect(agentsStartedAfter.h4).toBeGreaterThan(Math.max(agentsStartedBefore.h4, ...Object.values(startedAfter)));
        expect(agentsStartedAfter.h5).toBeGreaterThan(agentsStartedAfter.h4);
        for (const name of ["h4", "h5"]) {
            const said = String(up.events.find((e) => e.resOutputsEvent?.metadata.urn.endsWith(`::mesos-${name}-agent-roll`))?.resOutputsEvent?.metadata.new?.outputs?.stdout ?? "");
            expect(said, name).toMatch(new RegExp(`^restarted agent (\\S+) -> \\1$[\\s\\S]*^version ${upgrade.replace(/[.+]/g, "\\$&")}$`, "m"));
        }
        expect(await eventually(60, () => agentIds() === agentsBefore), `${agentIds()}, before ${agentsBefore}`).toBe(true);
        // Every host has the new version, and the stack's outputs say so.
        for (const name of [...masters, "h4", "h5"]) expect(mesosPackageVersion(name), name).toBe(upgrade);
        const services = (await stack.output("hosts")).map((h: { name: string; services: Record<string, string> }) =>
            `${h.name} ${h.services["mesos-master"] ?? h.services["mesos-agent"]}`);
        expect(services).toEqual([...masters, "h4", "h5"].map((name) => `${name} ${upgrade}`));
        // npm run check compares each host's version with the pin: none differs.
        const check = await stack.check(["--json"]);
        const versionChecks = JSON.parse(check.stdout).checks.filter((c: { component: string; check: string }) => c.component === "mesos" && c.check === "version");
        expect(versionChecks.map((c: { host: string; ok: boolean }) => `${c.host} ${c.ok}`)).toEqual([...masters, "h4", "h5"].map((name) => `${name} true`));
        await stack.preview({ expectNoChanges: true });
    });

    it("fails over to another master within 30 s when the leader stops, with both agents registered", async () => {
        const before = leadingMaster()!.name;
        onHost(host(before), "systemctl stop mesos-master");
        try {
            let after: { name: string; state: any } | undefined;
            const ok = await eventually(30, () => {
                after = leadingMaster();
                return after !== undefined && after.name !== before && activeAgents(after.state).join() === agentAddresses.join();
            });
            expect(ok, `after stopping ${before}: ${JSON.stringify(after?.state?.slaves ?? "no leader")}`).toBe(true);
        } finally {
            onHost(host(before), "systemctl start mesos-master");
        }
    });

    it("upgrades ZooKeeper to a new zookeeper.version, followers first and the leader last, while a client keeps writing", async () => {
        const leaderBefore = masters.find((name) => zkMode(name) === "leader");
        const writer = startZookeeperWriter();
        try {
            await stack.setConfig("zookeeper.version", zookeeperVersions.upgrade, { path: true });
            await stack.up();
        } finally {
            writer.stopAndExpectNoFailure(10);
        }
        // Every server runs its release's new pin, and the stack's outputs say so (pulumi up's npm run check compared
        // each host's version with the pin too); each server whose pin changed restarted once, in the roll's order.
        const upgraded = masters.filter((name) => zookeeperVersions.first[releaseOf(name)] !== zookeeperVersions.upgrade[releaseOf(name)]);
        expect(upgraded.length, JSON.stringify(zookeeperVersions)).toBeGreaterThan(0);
        for (const name of masters) expect(zookeeperPackageVersions(name), name).toBe(zookeeperVersions.upgrade[releaseOf(name)]);
        const services = (await stack.output("hosts")).filter((h: { name: string }) => masters.includes(h.name))
            .map((h: { name: string; services: { zookeeper?: string } }) => `${h.name} ${h.services.zookeeper}`);
        expect(services).toEqual(masters.map((name) => `${name} ${zookeeperVersions.upgrade[releaseOf(name)]}`));
        const restarted: string[] = await stack.output("zookeeperLastRollingRestart");
        expect(restarted.map((r) => r.split(" ")[0]).sort()).toEqual(upgraded.sort());
        if (upgraded.includes(leaderBefore!)) expect(restarted.at(-1)).toMatch(new RegExp(`^${leaderBefore} `));
        expect(await zkModes(masters)).toContain("leader");
    });

    it("grows ZooKeeper to five servers, followers first and the leader last, while a client keeps writing", async () => {
        const writer = startZookeeperWriter();
        try {
            await stack.setConfig("roles.h4[1]", "zookeeper", { path: true });
            await stack.setConfig("roles.h5[1]", "zookeeper", { path: true });
            await stack.setConfig("zookeeper.serverIds.h4", 4, { path: true });
            await stack.setConfig("zookeeper.serverIds.h5", 5, { path: true });
            // The leader as the servers report it (a read missed under load is read again).
            let leaderBefore: string | undefined;
            await eventually(60, () => (leaderBefore = masters.find((name) => zkMode(name) === "leader")) !== undefined);
            expect(leaderBefore, "a ZooKeeper leader among the first three").toBeDefined();
            await stack.up();

            const restarted = await stack.output("zookeeperLastRollingRestart");
            expect(restarted.map((r) => r.split(" ")[0]).sort()).toEqual([...masters].sort());
            // The leader before the change restarts last. By its turn it may lead no more: once the followers
            // run the five-server configuration, they and the new servers can elect a leader of their own, and
            // the old one (still on three servers) either waits outside until its restart or, when that leader
            // is one of its own three, follows it. The writer below shows that the ensemble kept its quorum.
            expect(restarted.at(-1)).toMatch(new RegExp(`^${leaderBefore} (leader|follower|down)$`));
            expect(await zkModes(["h1", "h2", "h3", "h4", "h5"])).toEqual(["follower", "follower", "follower", "follower", "leader"]);
            // The new servers run their release's pin from the start.
            for (const name of ["h4", "h5"]) expect(zookeeperPackageVersions(name), name).toBe(zookeeperVersions.upgrade[releaseOf(name)]);
        } finally {
            writer.stopAndExpectNoFailure(20);
        }
    });

    it("removes an agent dropped from the config: its service stopped and disabled, flags, credential and work_dir gone", async () => {
        // h5 keeps only the ZooKeeper role it got above: [mesos-agent, zookeeper] becomes [zookeeper].
        await stack.setConfig("roles.h5[0]", "zookeeper", { path: true });
        await stack.removeConfig("roles.h5[1]", { path: true });
        await stack.up();

        const left = onHost(host("h5"), "set +e; systemctl is-active mesos-agent 2>/dev/null | grep -x active; " +
            "systemctl is-enabled mesos-agent 2>/dev/null | grep -x enabled; " +
            "ls -d /etc/mesos-agent /etc/mesos/agent-credential.json /etc/mesos/agent-http-credentials.json /var/lib/mesos/agent 2>/dev/null; true").stdout.trim();
        expect(left).toBe("");
        // ZooKeeper on h5 is untouched: the ensemble still has one leader and four followers.
        expect(await zkModes(["h1", "h2", "h3", "h4", "h5"])).toEqual(["follower", "follower", "follower", "follower", "leader"]);
        // The remaining agent stays registered; the removed one is no longer active at the leader.
        const ok = await eventually(90, () => activeAgents(leadingMaster()?.state ?? { slaves: [] }).join() === agentAddresses[0]);
        expect(ok, JSON.stringify(leadingMaster()?.state?.slaves)).toBe(true);
        const preview = await stack.preview({ expectNoChanges: true, check: false });
        expect(preview.ok, preview.stdout).toBe(true);
    });

    it("destroys it all: services gone, flag files, work directories and ZooKeeper data removed", async () => {
        await stack.destroy();
        for (const h of hosts) {
            const left = onHost(h, "ls -d /etc/mesos /etc/mesos-master /etc/mesos-agent /var/lib/mesos /var/lib/zookeeper /etc/zookeeper " +
                "/etc/apt/sources.list.d/twister2-mesos.list 2>/dev/null || true; " +
                "systemctl is-active mesos-master mesos-agent zookeeper 2>/dev/null | grep -x active || true").stdout.trim();
            expect(left, h.name).toBe("");
        }
    });
});
