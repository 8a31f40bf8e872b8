// The uploader's contract: the uploader role, its port, `twister2-cluster:uploader` (checked only while
// a host has the role), the files it names and its checks against that host and the cluster's ports.
import * as path from "node:path";
import { factOf, LiveContext, LiveContract, LiveResult } from "../../framework/check/contract";
import type { ClusterHost } from "../../framework/config/hosts";
import { DrawingContract, neutral, Row } from "../../framework/diagram/contract";
import { notReadable, portProblems, problem } from "../../framework/config/rules";
import type { Problem } from "../../framework/config/settings";
import { publicKeyLines } from "../../framework/config/sshKeys";
import { hostScriptsIn } from "../../framework/remote/hostScripts";
import { defineComponent } from "../../framework/component";
import type { PolicyRule } from "../../framework/policy/rule";
import { deployedOutputs } from "../outputs";
import { defaultPort, defaultUser, UploaderConfig, uploaderConfig, UploaderFiles, uploaderPackages, uploaderSettings, UploaderSettings } from "./config";

/** The scripts its steps run on the hosts (host/). */
export const uploaderScripts = hostScriptsIn(path.join(__dirname, "host"), {
    server: "uploader-server.sh",
    serverRemove: "uploader-server-remove.sh",
    publish: "uploader-publish.sh",
    unpublish: "uploader-unpublish.sh",
});
/** The only command the upload account's keys run: not a step, a file the server step installs (host_file). */
export const uploadCommand = hostScriptsIn(path.join(__dirname, "host"), { command: "uploader-command.sh" }).command;

/** The HTTP status of `url`, or why there is none. */
async function status(url: string, method: "GET" | "HEAD", fetch: LiveContext<unknown, unknown>["fetch"]): Promise<number | string> {
    try {
        return (await fetch(url, { method, redirect: "manual" })).status;
    } catch (err) {
        return (err as Error).message;
    }
}

/**
 * npm run check: nginx runs, refuses a listing of the upload directory and serves the core package
 * (its probe is read only, so not in the hosts' bundle).
 */
const live: LiveContract<UploaderConfig, ClusterHost> = {
    probe: {
        script: hostScriptsIn(path.join(__dirname, "host"), { probe: "uploader-probe.sh" }).probe,
        settings: (host, { layout }) => host === layout ? {} : undefined,
    },
    check: async ({ layout: host, outputs, facts, fetch }) => {
        const results: LiveResult[] = [];
        const got = facts(host);
        if (got) {
            const nginx = factOf(got, "nginx");
            results.push({ host: host.name, check: "nginx running", ok: nginx === "active", detail: nginx, repair: { replace: ["uploader-server"] } });
        }
        const served = deployedOutputs(outputs).uploader;
        if (!served) return results;
        const listing = await status(served.url, "GET", fetch);
        results.push({ host: host.name, check: `GET ${served.url} refuses a listing`, ok: listing === 403 || listing === 404, detail: `HTTP ${listing}`, repair: { replace: ["uploader-server"] } });
        if (served.corePackageUrl) {
            const corePackage = await status(served.corePackageUrl, "HEAD", fetch);
            results.push({ host: host.name, check: "HEAD of the core package", ok: corePackage === 200, detail: `HTTP ${corePackage}`, repair: { replace: ["uploader-core-package"] } });
        }
        return results;
    },
};

/** npm run diagram: nginx on its host, with its port and path. */
const drawing: DrawingContract<UploaderConfig, ClusterHost> = ({ config, layout: host }) => ({
    services: [{ host, service: "uploader", lines: ["Uploader (nginx)", `:${config.port}${config.urlPath}`], color: neutral, row: Row.service }],
});

/** The policy pack's rule: the upload account is its own, and its keys run only the upload command. */
const policies: PolicyRule[] = [{
    name: "restricted-upload-account",
    description: "The upload account is neither root nor the SSH login, and its keys run only the upload command (rsync into the package directory)",
    fix: `uploader.user: an account of its own (the default, ${defaultUser})`,
    violations: (stack) => stack.running(uploaderScripts.server.name).flatMap((step) => [
        ...step.settings.UPLOAD_USER === "root" || step.settings.UPLOAD_USER === step.login ? [`the upload account on ${step.address} is ${step.settings.UPLOAD_USER}`] : [],
        ...step.settings.UPLOAD_COMMAND ? [] : [`the upload account's keys on ${step.address} are not held to the upload command`],
    ]),
}];

export const uploader = defineComponent<"uploader", UploaderSettings, UploaderFiles, UploaderConfig, ClusterHost>({
    id: "uploader",
    scripts: uploaderScripts,
    settings: { key: "uploader", schema: uploaderSettings, description: "Twister2's job packages, on the host with the uploader role" },
    settingsNeedRole: "uploader",
    roles: { uploader: { description: "the web server job packages are uploaded to and downloaded from", single: true } },
    readFiles: (settings, read) => ({
        publicKeyFiles: (settings.publicKeyFiles ?? []).map((file) => read.text(file)),
        corePackage: settings.corePackage === undefined ? undefined : read.sha256(settings.corePackage),
    }),
    check: (settings, { withRole, files, ports }) => {
        const problems: Problem[] = [];
        // The port is not the host's SSH port nor another service's; the account is not the host's login.
        const host = withRole("uploader")[0];
        problems.push(...portProblems("uploader.port", settings.port, defaultPort, "the uploader", host, ports));
        if (settings.user === host?.user) {
            problems.push(problem("uploader.user", `${settings.user} is the login this program uses on ${host.name}, and destroy removes the upload account; ` +
                `use a dedicated account such as ${defaultUser} (the default)`));
        }
        // Someone may upload: public keys, given or in the files, each of which holds keys.
        if (settings.publicKeys === undefined && settings.publicKeyFiles === undefined) {
            problems.push(problem("uploader.publicKeys", "list at least one SSH public key allowed to upload job packages " +
                "(or publicKeyFiles: paths of id_*.pub files)"));
        }
        files.publicKeyFiles.forEach((content, i) => {
            const where = `uploader.publicKeyFiles[${i}]`;
            if (!("text" in content)) {
                problems.push(problem(where, `${content.file} ${notReadable(settings.publicKeyFiles?.[i] ?? "")}`));
                return;
            }
            for (const line of publicKeyLines(content.text).filter((l) => l.problem)) {
                problems.push(problem(where, `line ${line.line} of ${content.file} ${line.problem}; give a public key file (id_*.pub)`));
            }
        });
        if (files.corePackage && !("sha256" in files.corePackage)) {
            problems.push(problem("uploader.corePackage", `${files.corePackage.file} ${notReadable("")}`));
        }
        return problems;
    },
    config: (settings, files) => uploaderConfig(settings, files),
    ports: (config) => ({
        uploader: [{ port: config.port, protocol: "tcp", description: "the uploader's web server", units: ["nginx"], clients: ["uploaders"] }],
    }),
    layout: (_config, hosts) => hosts.find((h) => h.roles.includes("uploader")),
    packages: (host, layout) => host === layout ? [uploaderPackages.web, uploaderPackages.account] : [],
    live,
    policies,
    drawing,
});
