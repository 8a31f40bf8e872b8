// The worker image's contract: `twister2-cluster:workerImage`, on every Mesos agent: built once on the
// registry's host and pulled, or, with no registry, built on each agent.
import * as path from "node:path";
import { factOf, LiveContract } from "../../framework/check/contract";
import type { ClusterHost } from "../../framework/config/hosts";
import { problem, withRole } from "../../framework/config/rules";
import { hostScriptsIn } from "../../framework/remote/hostScripts";
import { defineComponent } from "../../framework/component";
import { deployedOutputs } from "../outputs";
import { workerImageSettings, WorkerImageSettings } from "./config";

export interface WorkerImageLayout {
    /** Where the image runs: every Mesos agent (built there, or pulled from the registry's host, which builds it). */
    hosts: ClusterHost[];
}

/** The scripts its steps run on the hosts (host/). */
export const workerImageScripts = hostScriptsIn(path.join(__dirname, "host"), {
    build: "worker-image-build.sh",
    remove: "worker-image-remove.sh",
    pull: "worker-image-pull.sh",
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
    settings: { key: "workerImage", schema: workerImageSettings.prefault({}), description: "Twister2's worker image, built once on the registry host (else on every mesos-agent host)" },
    // An image imported from baseImageUrl gets a name:tag, never a digest.
    check: ({ baseImage, baseImageUrl }) => baseImageUrl && baseImage.includes("@")
        ? [problem("workerImage.baseImage", `${baseImage} has a digest, and an imported image cannot; give a name:tag such as debian:bookworm to import baseImageUrl as`)]
        : [],
    warn: (_settings, { withRole: having }) => having("mesos-agent").length > 1 && having("registry").length === 0
        ? [`workerImage: no host has the registry role, so each of the ${having("mesos-agent").length} Mesos agents builds its own worker image, ` +
            "and two builds can differ (a JRE patch); give one host the registry role to build it once and run it by digest everywhere"]
        : [],
    layout: (_settings, hosts) => {
        const agents = withRole(hosts, "mesos-agent");
        return agents.length > 0 ? { hosts: agents } : undefined;
    },
    live,
});
