// The Markdown summary of a preview, from a real `pulumi preview --json` of the lab (trimmed): the dev
// stack with h5 (swarm worker, Mesos agent) dropped from the config.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PreviewJson, renderPreview } from "../../scripts/previewMarkdown";

const dropWorker = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "preview-drop-worker.json"), "utf8")) as PreviewJson;

describe("preview:md", () => {
    it("lists exactly the dropped host's steps, with the hosts they run on and the scripts that undo them", () => {
        const markdown = renderPreview("dev", dropWorker);
        expect(markdown).toContain("7 to delete, 1 to update; 52 unchanged. Hosts touched: 10.77.0.11, 10.77.0.15.");
        const rows = markdown.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| component"));
        expect(rows).toEqual([
            "| (stack) |  | `docker-h5` | delete |",
            "| DockerHost `docker-h5` | 10.77.0.15 | `docker-h5-engine` | delete: undoes with `docker-uninstall.sh` |",
            "| MesosCluster `mesos` | 10.77.0.11 | `mesos-agents-registered` | update: runs `mesos-leader-url.sh` again |",
            "| MesosCluster `mesos` | 10.77.0.15 | `mesos-h5-agent` | delete: undoes with `mesos-daemon-stop.sh` |",
            "| MesosCluster `mesos` | 10.77.0.15 | `mesos-h5-package` | delete: undoes with `mesos-remove.sh` |",
            "| SwarmCluster `swarm` | 10.77.0.11 | `swarm-evict-h5` | delete: undoes with `swarm-evict.sh` |",
            "| SwarmCluster `swarm` | 10.77.0.15 | `swarm-join-h5` | delete: undoes with `swarm-leave.sh` |",
            "| Twister2WorkerImage `worker-image` | 10.77.0.15 | `worker-image-h5` | delete: undoes with `worker-image-remove.sh` |",
        ]);
    });

    it("says there is nothing to change on a converged stack", () => {
        const converged: PreviewJson = {
            changeSummary: { same: 60 },
            steps: (dropWorker.steps ?? []).map((step) => ({ ...step, op: "same" })),
        };
        expect(renderPreview("dev", converged)).toContain("Nothing to change: 60 resources are up to date.");
    });

    it("says which script a changed step runs again", () => {
        const step = dropWorker.steps!.find((s) => s.urn.endsWith("docker-h5-engine"))!;
        const update: PreviewJson = {
            changeSummary: { update: 1 },
            steps: [{ op: "update", urn: step.urn, oldState: step.oldState, newState: { ...step.oldState!, inputs: { ...step.oldState!.inputs, create: "sudo env ... '10.77.0.15/docker-install.sh'" } }, diffReasons: ["create"] }],
        };
        expect(renderPreview("dev", update)).toContain("| DockerHost `docker-h5` | 10.77.0.15 | `docker-h5-engine` | update: runs `docker-install.sh` again |");
    });
});
