// Three swarm managers, and nodes that change role: a manager leaves (demoted first, so the others
// keep their quorum) and a worker comes back as a manager, with nothing stale left in the node list.
// On h4 an operator installed Docker CE from the same repository before the stack: it joins the swarm
// with that engine, which is not the stack's (not recorded, left installed by destroy). A change of
// docker.source is refused on the hosts whose engine the stack installed.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LabHost, labDir, labInventory, onHost, onHostAsync, PulumiStack, reportTimings } from "./harness";

let hosts: LabHost[];
let stack: PulumiStack;
const host = (name: string) => hosts.find((h) => h.name === name)!;
const nodeList = () => onHost(host("h1"), "docker node ls --format '{{.Hostname}} {{.Status}} {{.ManagerStatus}}'")
    .stdout.trim().split("\n").map((line) => line.trim()).sort();

/** Docker CE on h4 as an operator installs it by Docker's instructions, from the lab's stand-in of its repository. */
async function installDockerByHand(h: LabHost): Promise<void> {
    const { dockerRepository } = JSON.parse(fs.readFileSync(path.join(labDir, "inventory.json"), "utf8"));
    const key = fs.readFileSync(path.join(labDir, "apt-repo", "key.asc"), "utf8");
    await onHostAsync(h, [
        "install -d -m 0755 /etc/apt/keyrings",
        `cat >/etc/apt/keyrings/docker.asc <<'EOF'\n${key.trim()}\nEOF`,
        `echo "deb [signed-by=/etc/apt/keyrings/docker.asc] ${dockerRepository.url} $(. /etc/os-release && echo "$VERSION_CODENAME") stable" >/etc/apt/sources.list.d/docker.list`,
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-ce docker-ce-cli containerd.io >/dev/null",
        "systemctl enable --now docker >/dev/null 2>&1 && docker info >/dev/null",
    ].join("\n"), { timeoutMs: 600_000 });
}

/** The undo of installDockerByHand. */
async function removeDockerByHand(h: LabHost): Promise<void> {
    await onHostAsync(h, "systemctl disable --now docker.socket docker containerd >/dev/null 2>&1 || true\n" +
        "DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq --autoremove docker-ce docker-ce-cli containerd.io >/dev/null\n" +
        "rm -rf /etc/apt/sources.list.d/docker.list /etc/apt/keyrings/docker.asc /etc/docker\n" +
        // Mount points on lab hosts: emptied, not removed.
        "find /var/lib/docker /var/lib/containerd -mindepth 1 -maxdepth 1 -exec rm -rf {} + 2>/dev/null || true", { timeoutMs: 600_000 });
}

beforeAll(async () => {
    hosts = labInventory();
    stack = new PulumiStack("e2e-managers", "Pulumi.dev.yaml");
    await stack.init();
    // The swarm only: ZooKeeper and Mesos have their own tests.
    await stack.setConfig("roles", { h1: ["swarm-manager"], h2: ["swarm-manager"], h3: ["swarm-manager"], h4: ["swarm-worker"] });
    await stack.removeConfig("zookeeper");
});

afterAll(async () => {
    await stack?.dispose();
    if (hosts) await removeDockerByHand(host("h4"));
    reportTimings("swarm-managers-timings.json");
});

