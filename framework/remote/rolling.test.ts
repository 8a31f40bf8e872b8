// The order of a roll: up the members and back down, the leader last whoever it is.
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { batched, chained, isRollScript, lastBatch, leaderLastVisits, versionAfterRoll, visitStepName } from "./rolling";

const valueOf = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

describe("leaderLastVisits", () => {
    it("goes up the members and back down: 2n - 1 visits, the last member's turn once", () => {
        expect(leaderLastVisits(["a", "b", "c"]).map(({ member, round }) => `${member} ${round}`))
            .toEqual(["a followers", "b followers", "c turn", "b leader", "a leader"]);
    });

    it("visits a lone member once, in its turn, and no member not at all", () => {
        expect(leaderLastVisits(["a"])).toEqual([{ member: "a", round: "turn" }]);
        expect(leaderLastVisits([])).toEqual([]);
    });

    it("names a visit's step after its member's, the turn without a suffix", () => {
        expect(["followers", "turn", "leader"].map((round) => visitStepName("zookeeper-h1-restart", round as "turn")))
            .toEqual(["zookeeper-h1-restart-followers", "zookeeper-h1-restart", "zookeeper-h1-restart-leader"]);
    });
});

describe("batched", () => {
    // Each step is its item; what each waited for is noted aside.
    const steps = (items: string[], size: number) => {
        const waits: { item: string; after: string[] }[] = [];
        batched(["after"], items, size, (item, dependsOn) => (waits.push({ item, after: dependsOn }), item));
        return waits;
    };

    it("waits for the whole batch before its own, the first batch for what the roll follows", () => {
        expect(steps(["a", "b", "c", "d", "e"], 2)).toEqual([
            { item: "a", after: ["after"] }, { item: "b", after: ["after"] },
            { item: "c", after: ["a", "b"] }, { item: "d", after: ["a", "b"] },
            { item: "e", after: ["c", "d"] },
        ]);
    });

    it("is a chain in batches of one, and one batch when the size covers every item", () => {
        expect(steps(["a", "b", "c"], 1).map((s) => s.after)).toEqual([["after"], ["a"], ["b"]]);
        expect(chained(["after"], ["a", "b"], (item, dependsOn) => `${item}<${dependsOn.join(",")}`)).toEqual(["a<after", "b<a<after"]);
        expect(steps(["a", "b", "c"], 5).map((s) => s.after)).toEqual([["after"], ["after"], ["after"]]);
    });

    it("ends with its last batch, whole or not", () => {
        expect(lastBatch(["a", "b", "c", "d", "e"], 2)).toEqual(["e"]);
        expect(lastBatch(["a", "b", "c", "d"], 2)).toEqual(["c", "d"]);
        expect(lastBatch(["a", "b"], 1)).toEqual(["b"]);
        expect(lastBatch([], 3)).toEqual([]);
    });
});

describe("isRollScript", () => {
    it("tells a roll's scripts (they restart services) from the others by their names", () => {
        expect(["mesos-master-roll.sh", "mesos-agent-roll.sh", "docker-roll.sh", "zookeeper-restart.sh"].every(isRollScript)).toBe(true);
        expect(["mesos-daemon.sh", "docker-install.sh", "zookeeper-configure.sh", "roll.sh.bak"].some(isRollScript)).toBe(false);
    });
});

describe("versionAfterRoll", () => {
    it("takes the last version a visit installed, else what the service's step found", async () => {
        const found = pulumi.output("1.0");
        expect(await valueOf(versionAfterRoll(found, [pulumi.output(""), pulumi.output("restarted following\nversion 1.1")]))).toBe("1.1");
        expect(await valueOf(versionAfterRoll(found, [pulumi.output("restarted following\nversion 1.1"), pulumi.output("restarted agent a -> a\nversion 1.2")]))).toBe("1.2");
        expect(await valueOf(versionAfterRoll(found, [pulumi.output(""), pulumi.output("master 10.0.0.1:5050 leads: it restarts after the other masters")]))).toBe("1.0");
    });
});
