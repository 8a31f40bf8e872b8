// The dev stack (Docker CE from the lab's stand-in of Docker's repository, the swarm, the overlay network,
// ZooKeeper, Mesos), deployed onto the lab by the real Pulumi engine and checked from the hosts themselves.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { eventually, LabHost, labInventory, onHost, PulumiStack, swarmNodeState, reportTimings } from "./harness";

let hosts: LabHost[];
let stack: PulumiStack;
/** What the first `pulumi up` printed and sent as engine events (but debug messages): steps' progress and results, no secret. */
let firstUpOutput: string;
const host = (name: string) => hosts.find((h) => h.name === name)!;
/** The packages a host has (installed, or removed but not purged), as dpkg lists them. */
const packageList = (h: LabHost) => onHost(h, "dpkg-query -W -f='${db:Status-Abbrev} ${Package}\\n' | awk '$1 !~ /^.[nc]/ { print $2 }' | sort").stdout;
/** Each host's packages before the first `pulumi up`. */
const packagesBefore = new Map<string, string>();

beforeAll(async () => {
    hosts = labInventory();
    stack = new PulumiStack("e2e", "Pulumi.dev.yaml");
    await stack.init();
    for (const h of hosts) packagesBefore.set(h.name, packageList(h));
});

afterAll(async () => {
    await stack?.dispose();
    reportTimings("swarm-timings.json");
});

