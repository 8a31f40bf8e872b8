// Preflight, as kubeadm's: before `pulumi up` changes anything on any host, every host is checked at
// once, after the bastions they are reached through (reachable with the configured key or the SSH
// agent's keys, the pinned host key, passwordless
// sudo, a supported OS, cgroup v2, free disk under /var, its clock, the ports its roles need, and each
// component's own checks of it). If any host fails, the run stops with one report of every failure, and
// no host has been changed. Previews skip it: they contact no host.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Bastion, bastionId, distinctBastions } from "../config/hosts";
import type { ClusterConfig, ClusterHost } from "../config/stackConfig";
import type { ClusterPlan } from "../plan/plan";
import { subshellFragment } from "../remote/hostScripts";
import { probeHosts, ProbeResult } from "../remote/ssh";

/** How far a host's clock may be from this machine's (ZooKeeper sessions, TLS, logs). */
export const maxClockSkewSecs = 5;

/** The ports a host's roles listen on (from the plan), as preflight.sh takes them: `port/protocol/units allowed to hold it`. */
export function portsFor(host: ClusterHost, layout: ClusterPlan): string[] {
    return (layout.ports[host.name] ?? []).map((p) => `${p.port}/${p.protocol}/${p.units.join(",")}`);
}

export interface PreflightProblem {
    host: ClusterHost;
    check: string;
    found: string;
    fix: string;
}

// What ssh says when the host's key is not the pinned one, and when the login is refused.
const hostKeyRefused = /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/;
const loginRefused = /Permission denied/;
/** The last thing ssh (or the script) said on stderr, or its status. */
const lastSaid = (result: Pick<ProbeResult<Bastion>, "stderr" | "code">): string => result.stderr.trim().split("\n").filter(Boolean).at(-1) ?? `ssh exited ${result.code}`;

/** Pure: what a host's probe says is wrong with it (ssh's own failures included). */
export function problemsOf(result: ProbeResult<ClusterHost>): PreflightProblem[] {
    const { host } = result;
    const problem = (check: string, found: string, fix: string) => ({ host, check, found, fix });
    if (result.code !== 0) {
        const said = lastSaid(result);
        if (hostKeyRefused.test(result.stderr)) {
            return [problem("host key", "the host's key is not the configured hostKey",
                `check that ${host.address} is the intended host, then set its hostKey to what \`ssh-keyscan -t ed25519 -p ${host.port} ${host.address}\` prints`)];
        }
        if (loginRefused.test(result.stderr)) {
            return [problem("login", `${host.user} is refused with ${host.privateKeyFile ?? "the SSH agent's keys"}`,
                `add the key's public half to ~${host.user}/.ssh/authorized_keys on ${host.address}, or set privateKeyFile`)];
        }
        if (host.bastion && /administratively prohibited/.test(result.stderr)) {
            return [problem("bastion", `the bastion ${host.bastion.address} refuses to forward to ${host.address}:${host.port}`,
                `set AllowTcpForwarding yes (or local) for ${host.bastion.user} in the bastion's sshd_config`)];
        }
        // ssh's own failures exit 255; any other status is the script's, which reached the host.
        if (result.code > 0 && result.code !== 255) {
            const printed = result.stdout.trim().split("\n").filter(Boolean).at(-1);
            return [problem("preflight script", `it ended with status ${result.code}${result.stderr.trim() ? `: ${said}` : ""}` +
                `${printed ? ` after printing "${printed}"` : ""}`, "a bug of this program's or a host unlike the ones it knows: please report it with this line")];
        }
        return [problem("reachable", said, `check that ${host.address}:${host.port} runs sshd and is reachable ${host.bastion ? `from the bastion ${host.bastion.address}` : "from this machine"}`)];
    }
    const problems: PreflightProblem[] = [];
    for (const line of result.stdout.split("\n")) {
        const reported = /^problem ([^|]*)\|([^|]*)\|(.*)$/.exec(line);
        if (reported) problems.push(problem(reported[1], reported[2], reported[3]));
        // The host read its clock while ssh ran: between this machine's clock before and after.
        const clock = /^clock (\d+(?:\.\d+)?)$/.exec(line);
        const skew = clock ? Math.max(0, Number(clock[1]) - (result.endedAt + 1), result.startedAt - Number(clock[1])) : 0;
        if (clock && skew > maxClockSkewSecs) {
            const ahead = Number(clock[1]) > result.endedAt;
            problems.push(problem("clock", `${skew.toFixed(0)} s ${ahead ? "ahead of" : "behind"} this machine`,
                "keep the hosts' clocks in sync (systemd-timesyncd or chrony)"));
        }
    }
    return problems;
}

/** Pure: what a host's probe says is accepted but worth a warning (an operating system no test has run on), one line each. */
export function warningsOf(result: ProbeResult<ClusterHost>): string[] {
    if (result.code !== 0) return [];
    return result.stdout.split("\n").flatMap((line) => {
        const said = /^warning ([^|]*)\|(.*)$/.exec(line);
        return said ? [`preflight: ${result.host.name} (${result.host.address}) ${said[1]}: ${said[2]}`] : [];
    });
}

/**
 * Pure: what a bastion's own probe (a login that runs nothing, straight from this machine) says is wrong
 * with it, as the problem of each host behind it; undefined when the bastion let its login in.
 */
