// Day two on the lab's full cluster, with every host a ZooKeeper server and Mesos master (5 of each, so one
// can die and the rest keep their quorum). Interrupted runs: a cold `pulumi up` killed (SIGKILL, its whole
// process group, as a power loss would) during the package installs and again during the swarm joins;
// after `pulumi cancel` the next up converges, and the hosts show nothing done twice. A dead host: an agent,
// swarm worker, ZooKeeper follower and Mesos master stopped, forgotten and dropped from the config; the up
// dials nothing on it, the others no longer list it, and at every moment of the rolling restart a majority
// of ZooKeeper servers runs. A new machine with the same name and address is added back and converges.
// A destroy killed while the Docker engines are purged: after npm run recover, an up builds the cluster
// again, and the destroy after it leaves every host's packages, accounts (and its login's groups) as they
// were before the first deploy, and h3's own daemon.json back in its place.
import { spawn, spawnSync } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LabHost, labInventory, onHost, projectDir, PulumiStack, reportTimings } from "./harness";

let stack: PulumiStack;
/** Each host's packages before the first deploy: destroy must leave exactly these. */
const packagesBefore = new Map<string, string>();
const packageList = (h: LabHost) => onHost(h, "dpkg-query -W -f='${db:Status-Abbrev} ${Package}\\n' | awk '$1 == \"ii\" { print $2 }'").stdout;
/** Each host's accounts and its login's groups before the first deploy: destroy must leave these too. */
const accountsBefore = new Map<string, string>();
const accounts = (h: LabHost) => onHost(h, `getent passwd | cut -d: -f1 | sort | paste -sd' '; getent group | cut -d: -f1 | sort | paste -sd' '; id -nG ${h.user}`).stdout;
/**
 * A daemon.json h3 had before Docker was installed there: destroy puts it back. On h3, which lives through the
 * whole file: the host that dies (h4 or h5) comes back as a new machine, without it.
 */
const ownDaemonJson = '{ "log-level": "warn" }';
/** The host that dies: an agent that neither leads ZooKeeper nor Mesos when it is stopped. */
let dead: LabHost;
const host = (name: string): LabHost => labInventory().find((h) => h.name === name)!;
const everyRole = (name: string) => name === "h1" ? ["swarm-manager", "zookeeper", "mesos-master"]
    : ["swarm-worker", "zookeeper", "mesos-master", ...(name === "h2" ? ["uploader"] : name === "h3" ? ["nfs-server"] : ["mesos-agent"])];

function swarmNodes(): string[] {
    return onHost(host("h1"), "docker node ls --format '{{.Hostname}} {{.Status}}'").stdout.trim().split("\n").sort();
}

/** A ZooKeeper server's answer to `srvr`, from this machine: its mode, "running" when it runs but serves no quorum, or "down". */
function zkMode(address: string): Promise<string> {
    return new Promise((resolve) => {
        let answer = "";
        const socket = net.connect({ host: address, port: 2181, timeout: 2000 }, () => socket.end("srvr"));
        socket.on("data", (chunk) => (answer += chunk.toString()));
        socket.on("timeout", () => socket.destroy());
        socket.on("error", () => resolve("down"));
        socket.on("close", () => resolve(/^Mode: (\S+)/m.exec(answer)?.[1] ?? (answer ? "running" : "down")));
    });
}

async function agentsAtLeader(): Promise<{ hostname: string; active: boolean }[]> {
    const leader = (await fetch("http://10.77.0.11:5050/master/redirect", { redirect: "manual" })).headers.get("location")!;
    const state = await (await fetch(`${new URL(leader, "http://10.77.0.11:5050").origin}/master/state`)).json() as
        { slaves: { hostname: string; active: boolean }[] };
    return state.slaves;
}
/** Mesos agents register by address. */
const activeAgents = async () => (await agentsAtLeader()).filter((a) => a.active).map((a) => a.hostname).sort();

async function mesosLeader(): Promise<string> {
    const location = (await fetch("http://10.77.0.11:5050/master/redirect", { redirect: "manual" })).headers.get("location")!;
    return new URL(location, "http://10.77.0.11:5050").hostname;
}

beforeAll(async () => {
    stack = new PulumiStack("e2e-daytwo", "Pulumi.dev.yaml");
    await stack.init();
    const names = ["h1", "h2", "h3", "h4", "h5"];
    await stack.setConfig("roles", Object.fromEntries(names.map((name) => [name, everyRole(name)])));
    await stack.setConfig("zookeeper.serverIds", Object.fromEntries(names.map((name, i) => [name, i + 1])), { path: true });
    await stack.useLabServices();
    for (const h of labInventory()) {
        packagesBefore.set(h.name, packageList(h));
        accountsBefore.set(h.name, accounts(h));
    }
    onHost(host("h3"), `mkdir -p /etc/docker && echo '${ownDaemonJson}' >/etc/docker/daemon.json`);
});

afterAll(async () => {
    await stack?.dispose();
    reportTimings("day-two-timings.json");
});

