// `twister2-cluster:docker`: where each host's Docker Engine comes from, and its daemon.json.
import { z } from "zod";
import { oneOf } from "../../framework/config/settings";
import type { PackageNeed } from "../../framework/packages/packages";
/** `docker-ce` from Docker's apt repository (real clusters) or the distribution's `docker.io`. */
const dockerSources = ["docker-ce", "docker.io"] as const;
export type DockerSource = (typeof dockerSources)[number];

export const dockerSettings = z.strictObject({
    source: oneOf(dockerSources, (value) => `'${String(value)}' is not a Docker source; ` +
        "use docker-ce (Docker's apt repository) or docker.io (the distribution's package)")
        .default("docker-ce")
        .describe("docker-ce: Docker's apt repository; docker.io: the distribution's package"),
    daemonJson: z.record(z.string(), z.unknown())
        .default({ "log-driver": "json-file", "log-opts": { "max-size": "10m", "max-file": "3" } })
        .describe("The contents of /etc/docker/daemon.json"),
});
export type DockerSettings = z.output<typeof dockerSettings>;

/**
 * What a Docker host's packages step installs: the distribution's engine, or for docker-ce what adding
 * Docker's repository takes (docker-install.sh adds it and installs the engine from it). Nothing where
 * a dockerd not installed by this program is found.
 */
export const dockerPackages = (source: DockerSource): PackageNeed => ({
    thing: "docker",
    packages: source === "docker.io" ? ["docker.io"] : ["ca-certificates", "curl", "gnupg"],
    unlessCommand: "dockerd",
});
