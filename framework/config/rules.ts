// The checks that compare settings: the hosts with each other, the roles with each other and with the
// hosts, each component's settings with the hosts that have its roles, and what the files the settings
// name hold. Pure: over parsed settings (a setting with a problem of its own is left out of them, see
// parseSetting) and the files load.ts read. Each returns its problems, every one naming a setting and the fix.
// The nfs, uploader and worker-image config.ts call these from their parse functions, so only their types
// are imported here (no import cycle).
import * as net from "node:net";
import type { MesosSettings } from "../../components/mesos/config";
import { signingKeyProblem } from "../../components/mesos/config";
import type { NfsSettings } from "../../components/nfs/config";
import { clientAllows } from "../../components/nfs/nfsShare";
import type { OverlaySettings } from "../../components/swarm/config";
import type { UploaderSettings } from "../../components/uploader/config";
import type { WorkerImageSettings } from "../../components/worker-image/config";
import type { ZookeeperSettings } from "../../components/zookeeper/config";
import { serverIdFix } from "../../components/zookeeper/config";
import { inCidr } from "./addresses";
import type { Role, SeenHost } from "./hosts";
import type { FileText, UploaderFiles } from "./load";
import type { Problem } from "./settings";
import { privateKeyProblem, publicKeyLines } from "./sshKeys";

/** The hosts as a rule needs them: a name, an address, an SSH port, a login, each when right. */
type HostView = Pick<SeenHost, "name" | "address" | "port" | "user"> & { roles: readonly string[] };

const withRole = <H extends HostView>(hosts: readonly H[], role: Role) => hosts.filter((h) => h.roles.includes(role));
const problem = (where: string, message: string): Problem => ({ where, message });
/** What is said of a file that could not be read, after its path (`setting` as given: a lab file may not be made yet). */
const notReadable = (setting: string) => `does not exist or is not readable${setting.startsWith(".lab/") ? "; run `npm run lab:up` first" : ""}`;

/** Names and addresses are each one host's; each private key file holds a private key. */
export function hostProblems(hosts: readonly SeenHost[], privateKeys: ReadonlyMap<string, FileText>): Problem[] {
    const problems: Problem[] = [];
    const names = new Map<string, string>();
    const addresses = new Map<string, string>();
    for (const { where, name, address } of hosts) {
        if (name !== undefined) {
            const other = names.get(name);
            if (other) problems.push(problem(`${where}.name`, `'${name}' is already used by ${other}; host names must be unique`));
            else names.set(name, where);
        }
        if (address !== undefined) {
            const other = addresses.get(address);
            if (other) problems.push(problem(`${where}.address`, `${address} is also the address of ${other}; each host needs its own`));
            else addresses.set(address, where);
        }
    }
    for (const { where, privateKeyFile } of hosts) {
        const key = privateKeys.get(where);
        if (privateKeyFile === undefined || !key) continue;
        const wrong = "text" in key ? privateKeyProblem(key.text, key.file)
            : key.unreadable === "directory" ? "is not a file; give the path of the SSH private key" : notReadable(privateKeyFile);
        if (wrong) problems.push(problem(`${where}.privateKeyFile`, `${key.file} ${wrong}`));
    }
    return problems;
}

/**
 * Swarm managers, ZooKeeper servers and Mesos masters work while a majority of them does. Two survive
 * no failure (worse than one); four survive one, as three do: fine while a dead host is being replaced,
 * not as a layout.
 */
function quorumCount(role: Role, count: number, problems: Problem[], warnings: string[]): void {
    if (count === 2) {
        problems.push(problem("roles", `2 hosts are ${role}; use an odd number (1, 3, 5): the quorum is a majority of them, and 2 survive no failure`));
    } else if (count % 2 === 0 && count > 0) {
        warnings.push(`roles: ${count} hosts are ${role}: a majority of ${count} survives ${count / 2 - 1} failure(s), as ${count - 1} hosts do; ` +
            "add or remove one once the host being replaced is back");
    }
}

