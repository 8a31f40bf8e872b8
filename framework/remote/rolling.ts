// The order of a roll whose members elect a leader (ZooKeeper's servers, Mesos's masters): restarting the
// leader last elects a new one once, where restarting in a fixed order could elect one at every visit.
// Which member leads is known on the hosts only when the roll gets there, so the chain of steps is fixed
// and each visit's script decides by its round.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { wholeNumber } from "../config/settings";

/** `twister2-cluster:rollout`: how a change that restarts a service on many hosts goes through them. */
export const rolloutSettings = z.strictObject({
    maxUnavailable: wholeNumber(1, 1000, (value) => `${String(value)} is not a whole number of hosts from 1 to 1000; the default is 1`)
        .default(1)
        .describe("How many hosts of a role a roll restarts side by side: Mesos agents and the engines of hosts that are not swarm managers. " +
            "ZooKeeper's servers, Mesos's masters and the swarm's managers restart one at a time whatever it says (each keeps its quorum, its leader last)"),
});
export type RolloutConfig = z.output<typeof rolloutSettings>;

/**
 * How a preview and a reader tell a roll's steps (they restart services) from the others: their host
 * scripts are named `<thing>-roll.sh` (or `-restart.sh`, ZooKeeper's, whose name is in deployed state).
 */
export const isRollScript = (script: string) => /-(roll|restart)\.sh$/.test(script);

/**
 * Which visit of a member's roll step: `followers` on the way up the members (a marked member restarts
 * unless it leads: it waits for the way back); `turn`, the last member, where the way turns (every other
 * follower has restarted by then, so it restarts whatever it is); `leader` on the way back down (what is
 * still marked is the member that led).
 */
export type RollRound = "followers" | "turn" | "leader";

/** The visits, up the members in their order and back down: 2n - 1 steps, each a no-op unless its member is marked. */
export function leaderLastVisits<T>(members: readonly T[]): { member: T; round: RollRound }[] {
    return [
        ...members.slice(0, -1).map((member) => ({ member, round: "followers" as const })),
        ...members.length > 0 ? [{ member: members[members.length - 1], round: "turn" as const }] : [],
        ...members.slice(0, -1).reverse().map((member) => ({ member, round: "leader" as const })),
    ];
}

/** A visit's step name, from its member's step name: `<name>` at the turn, `<name>-<round>` otherwise. */
export const visitStepName = (name: string, round: RollRound) => round === "turn" ? name : `${name}-${round}`;

/**
 * What makes a roll step run again, taken as one of its settings: its service step's command (hashed), so that a
 * visit runs whenever its service's step runs (only the host knows whether that step will mark its service; a
 * preview, which sees the command change, so names every visit that may restart), and the line "restart-pending
 * <time> ..." the service's step prints when it marked its running service (new each time).
 */
export const rollTrigger = (step: { create: pulumi.Output<string | undefined>; stdout: pulumi.Output<string> }): pulumi.Output<string> =>
    pulumi.all([step.create, step.stdout]).apply(([create, out]) =>
        [createHash("sha256").update(create ?? "").digest("hex").slice(0, 16), /^restart-pending .*$/m.exec(out)?.[0]].filter(Boolean).join(" "));

/**
 * Steps in batches of `size`, one batch after another: each step `make`s with the steps of the batch before
 * its own to wait for (the first batch with `after`), so that a batch's steps run side by side. Returns the
 * steps in order; what waits for the whole roll waits for the last `size` (the last batch).
 */
export function batched<T, D, R extends D>(after: D[], items: readonly T[], size: number,
    make: (item: T, dependsOn: D[], index: number) => R): R[] {
    const steps: R[] = [];
    items.forEach((item, i) => {
        const batchStart = i - (i % size);
        steps.push(make(item, batchStart === 0 ? after : steps.slice(Math.max(0, batchStart - size), batchStart), i));
    });
    return steps;
}

/** The last batch of `steps` made by batched(..., size, ...): what comes after the roll waits for. */
export const lastBatch = <R>(steps: readonly R[], size: number): R[] => steps.slice(steps.length === 0 ? 0 : steps.length - 1 - ((steps.length - 1) % size));

/** Steps one after another: each `make`s with the step before it to wait for (the first with `after`). Returns them in order. */
export const chained = <T, D, R extends D>(after: D[], items: readonly T[], make: (item: T, dependsOn: D[], index: number) => R): R[] =>
    batched(after, items, 1, make);

/**
 * A service's version on its host after a roll: the last `<key> <v>` line (`version <v>` by default) of its roll
 * visits (in roll order: each prints one when it restarted the service, after installing a pinned version), else
 * what its service's step found (its last line).
 */
export function versionAfterRoll(found: pulumi.Output<string>, visits: pulumi.Output<string>[], key = "version"): pulumi.Output<string> {
    const line = new RegExp(`^${key} (\\S+)$`, "m");
    return pulumi.all([found, ...visits]).apply(([first, ...visited]) =>
        visited.map((out) => line.exec(out)?.[1]).filter((v): v is string => v !== undefined).pop() ?? first);
}