describe("a swarm with three managers", () => {
    it("deploys three managers and a worker, the worker on the Docker CE its operator installed, leaving that engine alone", async () => {
        await installDockerByHand(host("h4"));
        const keyBefore = onHost(host("h4"), "sha256sum /etc/apt/keyrings/docker.asc /etc/apt/sources.list.d/docker.list").stdout;
        const up = await stack.up();
        expect(up.stdout + up.stderr).toMatch(/dockerd is installed already, not by this program: docker stays as it is/);
        expect(nodeList()).toEqual(["h1 Ready Leader", "h2 Ready Reachable", "h3 Ready Reachable", "h4 Ready"]);
        // Not recorded as the stack's: no record of the engine, its packages or its repository; the operator's files as they were.
        expect(onHost(host("h4"), "ls /var/lib/twister2-cluster/docker.installed /var/lib/twister2-cluster/docker.packages " +
            "/var/lib/twister2-cluster/docker.sources 2>/dev/null || true").stdout).toBe("");
        expect(onHost(host("h4"), "sha256sum /etc/apt/keyrings/docker.asc /etc/apt/sources.list.d/docker.list").stdout).toBe(keyBefore);
        // The stack's own engines are recorded: docker-ce, from the repository the stack names.
        expect(onHost(host("h1"), "cat /var/lib/twister2-cluster/docker.installed").stdout.trim()).toBe("docker-ce");
    });

    it("refuses to switch an engine it installed between docker-ce and docker.io, naming the hosts, and changes nothing", async () => {
        await stack.setConfig("docker.source", "docker.io", { path: true });
        const refused = await stack.up({ check: false });
        expect(refused.ok).toBe(false);
        const output = refused.stdout + refused.stderr;
        // The hosts' package step refuses first (apt would swap the engine's packages under the running
        // engine); the first to fail ends the update: one of h1-h3 says so, with the way to switch.
        expect(output).toMatch(/\[h[123]\] ERROR: docker: dockerd comes from packages this program installed, not from docker\.io; it does not replace them in place/);
        expect(output).toMatch(/host-setup-h[123] \*\*updating failed\*\*/);
        // h4's engine is its operator's: nothing to refuse there.
        expect(output).not.toMatch(/\[h4\] ERROR/);
        for (const name of ["h1", "h2", "h3"]) {
            expect(onHost(host(name), "cat /var/lib/twister2-cluster/docker.installed; docker info --format '{{.Swarm.LocalNodeState}}'; " +
                "dpkg-query -W -f='${Package} ${db:Status-Abbrev}\\n' docker-ce docker.io 2>/dev/null || true").stdout, name)
                .toMatch(/^docker-ce\nactive\ndocker-ce ii \n(docker\.io (un|pn|rc) \n)?$/);
        }
        // No engine restarted: the swarm's leader is where it was.
        expect(nodeList()).toEqual(["h1 Ready Leader", "h2 Ready Reachable", "h3 Ready Reachable", "h4 Ready"]);
        await stack.setConfig("docker.source", "docker-ce", { path: true });
        await stack.up();
        await stack.preview({ expectNoChanges: true });
    });

    it("swaps a manager and a worker by leaving and joining again, touching only those two hosts", async () => {
        await stack.setConfig("roles.h3[0]", "swarm-worker", { path: true });
        await stack.setConfig("roles.h4[0]", "swarm-manager", { path: true });
        const preview = await stack.preview();
        const touched = new Set(preview.steps.filter((s) => s.op !== "same").map((s) => s.urn.split("::").pop()));
        // The two rejoin (and their firewalls follow: the management port moves); then the first manager drops
        // the entries they left behind. The first manager's steps that drain a worker's node around its engine's
        // roll visit go with h4 and come with h3.
        expect([...touched].sort()).toEqual(["docker-h3-roll-swarm-active", "docker-h3-roll-swarm-drain", "docker-h4-roll-swarm-active",
            "docker-h4-roll-swarm-drain", "host-setup-h3", "host-setup-h4", "swarm-join-h3", "swarm-join-h4", "swarm-members"]);

        await stack.up();
        expect(nodeList()).toEqual(["h1 Ready Leader", "h2 Ready Reachable", "h3 Ready", "h4 Ready Reachable"]);
        await stack.preview({ expectNoChanges: true });
    });

    it("destroys the swarm from every host, and leaves h4's own engine installed and running", async () => {
        await stack.destroy();
        for (const h of hosts.filter((h) => h.name !== "h4")) {
            expect(onHost(h, "command -v docker || echo none").stdout.trim(), h.name).toBe("none");
        }
        expect(onHost(host("h4"), "docker info --format '{{.Swarm.LocalNodeState}}'; ls /etc/apt/sources.list.d/docker.list").stdout)
            .toBe("inactive\n/etc/apt/sources.list.d/docker.list\n");
    });
});
