// npm run recover -- STACK: settles what a killed `pulumi up` left in STACK's state, so that the next
// `pulumi up` converges: its pending creates (recover.ts says what becomes of each). scripts/recover.sh
// clears the stack's lock first, when the process that held it no longer runs.
import { loadLiveStack, pulumi, runMain, ssh, UsageError } from "../liveStack";
import type { Deployment } from "../forget-host/forget";
import { clearPendingCreates, pendingNetworks, removeLeftoverNetwork } from "./recover";

const usage = "usage: npm run recover -- STACK";

async function main(): Promise<number> {
    const args = process.argv.slice(2).filter((a) => a !== "--");
    if (args.length !== 1 || args[0].startsWith("-")) throw new UsageError(usage);
    const [stack] = args;
    const deployment = (JSON.parse(pulumi(["stack", "export"], stack)) as { deployment: Deployment }).deployment;
    const pending = (deployment.pending_operations ?? []).filter((op) => op.type === "creating");
    if (pending.length === 0) {
        console.log(`stack ${stack}: no pending creates; nothing to recover`);
        return 0;
    }
    const networks = pendingNetworks(deployment);
    const hosts = networks.length > 0 ? loadLiveStack(stack).config.hosts : [];
    for (const network of networks) {
        const host = hosts.find((h) => h.address === network.address);
        if (!host) throw new UsageError(`network ${network.name} was being made through ${network.address}, which is not among the stack's hosts`);
        const removed = ssh(stack, host, removeLeftoverNetwork(network));
        if (removed.code !== 0) {
            throw new UsageError(`network ${network.name} on ${host.name} (${host.address}) is not in the state, and could not be removed: ` +
                `${removed.stderr || removed.stdout}; if something uses it, import it instead: ` +
                `pulumi import docker:index/network:Network ${network.urn.slice(network.urn.lastIndexOf("::") + 2)} <its id> --stack ${stack}`);
        }
        const outcome = removed.stdout.trim();
        console.log(`${network.name} on ${host.name}: ${outcome === "removed" ? "the killed run had made it; removed, the next pulumi up makes it again"
            : outcome === "known" ? "the one the state has; kept" : "not made yet"}`);
    }
    pulumi(clearPendingCreates, stack);
    console.log(`stack ${stack}: cleared ${pending.length} pending creates; the next pulumi up runs those steps again`);
    return 0;
}

runMain("recover", main);
