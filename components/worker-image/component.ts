// The worker image's contract: `twister2-cluster:workerImage`, built on every Mesos agent.
import * as path from "node:path";
import type { ClusterHost } from "../../framework/config/hosts";
import { problem, withRole } from "../../framework/config/rules";
import { hostScriptsIn } from "../../framework/remote/hostScripts";
import { defineComponent } from "../../framework/component";
import { workerImageSettings, WorkerImageSettings } from "./config";

export interface WorkerImageLayout {
    /** Where the image is built: every Mesos agent (there is no registry). */
    hosts: ClusterHost[];
}

/** The scripts its steps run on the hosts (host/). */
export const workerImageScripts = hostScriptsIn(path.join(__dirname, "host"), {
    build: "worker-image-build.sh",
    remove: "worker-image-remove.sh",
});

export const workerImage = defineComponent<"workerImage", WorkerImageSettings, undefined, WorkerImageSettings, WorkerImageLayout>({
    id: "workerImage",
    scripts: workerImageScripts,
    settings: { key: "workerImage", schema: workerImageSettings.prefault({}), description: "Twister2's worker image, built on every mesos-agent host" },
    // An image imported from baseImageUrl gets a name:tag, never a digest.
    check: ({ baseImage, baseImageUrl }) => baseImageUrl && baseImage.includes("@")
        ? [problem("workerImage.baseImage", `${baseImage} has a digest, and an imported image cannot; give a name:tag such as debian:bookworm to import baseImageUrl as`)]
        : [],
    layout: (_settings, hosts) => {
        const agents = withRole(hosts, "mesos-agent");
        return agents.length > 0 ? { hosts: agents } : undefined;
    },
});