export function bastionProblem(result: ProbeResult<Bastion>): { found: string; fix: string } | undefined {
    if (result.code === 0) return undefined;
    const bastion = result.host;
    const at = `${bastion.address}:${bastion.port}`;
    if (hostKeyRefused.test(result.stderr)) {
        return { found: `the bastion ${at} does not have the configured bastion hostKey`,
            fix: `check that ${bastion.address} is the intended bastion, then set bastion.hostKey to what \`ssh-keyscan -t ed25519 -p ${bastion.port} ${bastion.address}\` prints` };
    }
    if (loginRefused.test(result.stderr)) {
        return { found: `the bastion ${at} refuses ${bastion.user} with ${bastion.privateKeyFile ?? "the SSH agent's keys"}`,
            fix: `add the key's public half to ~${bastion.user}/.ssh/authorized_keys on the bastion, or set bastion.privateKeyFile` };
    }
    return { found: `the bastion ${at} cannot be reached: ${lastSaid(result)}`, fix: `check that ${at} runs sshd and is reachable from this machine` };
}

/** One report of every problem, or undefined when every host passed. */
export function preflightReport(problems: PreflightProblem[], hostCount: number): string | undefined {
    if (problems.length === 0) return undefined;
    const failed = new Set(problems.map((p) => p.host.name)).size;
    return [`preflight: ${failed} of ${hostCount} hosts failed, so no host was changed:`,
        ...problems.map((p) => `  ${p.host.name} (${p.host.address}) ${p.check}: ${p.found}; fix: ${p.fix}`)].join("\n");
}

// Run as the SSH login, changing nothing: without the host scripts' library (which makes the state directory).
const probeScript = fs.readFileSync(path.join(__dirname, "preflight.sh"), "utf8");

/**
 * Pure: what is wrong with the SSH agent that hosts without a privateKeyFile log in with, from its socket
 * (SSH_AUTH_SOCK) and `ssh-add -l`'s exit status (0: it holds keys, 1: none, 2: it cannot be reached).
 */
export function agentProblem(socket: string | undefined, listStatus: number | null): { found: string; fix: string } | undefined {
    const add = "add the login's key to it (`ssh-add KEY`), or set the host's privateKeyFile";
    if (!socket) return { found: "no SSH agent: SSH_AUTH_SOCK is not set", fix: `start one (\`eval "$(ssh-agent)"\`), ${add}` };
    if (listStatus === 1) return { found: `the SSH agent at ${socket} holds no key`, fix: add };
    if (listStatus !== 0) return { found: `the SSH agent at ${socket} does not answer`, fix: `point SSH_AUTH_SOCK at a running agent, ${add}` };
    return undefined;
}

/**
 * The script preflight runs on `host`: preflight.sh with its settings, then each component's fragment in
 * a subshell with its own (after a sudo that asks for a password preflight.sh has ended the script).
 */
export function preflightScript(host: ClusterHost, config: ClusterConfig, layout: ClusterPlan): string {
    const fragments = (layout.preflight[host.name] ?? []).map(({ script, settings }) => subshellFragment(script, settings));
    return [`PORTS='${portsFor(host, layout).join(" ")}'\nMIN_VAR_MB=${config.preflight.minVarMb}\nCGROUP_V2=${config.preflight.cgroupV2}` +
        (host.sudoPassword === undefined ? "" : "\nSUDO_PASSWORD_SETTING=sudoPassword"),
        probeScript, ...fragments].join("\n");
}

/** Checks every host of the stack: the report of what failed (undefined: nothing), and the warnings. */
export function preflight(config: ClusterConfig, layout: ClusterPlan, knownHostsFile: string): { failures?: string; warnings: string[] } {
    // A host logs in with the agent's keys when it has no key file, or its bastion has none.
    const needsAgent = (h: ClusterHost) => h.privateKeyFile === undefined || (h.bastion !== undefined && h.bastion.privateKeyFile === undefined);
    const viaAgent = config.hosts.filter(needsAgent);
    const socket = process.env.SSH_AUTH_SOCK;
    const agent = viaAgent.length === 0 ? undefined
        : agentProblem(socket, socket ? spawnSync("ssh-add", ["-l"], { stdio: "ignore", timeout: 10_000 }).status : null);
    // The bastions first, each on its own: a host behind one that fails is not dialled, the bastion's problem is its.
    const bastions = distinctBastions(config.hosts).filter((b) => !(agent && b.privateKeyFile === undefined));
    const failedBastions = new Map((bastions.length === 0 ? [] : probeHosts(bastions, knownHostsFile, () => "true\n")).flatMap((result) => {
        const found = bastionProblem(result);
        return found ? [[bastionId(result.host), found] as const] : [];
    }));
    const bastionProblems = config.hosts.flatMap((host) => {
        const found = host.bastion && failedBastions.get(bastionId(host.bastion));
        return found ? [{ host, check: "bastion", ...found }] : [];
    });
    // Hosts the agent cannot log in to are not dialled either: the agent's problem is theirs.
    const probed = config.hosts.filter((h) => !(agent && needsAgent(h)) && !(h.bastion && failedBastions.has(bastionId(h.bastion))));
    const results = probeHosts(probed, knownHostsFile, (host) => preflightScript(host, config, layout));
    const agentProblems = agent ? viaAgent.map((host) => ({ host, check: "login", ...agent })) : [];
    return {
        failures: preflightReport([...bastionProblems, ...agentProblems, ...results.flatMap(problemsOf)], config.hosts.length),
        warnings: results.flatMap(warningsOf),
    };
}
