// The worker image's contract: `twister2-cluster:workerImage`, built on every Mesos agent.
import * as path from "node:path";
import { factOf, LiveContract } from "../../framework/check/contract";
import type { ClusterHost } from "../../framework/config/hosts";
import { problem, withRole } from "../../framework/config/rules";
import { hostScriptsIn } from "../../framework/remote/hostScripts";
import { defineComponent } from "../../framework/component";
import { deployedOutputs } from "../outputs";
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

/** npm run check: every agent holds the image the stack built (its probe is read only, so not in the hosts' bundle). */
const live: LiveContract<WorkerImageSettings, WorkerImageLayout> = {
    probe: {
        script: hostScriptsIn(path.join(__dirname, "host"), { probe: "worker-image-probe.sh" }).probe,
        settings: (host, { layout, outputs }) => {
            const image = deployedOutputs(outputs).workerImage?.image;
            return image && layout.hosts.includes(host) ? { IMAGE: image } : undefined;
        },
    },
    check: ({ layout, outputs, facts }) => {
        const built = deployedOutputs(outputs).workerImage;
        return !built ? [] : layout.hosts.flatMap((host) => {
            const got = facts(host);
            if (!got) return [];
            const [id, expected] = [factOf(got, "image"), built.imageIds[host.name]];
            return [{
                host: host.name, component: "worker image", check: built.image, ok: id === expected,
                detail: id === expected ? id.slice(0, 19) : `${id === "absent" ? "missing" : id.slice(0, 19)}, expected ${expected?.slice(0, 19)}`,
                repair: { replace: [`worker-image-${host.name}`] },
            }];
        });
    },
};

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
    live,
});