describe("day two on the lab's full cluster", () => {
    it("converges after a cold up killed during the package installs and again during the swarm joins", async () => {
        await stack.killed("up", /installing docker-ce docker-ce-cli containerd\.io/, 20);
        const locked = await stack.up({ check: false });
        expect(locked.ok).toBe(false);
        expect(locked.stdout + locked.stderr).toMatch(/currently locked/);
        await stack.cancel();

        // What an operator runs after a killed run: its lock cleared, its pending creates cleared (a network
        // the killed run had made is removed from the engine first), so that the next up runs them again.
        await stack.killed("up", /joining the swarm/, 2);
        const recovered = await stack.recover();
        expect(recovered.stdout + recovered.stderr).toMatch(/no longer runs \(interrupted\); clearing its lock/);
        expect(recovered.stdout).toMatch(/cleared \d+ pending creates|no pending creates/);
        await stack.up();

        // Nothing twice: one node per host, one agent per agent host, no package run left half done.
        expect(swarmNodes()).toEqual(["h1 Ready", "h2 Ready", "h3 Ready", "h4 Ready", "h5 Ready"]);
        expect(await activeAgents()).toEqual([host("h4").address, host("h5").address]);
        for (const h of labInventory()) {
            expect(onHost(h, "dpkg --audit; ls /var/lib/dpkg/updates").stdout.trim(), h.name).toBe("");
        }
        const check = await stack.check();
        expect(check.code, check.stdout + check.stderr).toBe(0);
        const preview = await stack.preview({ expectNoChanges: true, check: false });
        expect(preview.ok, preview.stdout).toBe(true);
    });

    it("removes a dead agent, swarm worker, ZooKeeper follower and Mesos master in minutes, dialling nothing on it", async () => {
        const leader = await mesosLeader();
        dead = host("h5");
        for (const candidate of [host("h4"), host("h5")]) {
            if (candidate.address !== leader && await zkMode(candidate.address) === "follower") dead = candidate;
        }
        const survivors = labInventory().filter((h) => h.name !== dead.name);
        const [otherAgent] = survivors.filter((h) => ["h4", "h5"].includes(h.name));
        expect(spawnSync("docker", ["stop", "-t", "0", dead.container]).status).toBe(0);
        const stopped = Date.now();

        const forgot = await stack.forgetHost(dead.name);
        expect(forgot.code, forgot.stdout + forgot.stderr).toBe(0);
        expect(forgot.stdout).toContain(`swarm-join-${dead.name}`);
        // The first manager's step about the swarm's nodes stays: the next up takes the dead node off the list.
        expect(forgot.stdout).not.toContain("swarm-members");
        await stack.removeConfig(`roles.${dead.name}`, { path: true });
        await stack.removeConfig(`zookeeper.serverIds.${dead.name}`, { path: true });

        // While the up runs: how many of the remaining servers run (serving or not) and how many serve a quorum.
        const samples: { running: number; serving: number }[] = [];
        let sampling = true;
        const sampler = (async () => {
            while (sampling) {
                const modes = await Promise.all(survivors.map((h) => zkMode(h.address)));
                samples.push({ running: modes.filter((m) => m !== "down").length, serving: modes.filter((m) => m === "leader" || m === "follower").length });
                await new Promise((r) => setTimeout(r, 250));
            }
        })();
        const started = Date.now();
        const up = await stack.up().finally(() => (sampling = false));
        await sampler;
        const upSeconds = (Date.now() - started) / 1000;
        expect(upSeconds).toBeLessThan(300);
        expect(up.stdout).not.toContain(`[${dead.name}]`);
        expect(up.stdout).toContain("4 hosts are zookeeper: a majority of 4 survives 1 failure(s)");
        // The masters took the new ZooKeeper URL in their roll: each survivor restarted once, one at a time (a chain).
        const mastersRestarted = up.events.flatMap((e) => {
            const urn = e.resOutputsEvent?.metadata.urn ?? "";
            const said = /^restarted (\S+)$/m.exec(String(e.resOutputsEvent?.metadata.new?.outputs?.stdout ?? ""));
            return /::mesos-h\d-master-roll/.test(urn) && said ? [/mesos-(h\d)-/.exec(urn)![1]] : [];
        });
        expect([...mastersRestarted].sort()).toEqual(survivors.map((h) => h.name));
        // The surviving agent, beside a master whose ZooKeeper URL file changed, was marked and restarted in the agents'
        // roll (drained), as the same agent: it reads the new URL.
        const agentRoll = String(up.events.find((e) => e.resOutputsEvent?.metadata.urn.endsWith(`::mesos-${otherAgent.name}-agent-roll`))
            ?.resOutputsEvent?.metadata.new?.outputs?.stdout ?? "");
        expect(agentRoll).toMatch(/^restarted agent (\S+) -> \1$/m);
        expect(onHost(otherAgent, "cat /var/lib/twister2-cluster/mesos-agent.zk-url").stdout).not.toContain(`${dead.address}:2181`);

        // ZooKeeper: the rolling restart took the dead server out of every configuration, one server at a
        // time: a majority of the old five (three) ran throughout, and the four now form the ensemble.
        expect(samples.length).toBeGreaterThan(10);
        expect(Math.min(...samples.map((s) => s.running)), JSON.stringify(samples)).toBeGreaterThanOrEqual(3);
        const restarted = await stack.output("zookeeperLastRollingRestart");
        expect(restarted.map((r) => r.split(" ")[0]).sort()).toEqual(survivors.map((h) => h.name));
        for (const h of survivors) {
            const servers = onHost(h, "grep '^server\\.' /etc/zookeeper/conf/zoo.cfg").stdout.trim().split("\n");
            expect(servers, h.name).toHaveLength(4);
            expect(servers.join("\n"), h.name).not.toContain(`=${dead.address}:`);
        }
        const modes = (await Promise.all(survivors.map((h) => zkMode(h.address)))).sort();
        expect(modes).toEqual(["follower", "follower", "follower", "leader"]);

        // Swarm and Mesos: the node is gone from the list; the leader lists the agent until its health checks
        // give up on it (agent_ping_timeout x max_agent_ping_timeouts, 75 s), and a surviving master leads.
        expect(swarmNodes()).toEqual(survivors.map((h) => `${h.name} Ready`));
        let agents: { hostname: string; active: boolean }[] = [];
        for (const deadline = stopped + 150_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 2000))) {
            agents = await agentsAtLeader();
            if (!agents.some((a) => a.hostname === dead.address)) break;
        }
        expect(agents).toEqual([expect.objectContaining({ hostname: otherAgent.address, active: true })]);
        expect(survivors.map((h) => h.address)).toContain(await mesosLeader());
        console.log(`${dead.name} removed: pulumi up ${upSeconds.toFixed(0)} s; its agent gone from the leader ` +
            `${((Date.now() - stopped) / 1000).toFixed(0)} s after it stopped; fewest ZooKeeper servers running at once: ` +
            `${Math.min(...samples.map((s) => s.running))} of 4, fewest serving: ${Math.min(...samples.map((s) => s.serving))}`);
        const check = await stack.check();
        expect(check.code, check.stdout + check.stderr).toBe(0);
    });

    it("adds a new machine with the same name and address back, and converges", async () => {
        // Not spawnSync: a worker blocked for a minute misses its calls to vitest's main process.
        await new Promise((resolve) => spawn("bash", [path.join(projectDir, "scripts", "lab.sh"), "replace", dead.name], { stdio: "inherit" }).on("close", resolve));
        for (const [i, role] of everyRole(dead.name).entries()) {
            await stack.setConfig(`roles.${dead.name}[${i}]`, role, { path: true });
        }
        await stack.setConfig(`zookeeper.serverIds.${dead.name}`, dead.name.slice(1), { path: true });
        await stack.up();
        expect(swarmNodes()).toEqual(["h1 Ready", "h2 Ready", "h3 Ready", "h4 Ready", "h5 Ready"]);
        expect(await activeAgents()).toEqual([host("h4").address, host("h5").address]);
        const modes = (await Promise.all(labInventory().map((h) => zkMode(h.address)))).sort();
        expect(modes).toEqual(["follower", "follower", "follower", "follower", "leader"]);
        const check = await stack.check();
        expect(check.code, check.stdout + check.stderr).toBe(0);
    });

    it("after a destroy killed during the undos and npm run recover, builds it all again, and then destroys it all", async () => {
        // Killed while the Docker engines are being purged: what depends on them is undone already.
        await stack.killed("destroy", /removing the Docker engine/, 2);
        const recovered = await stack.recover();
        expect(recovered.stdout).toMatch(/\d+ steps were being undone when the run stopped \(.*docker-h\d-engine.*\); tainted/);
        // Without the taint this up would find the engines' steps done and leave the hosts without Docker.
        await stack.up();
        expect(swarmNodes()).toEqual(["h1 Ready", "h2 Ready", "h3 Ready", "h4 Ready", "h5 Ready"]);
        expect(await activeAgents()).toEqual([host("h4").address, host("h5").address]);
        const check = await stack.check();
        expect(check.code, check.stdout + check.stderr).toBe(0);
        const preview = await stack.preview({ expectNoChanges: true, check: false });
        expect(preview.ok, preview.stdout).toBe(true);

        await stack.destroy();
        for (const h of labInventory()) {
            expect(packageList(h), h.name).toBe(packagesBefore.get(h.name));
            expect(accounts(h), h.name).toBe(accountsBefore.get(h.name));
            expect(onHost(h, "ls -A /var/lib/twister2-cluster 2>/dev/null || true").stdout.trim(), h.name).toBe("");
            expect(onHost(h, "ls /run /run/lock | grep twister2 || true").stdout.trim(), h.name).toBe("");
        }
        expect(onHost(host("h3"), "cat /etc/docker/daemon.json && rm -r /etc/docker").stdout.trim()).toBe(ownDaemonJson);
    });
});