/** At most one host has `role` (the uploader, the NFS server). */
export function oneHostAtMost(role: Role, hosts: readonly HostView[]): Problem[] {
    const holders = withRole(hosts, role);
    return holders.length > 1
        ? [problem("roles", `${holders.length} hosts are ${role} (${holders.map((h) => h.name).join(", ")}); give exactly one host the ${role} role`)]
        : [];
}

/**
 * Roles name hosts that exist, and come with the roles they need, in counts that keep a quorum.
 * `hostsKnown` is false when the hosts could not be read at all: then no host name is news.
 */
export function roleProblems(roles: Record<string, Role[]>, hosts: readonly SeenHost[], hostsKnown: boolean): { problems: Problem[]; warnings: string[] } {
    const problems: Problem[] = [];
    const warnings: string[] = [];
    const names = hosts.flatMap((h) => h.name ?? []);
    for (const name of Object.keys(roles)) {
        if (hostsKnown && !names.includes(name)) {
            problems.push(problem(`roles.${name}`, `no host is named '${name}'; known hosts: ${names.join(", ") || "none"}`));
        }
    }
    const count = (role: Role) => withRole(hosts, role).length;
    if (count("swarm-manager") === 0 && count("swarm-worker") > 0) {
        problems.push(problem("roles", "swarm workers need a swarm-manager; give one host (or three) the swarm-manager role"));
    }
    if (count("mesos-agent") > 0 && count("mesos-master") === 0) {
        problems.push(problem("roles", "mesos-agent hosts need masters; give one host (or three) the mesos-master role"));
    }
    if (count("mesos-master") > 0 && count("zookeeper") === 0) {
        problems.push(problem("roles", "Mesos masters find each other through ZooKeeper; give one host (or three) the zookeeper role"));
    }
    for (const role of ["swarm-manager", "zookeeper", "mesos-master"] as const) quorumCount(role, count(role), problems, warnings);
    problems.push(...oneHostAtMost("uploader", hosts), ...oneHostAtMost("nfs-server", hosts));
    return { problems, warnings };
}

/** The overlay's subnet is apart from the hosts' network. */
export function overlayProblems(overlay: OverlaySettings, hosts: readonly HostView[]): Problem[] {
    const { subnet } = overlay;
    if (subnet === undefined) return [];
    return hosts.filter((h) => h.address !== undefined && net.isIPv4(h.address) && inCidr(h.address, subnet)).map((h) =>
        problem("overlay.subnet", `${subnet} contains ${h.name}'s address ${h.address}; choose a subnet outside the hosts' network`));
}

/** Each zookeeper host has an id of its own, and only they have one. */
export function zookeeperProblems(zookeeper: ZookeeperSettings, hosts: readonly HostView[], hostsKnown: boolean): Problem[] {
    const problems: Problem[] = [];
    const servers = withRole(hosts, "zookeeper").flatMap((h) => h.name ?? []);
    const owners = new Map<number, string>();
    for (const name of servers) {
        const id = zookeeper.serverIds[name];
        const where = `zookeeper.serverIds.${name}`;
        if (id === undefined) problems.push(problem(where, serverIdFix(name)));
        else if (owners.has(id)) problems.push(problem(where, `id ${id} is also ${owners.get(id)}'s; each server needs its own`));
        else owners.set(id, name);
    }
    for (const name of Object.keys(zookeeper.serverIds)) {
        if (hostsKnown && !servers.includes(name)) {
            problems.push(problem(`zookeeper.serverIds.${name}`, `${name} does not have the zookeeper role; add the role or remove the id`));
        }
    }
    return problems;
}

