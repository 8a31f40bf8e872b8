// npm run forget-host -- STACK HOST [--force]: takes a host that is gone for good out of the stack's
// state, so that the next `pulumi up` (with the host dropped from the config) dials nothing on it and
// undoes from the remaining hosts what it took part in. Its steps are forgotten, not undone: there is
// nothing left to undo them on. A host that still answers is refused (drop it from the config instead,
// and `pulumi up` undoes its steps on it); --force forgets it anyway.
import * as net from "node:net";
import * as path from "node:path";
import { ExportedState, importState, projectDir, pulumi, resourceName, runMain, UsageError } from "../liveStack";
import { Deployment, dialled, resourcesOnHost, withoutResources } from "./forget";

const usage = "usage: npm run forget-host -- STACK HOST [--force]";

/** Whether anything accepts a TCP connection at address:port within 5 s. */
function answers(address: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect({ host: address, port, timeout: 5000 });
        const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
        socket.once("connect", () => done(true));
        socket.once("timeout", () => done(false));
        socket.once("error", () => done(false));
    });
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

    if (!force && await answers(address, (revealed.resources ?? []).map(dialled).find((d) => d?.address === address)?.port ?? 22)) {
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
