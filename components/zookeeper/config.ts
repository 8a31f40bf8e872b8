// `twister2-cluster:zookeeper`: the servers' ids and the ensemble's timing (ZookeeperEnsemble).
import { z } from "zod";
import { number } from "../../framework/config/settings";
import { PackageNeed, PackagePin, pinnedPackage, packageVersion } from "../../framework/packages/packages";

/** What a ZooKeeper host whose id is missing or wrong is told. */
export const serverIdFix = (name: string) =>
    `give ZooKeeper server ${name} an id from 1 to 255 (ids stay with their hosts; never reuse one for another host)`;

const positiveWholeNumber = () => number((value) => `${String(value)} is not a positive whole number`).int().min(1);

export const zookeeperSettings = z.strictObject({
    // A wrong id is told the host's name: the key it is under.
    serverIds: z.record(z.string(), z.number({
        error: (issue) => typeof issue.input === "number" ? serverIdFix(String(issue.path?.at(-1))) : undefined,
    }).int().min(1).max(255))
        .default({})
        .describe("Each zookeeper host's server id (myid), 1-255, by host name; an id stays with its host"),
    tickTime: positiveWholeNumber().default(2000).describe("ZooKeeper's tickTime, in milliseconds"),
    initLimit: positiveWholeNumber().default(10).describe("Ticks a follower may take to connect and sync to the leader"),
    syncLimit: positiveWholeNumber().default(5).describe("Ticks a follower may fall behind the leader"),
    version: packageVersion("3.8.0-11+deb12u2").optional()
        .describe("The zookeeperd package version every server runs (apt-cache madison zookeeperd), or one per Debian release ({ bookworm: ..., trixie: ... }); a change upgrades (or downgrades) the servers one at a time in the rolling restart, the leader last. " +
            "Left out, each host runs what its package sources offered when it was set up"),
});
export type ZookeeperSettings = z.output<typeof zookeeperSettings>;

/**
 * What a ZooKeeper server's host installs: Debian's zookeeperd, and nc for the `srvr` checks. Pinned, the
 * packages that require each other's exact version (zookeeperd, zookeeper, libzookeeper-java) are pinned together.
 */
export const zookeeperPackages = (version: PackagePin | undefined): PackageNeed => ({
    thing: "zookeeper",
    packages: [...version === undefined ? ["zookeeperd"] : ["zookeeperd", "zookeeper", "libzookeeper-java"].map((name) => pinnedPackage(name, version)), "netcat-openbsd"],
});
