// npm run recover -- STACK: settles what a killed `pulumi up` left in STACK's state, so that the next
// `pulumi up` converges: the pending creates (recover.ts says which are imported and which cleared). Run
// it after the stack's lock is cleared (scripts/recover.sh clears a stale one first).
import { spawnSync } from "node:child_process";
import { loadLiveStack, projectDir, runMain, ssh, UsageError } from "../liveStack";
import type { Deployment } from "../forget-host/forget";
import { pendingNetworks, refreshArguments } from "./recover";

const usage = "usage: npm run recover -- STACK";

function pulumi(args: string[], stack: string): string {
    const run = spawnSync("pulumi", [...args, "--stack", stack], { cwd: projectDir, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
    if (run.status !== 0) throw new UsageError(`pulumi ${args.join(" ")} --stack ${stack} failed: ${(run.stderr || String(run.error)).trim()}`);
    return run.stdout;
}

async function main(): Promise<number> {
    const args = process.argv.slice(2).filter((a) => a !== "--");
    if (args.length !== 1 || args[0].startsWith("-")) throw new UsageError(usage);
    const [stack] = args;
    const deployment = (JSON.parse(pulumi(["stack", "export"], stack)) as { deployment: Deployment }).deployment;
    const pending = deployment.pending_operations ?? [];
    if (pending.length === 0) {
        console.log(`stack ${stack}: no pending operations; nothing to recover`);
        return 0;
    }
    const networks = pendingNetworks(deployment);
    const hosts = networks.length > 0 ? loadLiveStack(stack).config.hosts : [];
    const found: { urn: string; id: string }[] = [];
    for (const network of networks) {
        const host = hosts.find((h) => h.address === network.address);
        if (!host) throw new UsageError(`network ${network.name} was being created through ${network.address}, which is not among the stack's hosts`);
        const inspect = ssh(stack, host, `docker network inspect --format '{{.Id}}' '${network.name}' 2>/dev/null || true`);
        if (inspect.code !== 0) throw new UsageError(`could not ask ${host.name} (${host.address}) for network ${network.name}: ${inspect.stderr}`);
        const id = inspect.stdout.trim();
        if (id) found.push({ urn: network.urn, id });
        console.log(`${network.name} on ${host.name}: ${id ? `exists (${id.slice(0, 12)}), imported` : "not created, cleared"}`);
    }
    pulumi(refreshArguments(found), stack);
    console.log(`stack ${stack}: ${pending.length} pending operations settled (${found.length} imported, the rest cleared: ` +
        `the next pulumi up runs those steps again)`);
    return 0;
}

runMain("recover", main);
