// The order of a roll whose members elect a leader (ZooKeeper's servers, Mesos's masters): restarting the
// leader last elects a new one once, where restarting in a fixed order could elect one at every visit.
// Which member leads is known on the hosts only when the roll gets there, so the chain of steps is fixed
// and each visit's script decides by its round.
import * as pulumi from "@pulumi/pulumi";

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
 * What makes a roll step run again: the line "restart-pending <time> ..." its service's step prints when it
 * marked a running service for the roll (new each time), taken as one of the roll step's settings; "" when none.
 */
export const restartPendingLine = (step: { stdout: pulumi.Output<string> }): pulumi.Output<string> =>
    step.stdout.apply((out) => /^restart-pending .*$/m.exec(out)?.[0] ?? "");

/** Steps one after another: each `make`s with the step before it to wait for (the first with `after`). Returns them in order. */
export function chained<T, R extends pulumi.Resource>(after: pulumi.Resource[], items: readonly T[], make: (item: T, dependsOn: pulumi.Resource[], index: number) => R): R[] {
    const steps: R[] = [];
    items.forEach((item, i) => steps.push(make(item, i === 0 ? after : [steps[i - 1]], i)));
    return steps;
}
