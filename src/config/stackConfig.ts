// The stack's configuration (Pulumi.<stack>.yaml), typed and validated before any resource exists.
// Every problem is reported at once, each naming its config path and the fix.
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DockerSource } from "../docker/dockerHost";
import { inCidr, isCidr, isHostAddress } from "./addresses";
import { NfsConfig, parseNfsConfig, RawNfsConfig } from "../nfs/nfsShare";
import { parsePreflightConfig, PreflightConfig, RawPreflightConfig } from "../preflight/preflight";
import { Host } from "../remote/remote";
import { parseUploaderConfig, RawUploaderConfig, UploaderConfig } from "../uploader/uploaderServer";
import { parseWorkerImageConfig, RawWorkerImageConfig, WorkerImageConfig } from "../worker-image/twister2WorkerImage";

export const roles = ["swarm-manager", "swarm-worker", "zookeeper", "mesos-master", "mesos-agent", "uploader", "nfs-server"] as const;
export type Role = (typeof roles)[number];

export interface ClusterHost extends Host {
    roles: Role[];
}

export interface StackConfig {
    hosts: ClusterHost[];
    docker: { source: DockerSource; daemonJson: Record<string, unknown> };
    overlay: { name: string; subnet?: string; encrypted: boolean };
    zookeeper: { serverIds: Record<string, number>; tickTime: number; initLimit: number; syncLimit: number };
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

/** Where Mesos comes from and how masters and agents are set up (src/mesos/mesosCluster.ts). */
export interface MesosConfig {
    repository: { url: string; distribution: string; component: string; package: string; key: string };
    cluster: string;
    agentFlagsDir: string;
    workDir: string;
    executorRegistrationTimeout: string;
    agentPrincipal: string;
    agentAttributes: Record<string, string>;
    agentResources?: string;
}

/** AVENTER's maintained Mesos 1.11 builds for Debian 12 (https://www.aventer.biz). */
export const aventerRepository = {
    url: "http://rpm.aventer.biz/Debian",
    distribution: "bookworm",
    component: "main",
    package: "aventer-mesos",
};

/** The raw shapes as they appear in Pulumi.<stack>.yaml. */
interface RawHost {
    name?: unknown; address?: unknown; user?: unknown; port?: unknown; privateKeyFile?: unknown; hostKey?: unknown;
}
export interface RawConfig {
    hostsFile?: string;
    hosts?: RawHost[];
    roles?: Record<string, unknown>;
    docker?: { source?: unknown; daemonJson?: unknown };
    overlay?: { name?: unknown; subnet?: unknown; encrypted?: unknown };
    zookeeper?: { serverIds?: Record<string, unknown>; tickTime?: unknown; initLimit?: unknown; syncLimit?: unknown };
    uploader?: RawUploaderConfig;
    nfs?: RawNfsConfig;
    workerImage?: RawWorkerImageConfig;
    preflight?: RawPreflightConfig;
    mesos?: {
        repository?: { url?: unknown; distribution?: unknown; component?: unknown; package?: unknown; keyFile?: unknown };
        cluster?: unknown; agentFlagsDir?: unknown; workDir?: unknown; executorRegistrationTimeout?: unknown;
        agentPrincipal?: unknown; agentAttributes?: unknown; agentResources?: unknown;
    };
}

/**
 * The YAML type of each setting. `scalar`: text, a number or true/false. A key not listed here is
 * checked by its own parser, with a message of its own (nfs.clients, uploader.publicKeys, ...).
 */
type Shape = "string" | "number" | "boolean" | "scalar" | "map" | { list: Shape } | { values: Shape } | { fields: Record<string, Shape> };
const text = "string" as const;
const hostShape: Shape = { fields: { name: text, address: text, user: text, port: "number", privateKeyFile: text, hostKey: text } };
const configShape: Record<keyof RawConfig, Shape> = {
    hostsFile: text,
    hosts: { list: hostShape },
    roles: { values: { list: text } },
    docker: { fields: { source: text, daemonJson: "map" } },
    overlay: { fields: { name: text, subnet: text, encrypted: "boolean" } },
    zookeeper: { fields: { serverIds: { values: "number" }, tickTime: "number", initLimit: "number", syncLimit: "number" } },
    mesos: { fields: {
        repository: { fields: { url: text, distribution: text, component: text, package: text, keyFile: text } },
        cluster: text, agentFlagsDir: text, workDir: text, executorRegistrationTimeout: text, agentPrincipal: text,
        agentAttributes: { values: "scalar" }, agentResources: text,
    } },
    uploader: { fields: { port: "number", directory: text, urlPath: text, user: text, publicKeyFiles: { list: text }, corePackage: text } },
    nfs: { fields: { implementation: text, path: text, mode: "scalar", mountOn: { list: text }, gracePeriod: "number" } },
    workerImage: { fields: { name: text, baseImageUrl: text, aptProxy: text } },
    preflight: { fields: { cgroupV2: "boolean", minVarMb: "number" } },
};

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const typeName = (shape: Shape): string => typeof shape === "string"
    ? { string: "text", number: "a number", boolean: "true or false", scalar: "text or a number", map: "a map" }[shape]
    : "list" in shape ? "a list" : "a map";
const describe = (v: unknown): string => Array.isArray(v) ? "a list" : isMap(v) ? "a map" : typeof v === "string" ? `'${v}'` : String(v);

/**
 * Checks `value` against `shape`, pushing a problem for each setting of the wrong type, and returns
 * it with those settings left out, so that the checks after it can trust every type they meet.
 */
function checkShape(value: unknown, shape: Shape, where: string, problems: string[]): unknown {
    if (value === undefined || value === null) return undefined;
    const fits = typeof shape === "string"
        ? shape === "map" ? isMap(value) : shape === "scalar" ? ["string", "number", "boolean"].includes(typeof value) : typeof value === shape
        : "list" in shape ? Array.isArray(value) : isMap(value);
    if (!fits || (typeof value === "number" && !Number.isFinite(value))) {
        problems.push(`${where}: give ${typeName(shape)} here, not ${describe(value)}`);
        return undefined;
    }
    if (typeof shape === "string") return value;
    if ("list" in shape) return (value as unknown[]).map((item, i) => checkShape(item, shape.list, `${where}[${i}]`, problems));
    const entries = Object.entries(value as Record<string, unknown>).map(([key, item]) => {
        const itemShape = "values" in shape ? shape.values : shape.fields[key];
        return [key, itemShape ? checkShape(item, itemShape, `${where}.${key}`, problems) : item];
    });
    return Object.fromEntries(entries.filter(([, item]) => item !== undefined));
}

export class ConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(`the stack configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
}

const defaultDaemonJson = { "log-driver": "json-file", "log-opts": { "max-size": "10m", "max-file": "3" } };
const hostKeyPattern = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+=*$/;

/** What is wrong with `file` as an SSH private key file, if anything. */
function privateKeyProblem(file: string): string | undefined {
    try {
        if (!fs.statSync(file).isFile()) return "is not a file; give the path of the SSH private key";
        const head = fs.readFileSync(file, "utf8").slice(0, 100);
        if (!/^-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(head)) {
            return "holds no private key (it should start with -----BEGIN OPENSSH PRIVATE KEY-----; the .pub file is the public half)";
        }
    } catch {
        return "does not exist or is not readable";
    }
    return undefined;
}

const expandHome = (file: string): string => (file.startsWith("~/") ? path.join(os.homedir(), file.slice(2)) : file);

/**
 * Swarm managers, ZooKeeper servers and Mesos masters work while a majority of them does. Two survive
 * no failure (worse than one); four survive one, as three do: fine while a dead host is being replaced,
 * not as a layout.
 */
function checkQuorumCount(role: Role, count: number, problems: string[], warnings: string[]): void {
    if (count === 2) {
        problems.push(`roles: 2 hosts are ${role}; use an odd number (1, 3, 5): the quorum is a majority of them, and 2 survive no failure`);
    } else if (count % 2 === 0 && count > 0) {
        warnings.push(`roles: ${count} hosts are ${role}: a majority of ${count} survives ${count / 2 - 1} failure(s), as ${count - 1} hosts do; ` +
            "add or remove one once the host being replaced is back");
    }
}

/** Reads `twister2-cluster:*` from the current stack. */
export function loadStackConfig(projectDir: string): StackConfig {
    const config = new pulumi.Config();
    return parseStackConfig({
        hostsFile: config.get("hostsFile"),
        hosts: config.getObject<RawHost[]>("hosts"),
        roles: config.getObject<Record<string, unknown>>("roles"),
        docker: config.getObject("docker"),
        overlay: config.getObject("overlay"),
        zookeeper: config.getObject("zookeeper"),
        mesos: config.getObject("mesos"),
        uploader: config.getObject("uploader"),
        nfs: config.getObject("nfs"),
        workerImage: config.getObject("workerImage"),
        preflight: config.getObject("preflight"),
    }, projectDir);
}

/** Pure: checks a raw config and returns the typed one, or throws ConfigError listing every problem. */
export function parseStackConfig(given: RawConfig, projectDir: string): StackConfig {
    const problems: string[] = [];
    const warnings: string[] = [];
    const raw = Object.fromEntries(Object.entries(given).map(([key, value]) =>
        [key, checkShape(value, configShape[key as keyof RawConfig] ?? "scalar", key, problems)])) as RawConfig;
    // A setting of the wrong type is left out above: what the checks below then say of it is no news.
    const mistyped = problems.map((p) => p.slice(0, p.indexOf(":")));
    const aboutMistyped = (problem: string) => mistyped.some((where) => problem.startsWith(`${where}:`) || problem.startsWith(`${where}.`));
    const rawHosts: { where: string; host: RawHost }[] = [];

    if (raw.hostsFile !== undefined) {
        const file = path.resolve(projectDir, expandHome(raw.hostsFile));
        try {
            const inventory = checkShape(JSON.parse(fs.readFileSync(file, "utf8")), { fields: { hosts: { list: hostShape } } },
                `hostsFile (${file})`, problems) as { hosts?: (RawHost | undefined)[] } | undefined;
            (inventory?.hosts ?? []).forEach((host, i) => host && rawHosts.push({ where: `hostsFile (${file}) hosts[${i}]`, host }));
        } catch (err) {
            problems.push(`hostsFile: cannot read ${file} (${(err as Error).message}); ` +
                `for the lab run \`npm run lab:up\`, or point hostsFile at an inventory JSON`);
        }
    }
    (raw.hosts ?? []).forEach((host, i) => host && rawHosts.push({ where: `hosts[${i}]`, host }));
    if (rawHosts.length === 0 && raw.hostsFile === undefined && given.hosts === undefined) {
        problems.push("hosts: no hosts configured; add `hosts` (name, address, user, privateKeyFile, hostKey) or `hostsFile`");
    }

    const hosts: ClusterHost[] = [];
    const seenNames = new Map<string, string>();
    const seenAddresses = new Map<string, string>();
    for (const { where, host } of rawHosts) {
        const name = typeof host.name === "string" ? host.name : "";
        if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
            problems.push(`${where}.name: '${String(host.name)}' is not a valid host name; use lower-case letters, digits and '-'`);
        } else if (seenNames.has(name)) {
            problems.push(`${where}.name: '${name}' is already used by ${seenNames.get(name)}; host names must be unique`);
        }
        seenNames.set(name, where);

        const address = typeof host.address === "string" ? host.address : "";
        if (!isHostAddress(address)) {
            problems.push(`${where}.address: '${String(host.address)}' is neither an IP address nor a DNS name`);
        } else if (seenAddresses.has(address)) {
            problems.push(`${where}.address: ${address} is also the address of ${seenAddresses.get(address)}; each host needs its own`);
        }
        seenAddresses.set(address, where);

        const user = typeof host.user === "string" ? host.user : "";
        if (!/^[a-z_][a-z0-9_-]*$/.test(user)) {
            problems.push(`${where}.user: set the SSH login (a user with passwordless sudo), got '${String(host.user)}'`);
        } else if (user === "root") {
            problems.push(`${where}.user: do not log in as root; use a user with passwordless sudo`);
        }

        const port = host.port === undefined ? 22 : Number(host.port);
        if (!Number.isInteger(port) || port < 1 || port > 65535) {
            problems.push(`${where}.port: ${String(host.port)} is not a TCP port (1-65535)`);
        }

        const keyFile = typeof host.privateKeyFile === "string" ? path.resolve(projectDir, expandHome(host.privateKeyFile)) : "";
        if (!keyFile) {
            problems.push(`${where}.privateKeyFile: set the path of the SSH private key for ${user || "the user"}`);
        } else {
            const problem = privateKeyProblem(keyFile);
            if (problem) problems.push(`${where}.privateKeyFile: ${keyFile} ${problem}`);
        }

        const hostKey = typeof host.hostKey === "string" ? host.hostKey.trim().split(/\s+/).slice(0, 2).join(" ") : "";
        if (!hostKeyPattern.test(hostKey)) {
            problems.push(`${where}.hostKey: set the host's public SSH host key ('ssh-ed25519 AAAA...'; ` +
                `read it from the host's /etc/ssh/ssh_host_ed25519_key.pub over a trusted channel)`);
        }
        hosts.push({ name, address, user, port, privateKeyFile: keyFile, hostKey, roles: [] });
    }

    const byName = new Map(hosts.map((h) => [h.name, h]));
    const hostsKnown = problems.length === 0 || rawHosts.length > 0;
    for (const [name, value] of Object.entries(raw.roles ?? {})) {
        const host = byName.get(name);
        if (!host && !hostsKnown) continue; // the hosts could not be read: that is the one problem to report
        if (!host) {
            problems.push(`roles.${name}: no host is named '${name}'; known hosts: ${[...byName.keys()].join(", ") || "none"}`);
            continue;
        }
        const list = Array.isArray(value) ? value : [];
        if (!Array.isArray(value)) problems.push(`roles.${name}: give a list of roles, e.g. [swarm-worker]`);
        for (const role of list) {
            if (role === undefined) continue; // mistyped, reported
            if (!(roles as readonly unknown[]).includes(role)) {
                problems.push(`roles.${name}: unknown role '${String(role)}'; known roles: ${roles.join(", ")}`);
            } else if (!host.roles.includes(role as Role)) {
                host.roles.push(role as Role);
            }
        }
        if (host.roles.includes("swarm-manager") && host.roles.includes("swarm-worker")) {
            problems.push(`roles.${name}: a host is either swarm-manager or swarm-worker, not both`);
        }
    }

    const managers = hosts.filter((h) => h.roles.includes("swarm-manager"));
    const workers = hosts.filter((h) => h.roles.includes("swarm-worker"));
    if (managers.length === 0 && workers.length > 0) {
        problems.push("roles: swarm workers need a swarm-manager; give one host (or three) the swarm-manager role");
    }
    checkQuorumCount("swarm-manager", managers.length, problems, warnings);

    const source = raw.docker?.source ?? "docker-ce";
    if (source !== "docker-ce" && source !== "docker.io") {
        problems.push(`docker.source: '${String(source)}' is not a Docker source; use docker-ce (Docker's apt repository) or docker.io (the distribution's package)`);
    }
    const daemonJson = raw.docker?.daemonJson ?? defaultDaemonJson;
    if (typeof daemonJson !== "object" || daemonJson === null || Array.isArray(daemonJson)) {
        problems.push("docker.daemonJson: give daemon.json settings as an object");
    }

    const overlayName = raw.overlay?.name ?? "mesos-overlay";
    if (typeof overlayName !== "string" || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(overlayName)) {
        problems.push(`overlay.name: '${String(overlayName)}' is not a Docker network name`);
    }
    const subnet = raw.overlay?.subnet;
    if (subnet !== undefined && (typeof subnet !== "string" || !isCidr(subnet))) {
        problems.push(`overlay.subnet: '${String(subnet)}' is not an IPv4 CIDR such as 10.78.0.0/24`);
    } else if (typeof subnet === "string") {
        for (const host of hosts.filter((h) => net.isIPv4(h.address) && inCidr(h.address, subnet))) {
            problems.push(`overlay.subnet: ${subnet} contains ${host.name}'s address ${host.address}; ` +
                "choose a subnet outside the hosts' network");
        }
    }

    const zookeeper = {
        serverIds: {} as Record<string, number>,
        tickTime: Number(raw.zookeeper?.tickTime ?? 2000),
        initLimit: Number(raw.zookeeper?.initLimit ?? 10),
        syncLimit: Number(raw.zookeeper?.syncLimit ?? 5),
    };
    const zkHosts = hosts.filter((h) => h.roles.includes("zookeeper"));
    checkQuorumCount("zookeeper", zkHosts.length, problems, warnings);
    const idOwners = new Map<number, string>();
    for (const host of zkHosts) {
        const id = raw.zookeeper?.serverIds?.[host.name];
        if (!Number.isInteger(id) || (id as number) < 1 || (id as number) > 255) {
            problems.push(`zookeeper.serverIds.${host.name}: give ZooKeeper server ${host.name} an id from 1 to 255 ` +
                "(ids stay with their hosts; never reuse one for another host)");
        } else if (idOwners.has(id as number)) {
            problems.push(`zookeeper.serverIds.${host.name}: id ${id} is also ${idOwners.get(id as number)}'s; each server needs its own`);
        } else {
            idOwners.set(id as number, host.name);
            zookeeper.serverIds[host.name] = id as number;
        }
    }
    for (const name of Object.keys(raw.zookeeper?.serverIds ?? {})) {
        if (!zkHosts.some((h) => h.name === name) && hostsKnown) {
            problems.push(`zookeeper.serverIds.${name}: ${name} does not have the zookeeper role; add the role or remove the id`);
        }
    }
    for (const key of ["tickTime", "initLimit", "syncLimit"] as const) {
        if (!Number.isInteger(zookeeper[key]) || zookeeper[key] < 1) {
            problems.push(`zookeeper.${key}: ${String(raw.zookeeper?.[key])} is not a positive whole number`);
        }
    }

    const mesos = parseMesos(raw.mesos ?? {}, hosts, projectDir, problems, warnings);

    const uploaders = hosts.filter((h) => h.roles.includes("uploader"));
    if (uploaders.length > 1) {
        problems.push(`roles: ${uploaders.length} hosts are uploader (${uploaders.map((h) => h.name).join(", ")}); give exactly one host the uploader role`);
    }
    const uploader = uploaders.length > 0 ? parseUploaderConfig(raw.uploader ?? {}, uploaders[0], projectDir, problems) : undefined;

    const nfs = parseNfsConfig(raw.nfs ?? {}, hosts, problems);
    const workerImage = parseWorkerImageConfig(raw.workerImage ?? {}, problems);
    const preflight = parsePreflightConfig(raw.preflight ?? {}, problems);

    if (problems.length > 0) {
        throw new ConfigError(problems.filter((problem, i) => i < mistyped.length || !aboutMistyped(problem)));
    }
    return {
        // A host without roles (an inventory lists more hosts than the stack uses, or one is being retired)
        // gets no step, and neither preflight nor npm run check contacts it.
        hosts: hosts.filter((h) => h.roles.length > 0),
        docker: { source: source as DockerSource, daemonJson: daemonJson as Record<string, unknown> },
        overlay: { name: overlayName as string, subnet: subnet as string | undefined, encrypted: raw.overlay?.encrypted === true },
        zookeeper,
        mesos,
        uploader,
        nfs,
        workerImage,
        preflight,
        warnings,
    };
}

