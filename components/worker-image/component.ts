// The worker image's contract: `twister2-cluster:workerImage`, built on every Mesos agent.
import type { ClusterHost } from "../../framework/config/hosts";
import { problem } from "../../framework/config/rules";
import { defineComponent } from "../../framework/component";
import { workerImageSettings, WorkerImageSettings } from "./config";

export interface WorkerImageLayout {
    /** Where the image is built: every Mesos agent (there is no registry). */
    hosts: ClusterHost[];
}

export const workerImage = defineComponent<"workerImage", WorkerImageSettings, undefined, WorkerImageSettings, WorkerImageLayout>({
    id: "workerImage",
    settings: { key: "workerImage", schema: workerImageSettings.prefault({}), description: "Twister2's worker image, built on every mesos-agent host" },
    // An image imported from baseImageUrl gets a name:tag, never a digest.
    check: ({ baseImage, baseImageUrl }) => baseImageUrl && baseImage.includes("@")
        ? [problem("workerImage.baseImage", `${baseImage} has a digest, and an imported image cannot; give a name:tag such as debian:bookworm to import baseImageUrl as`)]
        : [],
    layout: (_settings, hosts) => {
        const agents = hosts.filter((h) => h.roles.includes("mesos-agent"));
        return agents.length > 0 ? { hosts: agents } : undefined;
    },
});