/** With Mesos hosts, apt needs the repository's signing key. */
export function mesosProblems(mesos: MesosSettings, hosts: readonly HostView[], signingKey: FileText | undefined): Problem[] {
    const where = "mesos.repository.keyFile";
    const { keyFile } = mesos.repository;
    if (withRole(hosts, "mesos-master").length + withRole(hosts, "mesos-agent").length === 0) return [];
    if (keyFile === undefined || !signingKey) {
        return [problem(where, "set the path of the repository's ASCII-armored signing key (apt checks every package against it)")];
    }
    const wrong = "text" in signingKey ? signingKeyProblem(signingKey.text) : notReadable(keyFile);
    return wrong ? [problem(where, `${signingKey.file} ${wrong}`)] : [];
}

/** Someone may upload: public keys, given or in the files, each of which holds keys. */
export function uploaderProblems(uploader: UploaderSettings, files: UploaderFiles): Problem[] {
    const problems: Problem[] = [];
    if (uploader.publicKeys === undefined && uploader.publicKeyFiles === undefined) {
        problems.push(problem("uploader.publicKeys", "list at least one SSH public key allowed to upload job packages " +
            "(or publicKeyFiles: paths of id_*.pub files)"));
    }
    files.publicKeyFiles.forEach((content, i) => {
        const where = `uploader.publicKeyFiles[${i}]`;
        if (!("text" in content)) {
            problems.push(problem(where, `${content.file} ${notReadable(uploader.publicKeyFiles?.[i] ?? "")}`));
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
}

/**
 * The hosts that mount the NFS share: the agents (Twister2 mounts <path>/<jobId> from them into job
 * containers) and those in mountOn, never the server; none when mount is false.
 */
export function nfsMountHosts<H extends HostView>(nfs: NfsSettings, hosts: readonly H[]): H[] {
    const server = withRole(hosts, "nfs-server")[0];
    const extra = nfs.mountOn ?? [];
    return nfs.mount
        ? hosts.filter((h) => h !== server && (h.roles.includes("mesos-agent") || (h.name !== undefined && extra.includes(h.name))))
        : [];
}

/** mountOn names hosts other than the server, and the clients let every mounting host in. */
export function nfsProblems(nfs: NfsSettings, hosts: readonly HostView[], hostsKnown: boolean): Problem[] {
    const problems: Problem[] = [];
    const server = withRole(hosts, "nfs-server")[0];
    if (nfs.gracePeriod !== undefined && nfs.implementation !== "ganesha") {
        problems.push(problem("nfs.gracePeriod", "only nfs-ganesha takes it from this program; remove it, or set nfs.implementation: ganesha"));
    }
    const mountOn = nfs.mountOn ?? [];
    if (!nfs.mount && mountOn.length > 0) {
        problems.push(problem("nfs.mountOn", "nfs.mount is false, so no host mounts the share; set nfs.mount: true or remove nfs.mountOn"));
    } else {
        const names = hosts.flatMap((h) => h.name ?? []);
        for (const name of mountOn) {
            if (!names.includes(name)) {
                if (hostsKnown) problems.push(problem("nfs.mountOn", `no host is named '${name}'; known hosts: ${names.join(", ") || "none"}`));
            } else if (name === server?.name) {
                problems.push(problem("nfs.mountOn", `${name} is the nfs-server; it has the files at ${nfs.path} already, remove it from nfs.mountOn`));
            }
        }
    }
    if (server && nfs.clients) {
        const clients = nfs.clients;
        for (const host of nfsMountHosts(nfs, hosts).filter((h) => h.address !== undefined && !clients.some((c) => clientAllows(c, h.address!)))) {
            problems.push(problem("nfs.clients", `${host.name} (${host.address}) mounts the share but no entry of nfs.clients allows it; ` +
                "add its address or subnet"));
        }
    }
    return problems;
}

/** An image imported from baseImageUrl gets a name:tag, never a digest. */
export function workerImageProblems(workerImage: WorkerImageSettings): Problem[] {
    const { baseImage, baseImageUrl } = workerImage;
    return baseImageUrl && baseImage.includes("@")
        ? [problem("workerImage.baseImage", `${baseImage} has a digest, and an imported image cannot; give a name:tag such as debian:bookworm to import baseImageUrl as`)]
        : [];
}