const mesosDurationPattern = /^\d+(\.\d+)?(ns|us|ms|secs|mins|hrs|days|weeks)$/;

function parseMesos(raw: NonNullable<RawConfig["mesos"]>, hosts: ClusterHost[], projectDir: string, problems: string[], warnings: string[]): MesosConfig {
    const masters = hosts.filter((h) => h.roles.includes("mesos-master"));
    const agents = hosts.filter((h) => h.roles.includes("mesos-agent"));
    checkQuorumCount("mesos-master", masters.length, problems, warnings);
    if (agents.length > 0 && masters.length === 0) {
        problems.push("roles: mesos-agent hosts need masters; give one host (or three) the mesos-master role");
    }
    if (masters.length > 0 && !hosts.some((h) => h.roles.includes("zookeeper"))) {
        problems.push("roles: Mesos masters find each other through ZooKeeper; give one host (or three) the zookeeper role");
    }

    const repo = raw.repository ?? {};
    const text = (value: unknown, fallback: string, where: string, pattern: RegExp, fix: string): string => {
        const v = value ?? fallback;
        if (typeof v !== "string" || !pattern.test(v)) problems.push(`${where}: '${String(v)}' ${fix}`);
        return String(v);
    };
    const url = text(repo.url, aventerRepository.url, "mesos.repository.url", /^https?:\/\/[^\s'"]+$/, "is not an http(s) URL of an apt repository");
    const distribution = text(repo.distribution, aventerRepository.distribution, "mesos.repository.distribution", /^[a-z0-9][a-z0-9._\/-]*$/, "is not an apt suite name (e.g. bookworm)");
    const component = text(repo.component, aventerRepository.component, "mesos.repository.component", /^[a-z0-9][a-z0-9._-]*$/, "is not an apt component (e.g. main)");
    const pkg = text(repo.package, aventerRepository.package, "mesos.repository.package", /^[a-z0-9][a-z0-9+.-]+$/, "is not a Debian package name");
    let key = "";
    if (masters.length + agents.length > 0) {
        if (typeof repo.keyFile !== "string") {
            problems.push("mesos.repository.keyFile: set the path of the repository's ASCII-armored signing key (apt checks every package against it)");
        } else {
            const file = path.resolve(projectDir, expandHome(repo.keyFile));
            try {
                key = fs.readFileSync(file, "utf8");
                if (!key.includes("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
                    problems.push(`mesos.repository.keyFile: ${file} is not an ASCII-armored PGP public key`);
                }
            } catch {
                problems.push(`mesos.repository.keyFile: ${file} does not exist or is not readable` +
                    (repo.keyFile.startsWith(".lab/") ? "; run `npm run lab:up` first" : ""));
            }
        }
    }

    const agentAttributes: Record<string, string> = {};
    const attributes = raw.agentAttributes ?? {};
    if (typeof attributes !== "object" || attributes === null || Array.isArray(attributes)) {
        problems.push("mesos.agentAttributes: give attributes as a map, e.g. { rack: r1 }");
    } else {
        for (const [name, value] of Object.entries(attributes)) {
            if (!/^[A-Za-z0-9_.-]+$/.test(name) || !/^[A-Za-z0-9_.\/-]+$/.test(String(value))) {
                problems.push(`mesos.agentAttributes.${name}: names and values may hold letters, digits, '_', '.', '-' and '/'`);
            } else {
                agentAttributes[name] = String(value);
            }
        }
    }
    const resources = raw.agentResources;
    if (resources !== undefined && (typeof resources !== "string" || !/^([a-z_]+:[^;\s]+)(;[a-z_]+:[^;\s]+)*$/.test(resources))) {
        problems.push(`mesos.agentResources: '${String(resources)}' is not a Mesos resources string such as 'cpus:2;mem:4096'`);
    }
    const timeout = text(raw.executorRegistrationTimeout, "10mins", "mesos.executorRegistrationTimeout", mesosDurationPattern,
        "is not a Mesos duration such as 10mins (image pulls happen within it)");
    return {
        repository: { url, distribution, component, package: pkg, key },
        cluster: text(raw.cluster, "twister2", "mesos.cluster", /^[A-Za-z0-9_.-]+$/, "is not a cluster name (letters, digits, '_', '.', '-')"),
        agentFlagsDir: text(raw.agentFlagsDir, "/etc/mesos-agent", "mesos.agentFlagsDir", /^\/etc\/[A-Za-z0-9_.-]+$/,
            "is not a directory under /etc (AVENTER: /etc/mesos-agent, Mesosphere: /etc/mesos-slave)"),
        workDir: text(raw.workDir, "/var/lib/mesos", "mesos.workDir", /^\/[A-Za-z0-9_.\/-]+$/, "is not an absolute path"),
        executorRegistrationTimeout: timeout,
        agentPrincipal: text(raw.agentPrincipal, "twister2-agent", "mesos.agentPrincipal", /^[A-Za-z0-9_.-]+$/, "is not a principal name"),
        agentAttributes,
        agentResources: resources as string | undefined,
    };
}
