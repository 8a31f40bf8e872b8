// The order of a roll: up the members and back down, the leader last whoever it is.
import { describe, expect, it } from "vitest";
import { leaderLastVisits, visitStepName } from "./rolling";

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