describe("swarm on the lab", () => {
    it("pulumi up deploys docker, the swarm and the overlay network", async () => {
        const up = await stack.up();
        // Not the SDK's debug messages, which a run shows only when asked to (-v, --debug), and which hold every input.
        firstUpOutput = up.stdout + up.stderr + JSON.stringify(up.events.filter((e) => String(e.diagnosticEvent?.severity) !== "debug"));
    });

    it("installs Docker CE from the repository the stack names, with its key, on every host, from its release's suite", () => {
        for (const h of hosts) {
            // The host's release, and its Debian docker.io's upstream version, which the lab's stand-in of Docker CE repackages.
            const [release, upstream] = onHost(h, ". /etc/os-release && echo \"$VERSION_CODENAME\"; " +
                "apt-cache policy docker.io | sed -n 's/^ *Candidate: //p' | sed 's/^[0-9]*://; s/[+~-].*//'").stdout.trim().split("\n");
            expect(["bookworm", "trixie"], h.name).toContain(release);
            const installed = onHost(h, "dpkg-query -W -f='${Package} ${Version}\\n' docker-ce docker-ce-cli containerd.io; " +
                "cat /etc/apt/sources.list.d/docker.list; test -s /etc/apt/keyrings/docker.asc && echo key; readlink -f \"$(command -v dockerd)\"").stdout;
            // Unpinned (docker.version), the newest of the stand-in's two releases of it.
            const engine = `5:${upstream.replace(/\./g, "\\.")}-0standin2`;
            for (const line of [new RegExp(`^docker-ce ${engine}$`, "m"), new RegExp(`^docker-ce-cli ${engine}$`, "m"), /^containerd\.io \S+standin1$/m]) {
                expect(installed, h.name).toMatch(line);
            }
            expect(installed, h.name).toContain(`deb [signed-by=/etc/apt/keyrings/docker.asc] http://10.77.0.1:3143/docker ${release} stable\nkey\n`);
            expect(installed, h.name).toMatch(/\/usr\/sbin\/dockerd\n$/);
        }
    });

    it("lists every host Ready in `docker node ls` with its role", async () => {
        const nodes = onHost(host("h1"), "docker node ls --format '{{.Hostname}} {{.Status}} {{.Availability}} {{.ManagerStatus}}'")
            .stdout.trim().split("\n").map((line) => line.trim()).sort();
        expect(nodes).toEqual([
            "h1 Ready Active Leader",
            "h2 Ready Active",
            "h3 Ready Active",
            "h4 Ready Active",
            "h5 Ready Active",
        ]);
        for (const h of hosts) expect(swarmNodeState(h)).toBe("active");
    });

    it("has an attachable overlay network, with the VXLAN id and gateway the stack gave, which a refresh leaves unchanged", async () => {
        const network = onHost(host("h1"), "docker network inspect mesos-overlay --format " +
            "'{{.Driver}} {{.Attachable}} {{.Scope}} {{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}} {{index .Options \"com.docker.network.driver.overlay.vxlanid_list\"}}'");
        expect(network.stdout.trim()).toBe("overlay true swarm 10.78.0.0/24 10.78.0.1 4194304");
        // What the docker provider reads back is what the stack gave: nothing to change (the official provider replaces a
        // network whose stored options or gateway differ from the program's).
        await stack.refresh();
        await stack.preview({ expectNoChanges: true });
    });

    it("forms a ZooKeeper ensemble that clients can use through any server", async () => {
        const modes = ["h1", "h2", "h3"].map((name) =>
            onHost(host(name), "echo srvr | nc -N -w 3 127.0.0.1 2181 | sed -n 's/^Mode: //p'").stdout.trim());
        expect(modes.sort()).toEqual(["follower", "follower", "leader"]);
        const connect = (await stack.outputs()).zookeeperConnectString;
        expect(connect).toBe("10.77.0.11:2181,10.77.0.12:2181,10.77.0.13:2181");
        const zkCli = "/usr/share/zookeeper/bin/zkCli.sh";
        onHost(host("h1"), `${zkCli} -server 10.77.0.12:2181 create /t2-e2e written-through-h2 2>&1 | tail -1`);
        const read = onHost(host("h1"), `${zkCli} -server 10.77.0.13:2181 get /t2-e2e 2>/dev/null | grep written`).stdout.trim();
        expect(read).toBe("written-through-h2");
    });

    it("brings back a ZooKeeper server whose data is from before its ensemble was made anew", async () => {
        // As a destroy cut short can leave one: it accepted a later epoch than the leader's, and ZooKeeper
        // never lets it follow that leader.
        const mode = (name: string) => onHost(host(name), "echo srvr | nc -N -w 3 127.0.0.1 2181 | sed -n 's/^Mode: //p'").stdout.trim();
        const stale = ["h1", "h2", "h3"].find((name) => mode(name) === "follower")!;
        onHost(host(stale), `systemctl stop zookeeper
            for f in acceptedEpoch currentEpoch; do echo 99 >/var/lib/zookeeper/version-2/$f; done
            systemctl start zookeeper`);
        await new Promise((resolve) => setTimeout(resolve, 15_000));
        expect(mode(stale)).toBe("");
        // Its visit of the rolling restart: the last server's is the turn, the others' go up first.
        const step = `zookeeper-${stale}-restart${stale === "h3" ? "" : "-followers"}`;
        const urn = ((await stack.exportState()).deployment.resources as { urn: string }[]).map((r) => r.urn).find((u) => u.endsWith(`::${step}`))!;
        const up = await stack.up({ replace: [urn] });
        expect(mode(stale)).toBe("follower");
        // The leader's epoch (the high half of its zxid). Below 99, the step found the server stale and kept
        // its data aside. An election that counted the server's epoch (the leader can lose its one follower
        // for a moment on a loaded machine) makes it 100 or more, and lets the server follow with nothing to
        // reset: then the step had nothing to do.
        const leaderEpoch = Number(BigInt(onHost(host("h4"), ["h1", "h2", "h3"].map((name) =>
            `echo srvr | nc -N -w 3 ${host(name).address} 2181 || true`).join("; ")).stdout
            .split("Zookeeper version").find((answer) => /^Mode: leader$/m.test(answer))!.match(/^Zxid: (0x[0-9a-f]+)$/m)![1]) >> 32n);
        const reset = new RegExp(`\\[${stale}\\] server \\d accepted epoch 99, later than its ensemble's leader's \\(\\d+\\): .*keeping it in /var/lib/zookeeper/version-2\\.before-`);
        if (leaderEpoch < 99) {
            expect(up.stdout).toMatch(reset);
            expect(onHost(host(stale), "ls /var/lib/zookeeper").stdout.trim().split("\n")).toEqual(expect.arrayContaining(["version-2", expect.stringMatching(/^version-2\.before-/)]));
        } else {
            expect(up.stdout).not.toMatch(reset);
            console.log(`an election healed server ${stale} before its step ran (the leader's epoch is ${leaderEpoch})`);
        }
    });

    it("writes Twister2's conf/mesos to match the live cluster", async () => {
        const dir = await stack.output("twister2ConfDir");
        const resource = parse(fs.readFileSync(path.join(dir, "resource.yaml"), "utf8"));
        // ZooKeeper answers at every address the master URI names.
        const uri = resource["twister2.resource.mesos.master.uri"] as string;
        const servers = /^zk:\/\/([^/]+)\/mesos$/.exec(uri)![1].split(",");
        expect(servers).toHaveLength(3);
        for (const server of servers) {
            const [address, port] = server.split(":");
            expect(onHost(host("h4"), `echo srvr | nc -N -w 3 ${address} ${port} | sed -n 's/^Mode: //p'`).stdout.trim(), server).toMatch(/^(leader|follower)$/);
        }
        // The Mesos master it names answers, and the overlay network it names exists.
        const master = resource["twister2.resource.mesos.master.host"] as string;
        expect(onHost(host("h4"), `curl -s -o /dev/null -w '%{http_code}' http://${master}:5050/master/health`).stdout).toBe("200");
        const network = resource["twister2.resource.mesos.overlay.network.name"] as string;
        // Workers list a swarm network only while a task uses it: ask the manager.
        expect(onHost(host("h1"), `docker network inspect -f '{{.Driver}}' ${network}`).stdout.trim()).toBe("overlay");
        expect(parse(fs.readFileSync(path.join(dir, "core.yaml"), "utf8"))["twister2.job.master.ip"]).toBe("10.77.0.11");
        // The NFS server it names listens, and so does the uploader's web server.
        const nfsAddress = resource["twister2.resource.nfs.server.address"] as string;
        expect(onHost(host("h4"), `timeout 5 bash -c '</dev/tcp/${nfsAddress}/2049' && echo open`).stdout.trim()).toBe("open");
        const fetchUri = resource["twister2.resource.HTTP.fetch.uri"] as string;
        expect(onHost(host("h4"), `curl -s -o /dev/null -w '%{http_code}' ${fetchUri}/twister2/mesos/no-such-job.tar.gz`).stdout).toBe("404");
    });

    it("lets a container on one host reach a container on another by name over the overlay", async () => {
        // No registry: each host makes a tiny image from its own busybox.
        const image = "mkdir -p /tmp/t2-bb/bin /tmp/t2-bb/www && cp /bin/busybox /tmp/t2-bb/bin/ && echo \"hello from $(hostname)\" >/tmp/t2-bb/www/index.html && " +
            "tar -C /tmp/t2-bb -c . | docker import -c 'ENTRYPOINT [\"/bin/busybox\"]' - t2-e2e/busybox >/dev/null";
        onHost(host("h2"), `${image}\ndocker rm -f t2-echo >/dev/null 2>&1 || true\n` +
            "docker run -d --name t2-echo --network mesos-overlay t2-e2e/busybox httpd -f -p 8080 -h /www >/dev/null");
        onHost(host("h4"), image);
        try {
            let answer = "";
            // busybox's `wget -T` crashes in this static build: bound the request with `timeout` instead.
            const reached = await eventually(60, () => {
                answer = onHost(host("h4"), "docker run --rm --network mesos-overlay t2-e2e/busybox timeout 10 wget -qO- http://t2-echo:8080/", { check: false }).stdout;
                return answer.includes("hello from h2");
            });
            expect(reached, `h4 got: ${answer}`).toBe(true);
        } finally {
            onHost(host("h2"), "docker rm -f t2-echo >/dev/null; docker rmi t2-e2e/busybox >/dev/null", { check: false });
            onHost(host("h4"), "docker rmi t2-e2e/busybox >/dev/null", { check: false });
        }
    });

    it("previews no changes on a converged stack", async () => {
        await stack.preview({ expectNoChanges: true, diff: true });
        expect(stack.previewMarkdown()).toMatch(/Nothing to change: \d+ resources are up to date\./);
    });

    it("reads the overlay network on refresh: one removed by hand is made again by the next up", async () => {
        const id = (await stack.outputs()).overlayNetwork;
        expect(id).toBeDefined();
        onHost(host("h1"), "docker network rm mesos-overlay >/dev/null");
        const refresh = await stack.refresh();
        expect(refresh.stdout).toMatch(/1 deleted/);
        await stack.up();
        const network = onHost(host("h1"), "docker network inspect mesos-overlay --format '{{.Driver}} {{.Attachable}} {{range .IPAM.Config}}{{.Subnet}}{{end}}'");
        expect(network.stdout.trim()).toBe("overlay true 10.78.0.0/24");
        expect((await stack.outputs()).overlayNetwork).not.toEqual(id);
        await stack.preview({ expectNoChanges: true });
    });

    it("keeps the join tokens out of the state in plain text, and out of what pulumi up shows", async () => {
        const workerToken = onHost(host("h1"), "docker swarm join-token -q worker").stdout.trim();
        const managerToken = onHost(host("h1"), "docker swarm join-token -q manager").stdout.trim();
        expect(workerToken).toMatch(/^SWMTKN-/);
        const state = JSON.stringify(await stack.exportState());
        expect(state).toContain("4dabf18193072939515e22adb298388d"); // secrets are there, encrypted
        expect(state).not.toContain(workerToken);
        expect(state).not.toContain(managerToken);
        expect(state).not.toContain("SWMTKN-");
        // swarm-init's result holds them: its results are not shown, while other steps' are.
        expect(firstUpOutput).not.toContain("SWMTKN-");
        expect(firstUpOutput).toMatch(/docker-h1-engine created \([\d.]+s\) \d+\.\d+\.\d+/);
    });

    it("removes a worker dropped from the config, and touches nothing else but the other hosts' firewalls", async () => {
        await stack.removeConfig("roles.h5", { path: true });
        const preview = await stack.preview();
        const changed = preview.steps.filter((s) => s.op !== "same");
        expect(changed.length).toBeGreaterThan(0);
        for (const step of changed) {
            const name = step.urn.split("::").pop()!;
            // h5 also was a Mesos agent: its agent and worker image go, and the first manager's steps that drained its
            // swarm node around its agent's roll visit; the first manager takes its node off the list; the other hosts'
            // firewalls (their setup steps) admit it no more.
            expect(`${step.op} ${name}`).toMatch(/^(delete (docker-h5|docker-h5-engine|docker-h5-roll|swarm-join-h5|mesos-h5-agent|mesos-h5-agent-roll|mesos-h5-agent-roll-swarm-drain|mesos-h5-agent-roll-swarm-active|worker-image-h5|host-setup-h5|host-setup-h5-copy)|update swarm-members|update host-setup-h[1-4])$/);
        }
        const markdown = stack.previewMarkdown();
        expect(markdown).toMatch(/\d+ to delete/);
        expect(markdown).toContain("| DockerHost `docker-h5` | 10.77.0.15 | `docker-h5-engine` | delete: undoes with `docker-uninstall.sh` |");

        await stack.up();
        const nodes = onHost(host("h1"), "docker node ls --format '{{.Hostname}} {{.Status}}'").stdout.trim().split("\n").sort();
        expect(nodes).toEqual(["h1 Ready", "h2 Ready", "h3 Ready", "h4 Ready"]);
        // Out of the cluster, h5 is an outsider: the swarm's (its gossip and the overlay's VXLAN over UDP too),
        // ZooKeeper's, the Mesos master's and agent's ports refuse it (at each host's firewall), and still admit
        // a host of the stack. A UDP port refuses with an ICMP port unreachable, which fails the next send.
        const ports = ["10.77.0.11:2377", "10.77.0.11:7946", "10.77.0.11:7946/udp", "10.77.0.11:4789/udp", "10.77.0.12:2181", "10.77.0.12:2888",
            "10.77.0.13:5050", "10.77.0.14:5051"];
        const probe = (port: string) => {
            const [address, number, udp] = port.split(/[:/]/);
            const reached = udp ? `exec 3>/dev/udp/${address}/${number}; echo probe >&3; sleep 1; echo probe >&3` : `</dev/tcp/${address}/${number}`;
            return `timeout 5 bash -c '${reached}' 2>/dev/null && echo "${port} open" || echo "${port} refused"`;
        };
        const reach = (from: string) => onHost(host(from), ports.map(probe).join("\n")).stdout.trim().split("\n");
        expect(reach("h5")).toEqual(ports.map((port) => `${port} refused`));
        // (2888 is open on the ZooKeeper leader only.)
        expect(reach("h4").filter((line) => !line.includes(":2888 "))).toEqual(ports.filter((port) => !port.endsWith(":2888")).map((port) => `${port} open`));
        expect(swarmNodeState(host("h5"))).toMatch(/^(inactive|no-docker)$/);
        await stack.preview({ expectNoChanges: true });
    });

    it("previews adding a worker as that host's resources (its engine's roll step too, between the manager's drain steps) and the others' firewalls, and nothing else", async () => {
        await stack.setConfig("roles.h5[0]", "swarm-worker", { path: true });
        const preview = await stack.preview();
        const changed = preview.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.urn.split("::").pop()}`).sort();
        expect(changed).toEqual(["create docker-h5", "create docker-h5-engine", "create docker-h5-roll", "create docker-h5-roll-swarm-active",
            "create docker-h5-roll-swarm-drain", "create host-setup-h5", "create host-setup-h5-copy",
            "create swarm-join-h5", "update host-setup-h1", "update host-setup-h2", "update host-setup-h3", "update host-setup-h4", "update swarm-members"]);
        const markdown = stack.previewMarkdown();
        expect(markdown).toContain("8 to create");
        expect(markdown).toContain("5 to update");
        expect(markdown).toContain("10.77.0.15");
    });

    it("pulumi destroy takes every host out of the swarm and leaves it clean", async () => {
        await stack.destroy();
        for (const h of hosts) {
            expect(swarmNodeState(h), h.name).toMatch(/^(inactive|no-docker)$/);
            const leftovers = onHost(h, "find /var/lib/docker /etc/docker /var/lib/twister2-cluster -mindepth 1 -maxdepth 1 2>/dev/null || true\n" +
                "ls -d /etc/zookeeper /var/lib/zookeeper 2>/dev/null || true\n" +
                "systemctl list-unit-files --no-legend zookeeper.service || true\n" +
                "ls /home/*/.twister2-cluster-host-scripts.sh /usr/local/bin/twister2-step 2>/dev/null || true").stdout.trim();
            expect(leftovers, `${h.name} still has: ${leftovers}`).toBe("");
            // Docker's three packages, what came with them, its repository's key and source line: gone.
            expect(onHost(h, "ls /etc/apt/sources.list.d/docker.list /etc/apt/keyrings/docker.asc 2>/dev/null || true").stdout, h.name).toBe("");
            expect(packageList(h), h.name).toBe(packagesBefore.get(h.name));
        }
    });
});
