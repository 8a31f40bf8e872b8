// npm run recover -- STACK: settles what a killed `pulumi up` or `destroy` left in STACK's state, so that
// the next run converges: a file backend's attributes of the state cut short; its lock, when the process
// that held it no longer runs; its pending creates and its undos cut short (recover.ts says what becomes
// of each); and the steps an earlier version of this program declared whose undo must not run now.
import * as os from "node:os";
import * as path from "node:path";
import { ExportedState, importState, loadLiveStack, projectDir, pulumi, resourceName, runMain, ssh, UsageError } from "../liveStack";
import { Deployment, withoutResources } from "../forget-host/forget";
import { clearPendingOperations, interruptedUndos, pendingNetworks, removeLeftoverNetwork, retiredSteps } from "./recover";
import { removeBrokenAttributes, stackLocks } from "./locks";

const usage = "usage: npm run recover -- STACK";

async function main(): Promise<number> {
    const args = process.argv.slice(2).filter((a) => a !== "--");
    if (args.length !== 1 || args[0].startsWith("-")) throw new UsageError(usage);
    const [stack] = args;
    for (const file of removeBrokenAttributes(process.env.PULUMI_BACKEND_URL ?? "", stack)) {
        console.error(`stack: ${stack}: removed ${file}, the empty attributes of the state that a run killed while saving it left (the state itself is whole)`);
    }
    await clearStaleLock(stack);
    retireSteps(stack);
    const deployment = (JSON.parse(pulumi(["stack", "export"], stack)) as { deployment: Deployment }).deployment;
    const creates = (deployment.pending_operations ?? []).filter((op) => op.type === "creating").length;
    const undos = interruptedUndos(deployment);
    if (creates === 0 && undos.length === 0) {
        console.log(`stack ${stack}: no pending creates and no undo cut short; nothing to recover`);
        return 0;
    }
    removeLeftoverNetworks(stack, deployment);
    pulumi(clearPendingOperations, stack);
    console.log(creates > 0 ? `stack ${stack}: cleared ${creates} pending creates; the next pulumi up runs those steps again`
        : `stack ${stack}: no pending creates`);
    if (undos.length > 0) {
        // After the refresh, which writes every resource's state anew.
        pulumi(["state", "taint", "--yes", ...undos], stack);
        const names = undos.map(resourceName).join(", ");
        console.log(`stack ${stack}: ${undos.length} steps were being undone when the run stopped (${names}); ` +
            "tainted: the next pulumi up undoes and runs each of them again, the next pulumi destroy undoes them");
    }
    return 0;
}

/**
 * A run that was killed (SIGKILL, this machine losing power) leaves its lock, and every later run stops on
 * "the stack is currently locked". Locks whose processes all ran on this machine and no longer run guard
 * nothing: `pulumi cancel` removes them. That is safe because the next `pulumi up` runs each interrupted
 * step again, and every host step is idempotent. A lock of a process that still runs, or of another
 * machine, is left alone, and named.
 */
async function clearStaleLock(stack: string): Promise<void> {
    const backend = process.env.PULUMI_BACKEND_URL ?? "";
    const locks = await stackLocks(backend, stack);
    if (locks === undefined) {
        console.error(`stack: the locks of a ${backend.split(":")[0]} backend are not read here; if a killed run left one, ` +
            `and no other run goes on, pulumi cancel --stack ${stack} removes it`);
        return;
    }
    if (locks.length === 0) return;
    const running = (pid: number) => {
        try {
            process.kill(pid, 0);
            return true;
        } catch (err) {
            return (err as NodeJS.ErrnoException).code === "EPERM";
        }
    };
    const live = locks.filter((lock) => lock.hostname !== os.hostname() || running(lock.pid));
    if (live.length > 0) {
        const holders = live.map((lock) => `${lock.username}@${lock.hostname} (pid ${lock.pid}, since ${lock.timestamp})`).join(", ");
        console.error(`stack: ${stack} is locked by ${holders}, which may still run; left alone`);
        return;
    }
    console.error(`stack: ${stack} was locked by pulumi process ${locks.map((lock) => lock.pid).join(", ")}, which no longer runs ` +
        "(interrupted); clearing its lock (pulumi cancel)");
    pulumi(["cancel", "--yes"], stack);
}

/** The retired steps leave the state without their undo. */
function retireSteps(stack: string): void {
    const exported = JSON.parse(pulumi(["stack", "export"], stack)) as ExportedState;
    const steps = retiredSteps(exported.deployment);
    if (steps.length === 0) return;
    const backup = importState(stack, exported, withoutResources(exported.deployment, steps.map((s) => s.urn)), "retire");
    console.log(`stack ${stack}: ${steps.length} steps of an earlier version of this program left the state without their undo:`);
    for (const { urn, now } of steps) console.log(`  ${resourceName(urn)}: ${now}`);
    console.log(`the state before: ${path.relative(projectDir, backup)}`);
}

/** The networks the killed run may have made on an engine without the state knowing: off the engine. */
function removeLeftoverNetworks(stack: string, deployment: Deployment): void {
    const networks = pendingNetworks(deployment);
    const hosts = networks.length > 0 ? loadLiveStack(stack).config.hosts : [];
    for (const network of networks) {
        const host = hosts.find((h) => h.address === network.address);
        if (!host) throw new UsageError(`network ${network.name} was being made through ${network.address}, which is not among the stack's hosts`);
        const removed = ssh(stack, host, removeLeftoverNetwork(network));
        if (removed.code !== 0) {
            throw new UsageError(`network ${network.name} on ${host.name} (${host.address}) is not in the state, and could not be removed: ` +
                `${removed.stderr || removed.stdout}; if something uses it, import it instead: ` +
                `pulumi import docker:index/network:Network ${resourceName(network.urn)} <its id> --stack ${stack}`);
        }
        const outcome = removed.stdout.trim();
        console.log(`${network.name} on ${host.name}: ${outcome === "removed" ? "the killed run had made it; removed, the next pulumi up makes it again"
            : outcome === "known" ? "the one the state has; kept" : "not made yet"}`);
    }
}

runMain("recover", main);
