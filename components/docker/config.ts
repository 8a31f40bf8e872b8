// `twister2-cluster:docker`: where each host's Docker Engine comes from (the distribution's docker.io, or
// docker-ce from Docker's apt repository or a mirror of it), and its daemon.json.
import { z } from "zod";
import { oneOf, quotedMatching, text } from "../../framework/config/settings";
import { AptRepository, PackageNeed, packageVersion, pinnedPackage } from "../../framework/packages/packages";
/** `docker-ce` from Docker's apt repository (real clusters) or the distribution's `docker.io`. */
const dockerSources = ["docker-ce", "docker.io"] as const;
export type DockerSource = (typeof dockerSources)[number];

/** Characters of a URL or suite, or the placeholders each host fills in from its /etc/os-release. */
const withPlaceholders = (characters: string) => `(?:[${characters}]|\\{ID\\}|\\{VERSION_CODENAME\\})`;
const placeholdersNote = "({ID} and {VERSION_CODENAME} are the only placeholders)";

/** Docker's signing key, where Docker publishes it for each distribution. */
export const dockerKeyUrl = "https://download.docker.com/linux/{ID}/gpg";

const repositorySettings = z.strictObject({
    url: quotedMatching(new RegExp(`^https?://${withPlaceholders("^\\s'\"{}")}+$`), `is not an http(s) URL of an apt repository ${placeholdersNote}`)
        .default("https://download.docker.com/linux/{ID}")
        .describe("The repository's URL: Docker's by default, or a mirror of it (Artifactory, Nexus, an offline copy); {ID} is each host's distribution (debian, ubuntu)"),
    distribution: quotedMatching(new RegExp(`^${withPlaceholders("a-z0-9._/-")}+$`), `is not an apt suite name (e.g. bookworm) ${placeholdersNote}`)
        .default("{VERSION_CODENAME}")
        .describe("The repository's suite; {VERSION_CODENAME} is each host's release (bookworm, trixie)"),
    component: quotedMatching(/^[a-z0-9][a-z0-9._-]*$/, "is not an apt component (e.g. stable)").default("stable")
        .describe("The repository's component"),
    keyFile: text().optional()
        .describe("The repository's ASCII-armored signing key, a file on this machine (or keyUrl)"),
    keyUrl: quotedMatching(new RegExp(`^https://${withPlaceholders("^\\s'\"{}")}+$`), `is not an https URL ${placeholdersNote}`).optional()
        .describe(`Where each host downloads the signing key, over https; without keyFile or keyUrl: ${dockerKeyUrl}`),
});

export const dockerSettings = z.strictObject({
    source: oneOf(dockerSources, (value) => `'${String(value)}' is not a Docker source; ` +
        "use docker-ce (Docker's apt repository) or docker.io (the distribution's package)")
        .default("docker-ce")
        .describe("docker-ce: Docker's apt repository (docker.repository); docker.io: the distribution's package"),
    repository: repositorySettings.prefault({})
        .describe("The apt repository docker-ce, docker-ce-cli and containerd.io come from (source docker-ce): deb <url> <distribution> <component>"),
    daemonJson: z.record(z.string(), z.unknown())
        .default({ "log-driver": "json-file", "log-opts": { "max-size": "10m", "max-file": "3" } })
        .describe("The contents of /etc/docker/daemon.json"),
    version: packageVersion("5:27.3.1-1~debian.12~bookworm").optional()
        .describe("The engine's package version every Docker host runs: docker-ce's and docker-ce-cli's (source docker-ce), or docker.io's (apt-cache madison docker-ce); or one per Debian release ({ bookworm: ..., trixie: ... }). " +
            "A change upgrades (or downgrades) the engines in the engines' roll, one host at a time, drained first. Left out, each host runs what its package sources offered when it was set up"),
});
export type DockerSettings = z.output<typeof dockerSettings>;

/** `twister2-cluster:docker` as the hosts take it: the repository with its key, read from keyFile or downloaded from keyUrl. */
export type DockerConfig = Omit<DockerSettings, "repository"> & { repository: Omit<AptRepository, "name"> };

/**
 * What a Docker host's packages step installs: the distribution's engine, or Docker's three packages
 * from the repository, the engine's and its CLI's pinned to `version` when there is one (containerd.io
 * has versions of its own). Nothing where a dockerd not installed by this program is found.
 */
export const dockerPackages = ({ source, repository, version }: DockerConfig): PackageNeed => {
    const pinned = (name: string) => pinnedPackage(name, version);
    return source === "docker.io"
        ? { thing: "docker", packages: [pinned("docker.io")], unlessCommand: "dockerd" }
        : { thing: "docker", packages: [pinned("docker-ce"), pinned("docker-ce-cli"), "containerd.io"], unlessCommand: "dockerd", repository: { name: "docker", ...repository } };
};
