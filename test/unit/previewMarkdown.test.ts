// The Markdown summary of a preview, from the engine events of a real preview of the lab through the
// Automation API (trimmed): the dev stack with h5 (swarm worker, Mesos agent) dropped from the config.
import * as fs from "node:fs";
import * as path from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { describe, expect, it } from "vitest";
import { previewOf } from "../../scripts/automation";
import { renderPreview } from "../../scripts/previewMarkdown";

const events = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "preview-drop-worker.json"), "utf8")) as EngineEvent[];
const dropWorker = previewOf(events);

describe("preview:md", () => {
    it("reads each resource's step once from the engine events, and the engine's summary", () => {
        expect(dropWorker.steps.map((s) => `${s.op} ${s.urn.split("::").pop()}`)).toEqual([
            "same twister2-cluster-dev",
            "update swarm-members",
            "delete worker-image-h5",
            "delete swarm-join-h5",
            "delete mesos-h5-agent",
            "delete docker-h5-engine",
            "delete host-setup-h5",
            "delete docker-h5",
            "delete host-setup-h5-copy",
        ]);
        expect(dropWorker.changeSummary).toEqual({ delete: 7, same: 44, update: 1 });
    });

    it("lists exactly the dropped host's steps, with the hosts they run on and the scripts that undo them", () => {
        const markdown = renderPreview("dev", dropWorker);
        expect(markdown).toContain("7 to delete, 1 to update; 44 unchanged. Hosts touched: 10.77.0.11, 10.77.0.15.");
        const rows = markdown.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| component"));
        expect(rows).toEqual([
            "| (stack) |  | `docker-h5` | delete |",
            "| (stack) |  | `host-setup-h5-copy` | delete |",
            "| (stack) | 10.77.0.15 | `host-setup-h5` | delete: undoes with `packages-remove.sh` then `host-scripts.sh` |",
            "| DockerHost `docker-h5` | 10.77.0.15 | `docker-h5-engine` | delete: undoes with `docker-uninstall.sh` |",
            "| MesosCluster `mesos` | 10.77.0.15 | `mesos-h5-agent` | delete: undoes with `mesos-daemon-stop.sh` |",
            "| SwarmCluster `swarm` | 10.77.0.11 | `swarm-members` | update: runs `swarm-members.sh` again |",
            "| SwarmCluster `swarm` | 10.77.0.15 | `swarm-join-h5` | delete: undoes with `swarm-leave.sh` |",
            "| Twister2WorkerImage `worker-image` | 10.77.0.15 | `worker-image-h5` | delete: undoes with `worker-image-remove.sh` |",
        ]);
    });

    it("says there is nothing to change on a converged stack", () => {
        const converged = {
            changeSummary: { same: 60 },
            steps: dropWorker.steps.map((step) => ({ ...step, op: "same" as const })),
        };
        expect(renderPreview("dev", converged)).toContain("Nothing to change: 60 resources are up to date.");
    });

    it("says which script a changed step runs again", () => {
        const step = dropWorker.steps.find((s) => s.urn.endsWith("docker-h5-engine"))!;
        const update = {
            changeSummary: { update: 1 },
            steps: [{
                op: "update" as const, urn: step.urn, type: step.type, old: step.old,
                new: { ...step.old!, inputs: { ...step.old!.inputs, create: "sudo env ... twister2-step 0123456789abcdef 10.77.0.15/docker-install.sh" } }, diffs: ["create"],
            }],
        };
        expect(renderPreview("dev", update)).toContain("| DockerHost `docker-h5` | 10.77.0.15 | `docker-h5-engine` | update: runs `docker-install.sh` again |");
    });

    it("names every script of a command that runs several, in order (a host's setup step)", () => {
        const step = dropWorker.steps.find((s) => s.urn.endsWith("docker-h5-engine"))!;
        const setup = {
            ...step.old!,
            parent: "urn:pulumi:dev::twister2-cluster::pulumi:pulumi:Stack::twister2-cluster-dev",
            inputs: {
                create: "sudo env BUNDLE_HASH=ab12 bash .twister2-cluster-host-scripts.sh 10.77.0.15/host-scripts.sh && " +
                    "sudo env PACKAGES='docker docker.io' twister2-step 0123456789abcdef 10.77.0.15/packages-install.sh",
                delete: "sudo twister2-step fedcba9876543210 10.77.0.15/packages-remove.sh && " +
                    "sudo bash .twister2-cluster-host-scripts.sh remove 10.77.0.15/host-scripts.sh",
            },
        };
        const urn = "urn:pulumi:dev::twister2-cluster::command:remote:Command::host-setup-h5";
        const markdown = renderPreview("dev", {
            changeSummary: { create: 1, delete: 1 },
            steps: [
                { op: "create" as const, urn, type: step.type, new: setup },
                { op: "delete" as const, urn, type: step.type, old: setup },
            ],
        });
        expect(markdown.split("\n").filter((line) => line.includes("`host-setup-h5`"))).toEqual([
            "| (stack) | 10.77.0.15 | `host-setup-h5` | create: runs `host-scripts.sh` then `packages-install.sh` |",
            "| (stack) | 10.77.0.15 | `host-setup-h5` | delete: undoes with `packages-remove.sh` then `host-scripts.sh` |",
        ]);
    });

    it("shows a replacement once, as its replace step: what undoes the old one and what makes the new one", () => {
        const step = dropWorker.steps.find((s) => s.urn.endsWith("swarm-join-h5"))!;
        const replacement = (op: "create-replacement" | "replace" | "delete-replaced") =>
            ({ op, urn: step.urn, type: step.type, old: step.old, new: step.old, diffs: ["triggers"] });
        const markdown = renderPreview("dev", {
            changeSummary: { replace: 1 },
            steps: [replacement("create-replacement"), replacement("replace"), replacement("delete-replaced")],
        });
        expect(markdown).toContain("1 to replace; 0 unchanged. Hosts touched: 10.77.0.15.");
        expect(markdown.split("\n").filter((line) => line.includes("`swarm-join-h5`"))).toEqual([
            "| SwarmCluster `swarm` | 10.77.0.15 | `swarm-join-h5` | replace: undoes with `swarm-leave.sh`, runs `swarm-join.sh` |",
        ]);
    });

    it("lists a roll's steps in the order the engine previews them (its order), each with its host, though their new command is not yet known", () => {
        const step = dropWorker.steps.find((s) => s.urn.endsWith("docker-h5-engine"))!;
        // A roll step's setting comes from its service's step, which runs again: in a preview the command is unknown.
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const rollStep = (name: string, address: string, script: string) => {
            const old = { ...step.old!, inputs: { create: `sudo env PENDING='' twister2-step 0123456789abcdef ${address}/${script}` } };
            return { op: "update" as const, urn: step.urn.replace("docker-h5-engine", name), type: step.type, diffs: ["create"], old, new: { ...old, inputs: { create: unknown } } };
        };
        const engine = { ...step, op: "update" as const, diffs: ["create"], new: { ...step.old!, inputs: { create: unknown } } };
        const markdown = renderPreview("dev", {
            changeSummary: { update: 5 },
            steps: [
                engine,
                rollStep("mesos-h5-agent-roll", "10.77.0.15", "mesos-agent-roll.sh"),
                rollStep("docker-h2-roll-followers", "10.77.0.12", "docker-roll.sh"),
                rollStep("docker-h1-roll", "10.77.0.11", "docker-roll.sh"),
                rollStep("docker-h2-roll-leader", "10.77.0.12", "docker-roll.sh"),
            ],
        });
        expect(markdown).toContain("| DockerHost `docker-h5` | 10.77.0.15 | `docker-h5-engine` | update: runs `docker-install.sh` again |");
        expect(markdown).toContain("| DockerHost `docker-h5` | 10.77.0.12 | `docker-h2-roll-followers` | update: runs `docker-roll.sh` again |");
        expect(markdown.split("\n").filter((line) => /^\d+\. /.test(line))).toEqual([
            "1. 10.77.0.15 `mesos-h5-agent-roll`",
            "2. 10.77.0.12 `docker-h2-roll-followers`",
            "3. 10.77.0.11 `docker-h1-roll`",
            "4. 10.77.0.12 `docker-h2-roll-leader`",
        ]);
        expect(renderPreview("dev", { changeSummary: { update: 1 }, steps: [engine] })).not.toContain("Restarts");
    });

    it("gives the policy pack's verdict when one ran: every rule kept, or each broken rule, blocking ones first", () => {
        const converged = { changeSummary: { same: 60 }, steps: [] };
        expect(renderPreview("dev", converged)).not.toContain("Policy pack");
        expect(renderPreview("dev", { ...converged, violations: [] })).toContain("Policy pack: every rule kept.");
        const markdown = renderPreview("dev", {
            ...converged,
            violations: [
                { rule: "encrypted-overlay", level: "advisory", message: "Overlay networks encrypt. Waived by this stack: lab\nthe overlay network mesos-overlay is not encrypted. To change: overlay.encrypted: true" },
                { rule: "host-firewall", level: "mandatory", message: "Every host gets the firewall\nno host firewall on 10.77.0.11. To change: access.firewall: true (the default)" },
            ],
        });
        expect(markdown.split("\n").filter((line) => line.startsWith("- ") || line.includes("Policy pack"))).toEqual([
            "**Policy pack: blocked.** Rules broken:",
            "- **blocks** `host-firewall`: no host firewall on 10.77.0.11. To change: access.firewall: true (the default)",
            "- advises `encrypted-overlay`: the overlay network mesos-overlay is not encrypted. To change: overlay.encrypted: true",
        ]);
    });
});
