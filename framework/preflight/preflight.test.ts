// Preflight's pure parts: the ports each role needs, and what a host's probe (or ssh) says is wrong.
import { describe, expect, it } from "vitest";
import { defaultPreflight } from "./config";
import { agentProblem, portsFor, preflightReport, preflightScript, problemsOf, warningsOf } from "./preflight";
import { ClusterHost } from "../config/stackConfig";
import { plan } from "../../components";
import { configProblems, devLayoutConfig, hostKey, labHosts, scratchDir } from "../../test/unit/fixtures";

const config = devLayoutConfig({ uploader: { port: 8090, publicKeys: [`${hostKey} operator`] }, nfs: {} });
const host = (name: string) => config.hosts.find((h) => h.name === name)! as ClusterHost;
const probe = (name: string, stdout: string, extra: Partial<{ code: number; stderr: string }> = {}) =>
    ({ host: host(name), code: 0, stdout, stderr: "", startedAt: 1000, endedAt: 1002, ...extra });

describe("preflight", () => {
    it("checks the ports each host's roles listen on (the plan's), each with the service allowed to hold it", () => {
        const layout = plan(config);
        expect(portsFor(host("h1"), layout)).toEqual([
            "2377/tcp/docker", "7946/tcp/docker", "7946/udp/docker", "4789/udp/docker",
            "2181/tcp/zookeeper", "2888/tcp/zookeeper", "3888/tcp/zookeeper", "5050/tcp/mesos-master",
        ]);
        expect(portsFor(host("h2"), layout)).toContain("8090/tcp/nginx");
        expect(portsFor(host("h3"), layout)).toContain("2049/tcp/nfs-server,nfs-ganesha");
        expect(portsFor(host("h4"), layout)).toEqual(["7946/tcp/docker", "7946/udp/docker", "4789/udp/docker", "5051/tcp/mesos-agent"]);
    });

    it("adds each component's own checks, with their settings, where they apply: the encrypted overlay's on every swarm node", () => {
        const encrypted = devLayoutConfig({ overlay: { name: "mesos-overlay", encrypted: true } });
        const scriptOn = (name: string, of = encrypted) => preflightScript(of.hosts.find((h) => h.name === name)!, of, plan(of));
        for (const name of ["h1", "h2", "h5"]) {
            const script = scriptOn(name);
            expect(script.startsWith(`PORTS='`)).toBe(true);
            expect(script).toContain("unshare --net ip xfrm state add");
            // After preflight.sh's own checks (a sudo that asks for a password ends the script before it).
            expect(script.indexOf("rfc4106(gcm(aes))")).toBeGreaterThan(script.indexOf("sudo asks"));
        }
        expect(scriptOn("h1", devLayoutConfig({ overlay: { name: "mesos-overlay", encrypted: false } }))).not.toContain("xfrm");
    });

    it("reports what the probe found, with the fix", () => {
        const problems = problemsOf(probe("h2", [
            "clock 1001.25",
            "problem port 2181/tcp|held by python3 (pid 42, t2.service)|stop it or move it: this host's roles need 2181/tcp for zookeeper",
            "problem disk|900 MB free under /var|free at least 2048 MB under /var (packages, Docker images, Mesos sandboxes)",
        ].join("\n")));
        expect(problems.map((p) => [p.check, p.found])).toEqual([
            ["port 2181/tcp", "held by python3 (pid 42, t2.service)"],
            ["disk", "900 MB free under /var"],
        ]);
        expect(problemsOf(probe("h1", "clock 1000.5\n"))).toEqual([]);
    });

    it("warns of an operating system it accepts that no end-to-end test has run on, and refuses others", () => {
        const said = probe("h3", "clock 1001\nwarning os|Ubuntu 24.04.1 LTS is accepted, but the end-to-end tests do not deploy on it (they deploy on Debian 12 and 13)\n");
        expect(problemsOf(said)).toEqual([]);
        expect(warningsOf(said)).toEqual(["preflight: h3 (10.77.0.13) os: Ubuntu 24.04.1 LTS is accepted, but the end-to-end tests do not deploy on it (they deploy on Debian 12 and 13)"]);
        expect(warningsOf(probe("h3", "clock 1001\n"))).toEqual([]);
        const script = preflightScript(host("h1"), config, plan(config));
        expect(script).toMatch(/"debian 12" \| "debian 13"\) ;;\n\s+"ubuntu 22\.04" \| "ubuntu 24\.04"\)\n\s+warning os/);
    });

    it("reports a clock more than 5 s off this machine's, ahead or behind", () => {
        expect(problemsOf(probe("h1", "clock 1010\n")).map((p) => `${p.check}: ${p.found}`)).toEqual(["clock: 7 s ahead of this machine"]);
        expect(problemsOf(probe("h1", "clock 990\n")).map((p) => `${p.check}: ${p.found}`)).toEqual(["clock: 10 s behind this machine"]);
        expect(problemsOf(probe("h1", "clock 1007.9\n"))).toEqual([]);
    });

    it("tells ssh's own failures apart: host key, login, reachability", () => {
        const failed = (stderr: string) => problemsOf(probe("h4", "", { code: 255, stderr }))[0];
        expect(failed("@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\nHost key verification failed.\n")).toMatchObject({
            check: "host key", found: "the host's key is not the configured hostKey",
        });
        expect(failed("deploy@10.77.0.14: Permission denied (publickey).\n").check).toBe("login");
        expect(failed("ssh: connect to host 10.77.0.14 port 22: Connection timed out\n")).toMatchObject({
            check: "reachable", found: "ssh: connect to host 10.77.0.14 port 22: Connection timed out",
        });
    });

    it("puts every failure of every host in one report, and says nothing when all passed", () => {
        const problems = [
            ...problemsOf(probe("h2", "problem sudo|sudo asks deploy for a password|give deploy passwordless sudo")),
            ...problemsOf(probe("h4", "", { code: 255, stderr: "ssh: connect to host 10.77.0.14 port 22: No route to host" })),
        ];
        expect(preflightReport(problems, 5)).toBe([
            "preflight: 2 of 5 hosts failed, so no host was changed:",
            "  h2 (10.77.0.12) sudo: sudo asks deploy for a password; fix: give deploy passwordless sudo",
            "  h4 (10.77.0.14) reachable: ssh: connect to host 10.77.0.14 port 22: No route to host; fix: check that 10.77.0.14:22 runs sshd and is reachable from this machine",
        ].join("\n"));
        expect(preflightReport([], 5)).toBeUndefined();
    });

    it("takes its settings from twister2-cluster:preflight, each checked, the defaults stated once", () => {
        expect(config.preflight).toEqual(defaultPreflight);
        expect(defaultPreflight).toEqual({ cgroupV2: true, minVarMb: 2048 });
        expect(devLayoutConfig({ preflight: { cgroupV2: false, minVarMb: 500 } }).preflight).toEqual({ cgroupV2: false, minVarMb: 500 });
        const { dir, keyFile } = scratchDir();
        const problems = configProblems({
            hosts: labHosts(keyFile, 1), roles: { h1: ["swarm-manager"] }, docker: { source: "docker.io" },
            preflight: { cgroupV2: "no", minVarMb: 1.5 },
        }, dir);
        expect(problems).toEqual([
            "preflight.cgroupV2: give true or false here, not 'no'",
            "preflight.minVarMb: 1.5 is not a whole number of megabytes (default 2048)",
        ]);
    });

    it("says what is wrong with the SSH agent that hosts without a key file log in with", () => {
        expect(agentProblem(undefined, null)).toEqual({
            found: "no SSH agent: SSH_AUTH_SOCK is not set",
            fix: "start one (`eval \"$(ssh-agent)\"`), add the login's key to it (`ssh-add KEY`), or set the host's privateKeyFile",
        });
        expect(agentProblem("/run/agent.sock", 1)?.found).toBe("the SSH agent at /run/agent.sock holds no key");
        expect(agentProblem("/run/agent.sock", 2)?.found).toBe("the SSH agent at /run/agent.sock does not answer");
        expect(agentProblem("/run/agent.sock", 0)).toBeUndefined();
    });

    it("names the agent when a host logging in with it is refused", () => {
        const { privateKeyFile: _, ...viaAgent } = host("h2");
        const [refused] = problemsOf({ ...probe("h2", "", { code: 255, stderr: "deploy@10.77.0.12: Permission denied (publickey)." }), host: viaAgent });
        expect(refused.found).toBe("deploy is refused with the SSH agent's keys");
    });
});
