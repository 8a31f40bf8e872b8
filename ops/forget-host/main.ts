// npm run forget-host -- STACK HOST [--force]: takes a host that is gone for good out of the stack's
// state, so that the next `pulumi up` (with the host dropped from the config) dials nothing on it and
// undoes from the remaining hosts what it took part in. Its steps are forgotten, not undone: there is
// nothing left to undo them on. A host that still answers is refused (drop it from the config instead,
// and `pulumi up` undoes its steps on it); --force forgets it anyway.
import { spawn } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import type { Bastion } from "../../framework/config/hosts";
import { opensshOptions } from "../../framework/remote/ssh";
import { ExportedState, importState, knownHostsOf, loadLiveStack, projectDir, pulumi, resourceName, runMain, UsageError } from "../liveStack";
import { Deployment, dialled, Endpoint, resourcesOnHost, withoutResources } from "./forget";

const usage = "usage: npm run forget-host -- STACK HOST [--force]";

/** Whether anything accepts a TCP connection at address:port from this machine within 5 s. */
function answers(address: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect({ host: address, port, timeout: 5000 });
        const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
        socket.once("connect", () => done(true));
        socket.once("timeout", () => done(false));
        socket.once("error", () => done(false));
    });
}

/**
 * Whether address:port accepts a connection from the bastion (an `ssh -W` through it, its key pinned as
 * every ssh of the program pins it): the host's sshd greets within 15 s. A bastion that cannot be used
 * is an error, not a host gone: nothing is forgotten on a guess.
 */
function answersThrough(bastion: Bastion, { address, port }: Endpoint, knownHostsFile: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
        const ssh = spawn("ssh", [...opensshOptions({ ...bastion, bastion: undefined }, knownHostsFile, bastion.privateKeyFile),
            "-p", String(bastion.port), "-W", `${address}:${port}`, `${bastion.user}@${bastion.address}`], { stdio: ["pipe", "pipe", "pipe"] });
        let stderr = "";
        const finish = (answered: boolean | Error) => {
            clearTimeout(timer);
            ssh.kill();
            if (answered instanceof Error) reject(answered); else resolve(answered);
        };
        const timer = setTimeout(() => finish(false), 15_000);
        ssh.stdout.once("data", () => finish(true));
        ssh.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        // The bastion could not open the connection (refused, no route): the host does not answer.
        ssh.once("exit", () => finish(/open failed/.test(stderr) ? false : new UsageError(`cannot tell whether ${address} still answers: ` +
            `the bastion ${bastion.address}:${bastion.port} said ${stderr.trim().split("\n").pop() || "nothing"}; fix the bastion (pulumi up's ` +
            `preflight names the cause), or run again with --force if the host is gone for good`)));
    });
}

/** Whether the host at `endpoint` answers, dialled as its steps dial it: through its bastion (`via`, found in the stack's config), or directly. */
async function hostAnswers(stack: string, endpoint: Endpoint & { via?: Endpoint }): Promise<boolean> {
    const { via } = endpoint;
    if (!via) return answers(endpoint.address, endpoint.port);
    const bastion = loadLiveStack(stack).config.hosts.flatMap((h) => h.bastion ?? []).find((b) => b.address === via.address && b.port === via.port);
    if (!bastion) {
        throw new UsageError(`cannot tell whether ${endpoint.address} still answers: its steps reach it through the bastion ` +
            `${via.address}:${via.port}, which the stack's config no longer names; run again with --force if the host is gone for good`);
    }
    return answersThrough(bastion, endpoint, knownHostsOf(stack));
}

async function main(): Promise<number> {
    const args = process.argv.slice(2).filter((a) => a !== "--");
    const force = args.includes("--force");
    const rest = args.filter((a) => a !== "--force");
    if (rest.length !== 2 || rest.some((a) => a.startsWith("-"))) throw new UsageError(usage);
    const [stack, hostName] = rest;

    const exported = JSON.parse(pulumi(["stack", "export"], stack)) as ExportedState;
    // The connections are secrets: shown only in this process's memory, to find which steps dial the host.
    const revealed = (JSON.parse(pulumi(["stack", "export", "--show-secrets"], stack)) as { deployment: Deployment }).deployment;
    const stackOutputs = revealed.resources?.find((r) => r.type === "pulumi:pulumi:Stack")?.outputs as
        { hosts?: { name: string; address: string }[] } | undefined;
    const address = stackOutputs?.hosts?.find((h) => h.name === hostName)?.address;
    if (!address) {
        const known = stackOutputs?.hosts?.map((h) => h.name).join(", ") || "none";
        throw new UsageError(`stack ${stack} has no host named ${hostName} in its last deployment (its hosts: ${known})`);
    }

    // (A Docker provider's ssh:// host names no bastion; a step's connection does.)
    const dials = (revealed.resources ?? []).map(dialled).filter((d) => d?.address === address);
    const endpoint = dials.find((d) => d?.via) ?? dials[0] ?? { address, port: 22 };
    if (!force && await hostAnswers(stack, endpoint)) {
        throw new UsageError(`${hostName} (${address}) still answers on its SSH port: it is not gone. Drop it from the ` +
            `config and run pulumi up, which undoes its steps on it; or, if it is gone for good and the address is ` +
            `someone else's now, run again with --force`);
    }

    const forgotten = resourcesOnHost(revealed, address);
    if (forgotten.length === 0) {
        console.log(`stack ${stack}: nothing acts on ${hostName} (${address}); the state is unchanged`);
        return 0;
    }
    const backup = importState(stack, exported, withoutResources(exported.deployment, forgotten), `forget-${hostName}`);

    console.log(`stack ${stack}: forgot the ${forgotten.length} resources that act on ${hostName} (${address}):`);
    for (const urn of forgotten) console.log(`  ${resourceName(urn)}`);
    console.log(`the state before: ${path.relative(projectDir, backup)}\n` +
        `next: drop ${hostName} from the config (its roles, and its zookeeper.serverIds entry), then pulumi up --stack ${stack}: ` +
        `the remaining hosts remove it from the swarm, the NFS export and the ZooKeeper ensemble, and nothing dials ${hostName}`);
    return 0;
}

runMain("forget-host", main);
