// The stack's configuration (Pulumi.<stack>.yaml), typed and checked before any resource exists. Every
// problem is reported at once, each naming its setting and the fix: schema.ts parses each setting (with
// the components' schemas, components/<component>/config.ts), load.ts reads the files they name, rules.ts
// compares them; then the parts are put together for the components.
import * as pulumi from "@pulumi/pulumi";
import type { DockerSettings } from "../../components/docker/config";
import type { MesosConfig } from "../../components/mesos/config";
import { nfsShareArgs, type NfsConfig } from "../../components/nfs/config";
import type { PreflightConfig } from "../preflight/config";
import type { Host } from "../remote/remote";
import type { OverlaySettings } from "../../components/swarm/config";
import { uploaderConfig, type UploaderConfig } from "../../components/uploader/config";
import type { WorkerImageConfig } from "../../components/worker-image/config";
import type { ZookeeperSettings } from "../../components/zookeeper/config";
import type { Role } from "./hosts";
import { ConfigFiles, readConfigFiles, readInventory, resolvePath } from "./load";
import { hostProblems, mesosProblems, nfsProblems, overlayProblems, roleProblems, uploaderProblems, workerImageProblems, zookeeperProblems } from "./rules";
import { parseSettings, ParsedSettings, RawConfig, stackSettings } from "./schema";
import { apartFrom, Problem, problemText, withoutNulls } from "./settings";

export { roles } from "./hosts";
export type { Role } from "./hosts";
export type { RawConfig } from "./schema";

export interface ClusterHost extends Host {
    roles: Role[];
}

export interface StackConfig {
    hosts: ClusterHost[];
    docker: DockerSettings;
    overlay: OverlaySettings;
    zookeeper: ZookeeperSettings;
    mesos: MesosConfig;
    /** Set when a host has the uploader role (exactly one may). */
    uploader?: UploaderConfig;
    /** Set when a host has the nfs-server role (exactly one may). */
    nfs?: NfsConfig;
    /** The Twister2 worker image built on the mesos-agent hosts. */
    workerImage: WorkerImageConfig;
    /** What `pulumi up` checks on every host before it changes any. */
    preflight: PreflightConfig;
    /** Not wrong, but worth the operator's attention (`pulumi up` shows them as warnings). */
    warnings: string[];
}

export class ConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(`the stack configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
}

/** Reads `twister2-cluster:*` from the current stack (a key that is no setting is reported as one). */
export function loadStackConfig(projectDir: string): StackConfig {
    const config = new pulumi.Config();
    const prefix = `${config.name}:`;
    const keys = Object.keys(pulumi.runtime.allConfig()).filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
    const structured = (key: string) => key !== "hostsFile" && key in stackSettings.shape;
    return parseStackConfig(Object.fromEntries(keys.map((key) => [key, structured(key) ? config.getObject(key) : config.get(key)])), projectDir);
}

/** What `pulumi config --json` prints for each key: its text, and a structured value parsed beside it. */
export type CliConfigEntry = { value?: string; objectValue?: unknown };

/**
 * The program's raw config from `pulumi config --json` (the CLI's or the Automation API's): the keys of
 * `project`'s namespace without the `<project>:` prefix, each as `new pulumi.Config()` gives it.
 */
export function rawConfigFromCli(entries: Record<string, CliConfigEntry>, project: string): RawConfig {
    const prefix = `${project}:`;
    return Object.fromEntries(Object.entries(entries)
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, entry]) => [key.slice(prefix.length), entry.objectValue ?? entry.value]));
}

/** Checks a raw config (reading the files it names) and returns the typed one, or throws ConfigError listing every problem. */
export function parseStackConfig(given: RawConfig, projectDir: string): StackConfig {
    const raw = withoutNulls(given) as Record<string, unknown>;
    const inventory = typeof raw.hostsFile === "string" ? readInventory(raw.hostsFile, projectDir) : undefined;
    const settings = parseSettings(raw, inventory);
    const files = readConfigFiles(settings, projectDir);
    const { problems, warnings } = crossChecks(settings, files);
    const reported = [...settings.problems, ...apartFrom(settings.problems, problems)];
    if (reported.length > 0) throw new ConfigError(reported.map(problemText));
    return stackConfig(settings, files, projectDir, warnings);
}

function crossChecks(settings: ParsedSettings, files: ConfigFiles): { problems: Problem[]; warnings: string[] } {
    const { hosts, hostsKnown } = settings;
    const roles = roleProblems(settings.roles, hosts, hostsKnown);
    const problems = [
        ...hostProblems(hosts, files.privateKeys),
        ...roles.problems,
        ...overlayProblems(settings.overlay, hosts),
        ...zookeeperProblems(settings.zookeeper, hosts, hostsKnown),
        ...mesosProblems(settings.mesos, hosts, files.signingKey),
        ...settings.uploader && files.uploader ? uploaderProblems(settings.uploader, files.uploader) : [],
        ...nfsProblems(settings.nfs, hosts, hostsKnown),
        ...workerImageProblems(settings.workerImage),
    ];
    return { problems, warnings: roles.warnings };
}

/** The config the components take, from settings without a problem. */
function stackConfig(settings: ParsedSettings, files: ConfigFiles, projectDir: string, warnings: string[]): StackConfig {
    const hosts = settings.hosts.flatMap(({ complete, roles }): ClusterHost[] => {
        if (!complete) return [];
        const { name, address, user, port, privateKeyFile, hostKey } = complete;
        return [{ name, address, user, port, ...privateKeyFile === undefined ? {} : { privateKeyFile: resolvePath(privateKeyFile, projectDir) }, hostKey, roles }];
    });
    const { keyFile: _, ...repository } = settings.mesos.repository;
    const signingKey = files.signingKey && "text" in files.signingKey ? files.signingKey.text : "";
    return {
        // A host without roles (an inventory lists more hosts than the stack uses, or one is being retired)
        // gets no step, and neither preflight nor npm run check contacts it.
        hosts: hosts.filter((h) => h.roles.length > 0),
        docker: settings.docker,
        overlay: settings.overlay,
        zookeeper: settings.zookeeper,
        mesos: { ...settings.mesos, repository: { ...repository, key: signingKey } },
        uploader: settings.uploader && files.uploader && uploaderConfig(settings.uploader, files.uploader),
        nfs: nfsShareArgs(settings.nfs, hosts),
        workerImage: settings.workerImage,
        preflight: settings.preflight,
        warnings,
    };
}
