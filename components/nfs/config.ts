// `twister2-cluster:nfs`: the share Twister2 keeps job logs and outputs on (NfsShare), served by the host
// with the nfs-server role.
import * as net from "node:net";
import { z } from "zod";
import { inCidr, isCidr } from "../../framework/config/addresses";
import { inSystemTree } from "../../framework/config/paths";
import { addressOrNetwork, alwaysSaying, number, oneOf, text, textMatching, Unchecked, wholeNumber } from "../../framework/config/settings";
import type { PackageNeed } from "../../framework/packages/packages";
import type { Host } from "../../framework/remote/remote";

/** Twister2's default `twister2.resource.nfs.server.path`. */
export const twister2NfsPath = "/nfs/shared-mesos/twister2";

const client = addressOrNetwork((value) => `'${String(value)}' opens the share to the world; list the hosts' addresses or their subnet ` +
    "(e.g. 10.77.0.0/24), or leave nfs.clients out to allow the cluster's hosts");

const ownerId = (kind: "user" | "group") =>
    z.number(alwaysSaying((value) => `${String(value)} is not a numeric ${kind} id (0-4294967294)`))
        .int({ abort: true }).min(0, { abort: true }).max(4294967294).default(0);

export const nfsSettings = z.strictObject({
    implementation: oneOf(["kernel", "ganesha"], (value) => `'${String(value)}' is not an NFS server; use kernel (nfs-kernel-server) ` +
        "or ganesha (nfs-ganesha, for hosts without the kernel's nfsd)")
        .default("kernel")
        .describe("kernel: nfs-kernel-server (real hosts); ganesha: NFS-Ganesha in user space (hosts without nfsd, e.g. the lab)"),
    path: text((value) => `'${String(value)}' is not an absolute directory path (letters, digits, '_', '.', '-'; ` +
        `no '.' or '..'; no trailing '/'); Twister2's default is ${twister2NfsPath}`)
        .regex(/^(\/[A-Za-z0-9_.-]+)+$/, { abort: true })
        .refine((dir) => !dir.split("/").some((part) => part === "." || part === ".."), { abort: true })
        .refine((dir) => !inSystemTree(dir), {
            error: (issue) => `${String(issue.input)} is a system directory; export a directory of its own such as ${twister2NfsPath}`,
        })
        .default(twister2NfsPath)
        .describe("The exported directory (Twister2's twister2.resource.nfs.server.path); clients mount it at the same path"),
    clients: z.array(client, alwaysSaying(() => "give a list of addresses, IPv4 CIDRs or DNS names, e.g. [10.77.0.0/24], " +
        "or leave it out for the cluster's hosts")).min(1).optional()
        .describe("Who may mount: addresses, IPv4 CIDRs or DNS names, never the world; left out, the cluster's hosts"),
    ownerUid: ownerId("user").describe("The exported directory's owner"),
    ownerGid: ownerId("group").describe("The exported directory's group"),
    mode: z.union([text(), number()]).transform(String).pipe(textMatching(/^[0-7]{3,4}$/, (value) =>
        `'${String(value)}' is not an octal mode such as 1777 or 0775 (give it as a string in YAML: "1777")`))
        .default("1777")
        .describe("The exported directory's octal mode, as a string (\"1777\": anyone, squashed root too, can make a job directory)"),
    mount: z.boolean(alwaysSaying((value) => `'${String(value)}' is not true or false`)).default(true)
        .describe("Mount the share (fstab + mount) on the mesos-agent hosts and those in mountOn"),
    mountOn: z.array(text()).optional().describe("More hosts that mount the share (e.g. a host that submits jobs), by name"),
    gracePeriod: wholeNumber(1, 180, (value) => `${String(value)} is not a number of seconds from 1 to 180 (nfs-ganesha's range; its default is 90)`)
        .optional()
        .describe("ganesha only: the NFSv4 grace period in seconds after a restart"),
});
export type NfsSettings = z.output<typeof nfsSettings>;
export type RawNfsConfig = Unchecked<z.input<typeof nfsSettings>>;

/** `kernel`: nfs-kernel-server (real hosts). `ganesha`: NFS-Ganesha in user space (hosts without nfsd, e.g. the lab). */
export type NfsImplementation = NfsSettings["implementation"];

/** Client mount options: `hard` (Twister2 writes job output, never lose a write), after the network, and never block a boot. */
export const mountOptions = "rw,hard,noatime,_netdev,nofail";

/** Whether `client` (an address, IPv4 CIDR or DNS name from nfs.clients) lets `address` in. */
export function clientAllows(client: string, address: string): boolean {
    return client === address || (isCidr(client) && net.isIPv4(address) && inCidr(address, client));
}

/** `twister2-cluster:nfs` with its hosts, when a host has the nfs-server role: what NfsShare takes. */
export interface NfsConfig {
    /** The host that serves the share (the nfs-server role). */
    server: Host;
    implementation: NfsImplementation;
    /** The exported directory; clients mount it at the same path (Twister2 expects one path everywhere). */
    path: string;
    /** Addresses, CIDRs or DNS names allowed to mount; never the world. */
    clients: string[];
    /** Owner and mode of the exported directory, applied on every run. */
    ownerUid: number;
    ownerGid: number;
    /** Octal mode, e.g. "1777". */
    mode: string;
    /** ganesha only: NFSv4 grace period in seconds (ganesha's default 90 when unset). */
    gracePeriod?: number;
    /** Hosts that mount the share (fstab + mount); not the server. */
    mountOn: Host[];
}

type NfsHost = Host & { roles: readonly string[] };

/** The share's arguments, when a host has the nfs-server role (the settings are checked either way). */
export function nfsShareArgs(nfs: NfsSettings, hosts: readonly NfsHost[]): NfsConfig | undefined {
    const server = hosts.find((h) => h.roles.includes("nfs-server"));
    if (!server) return undefined;
    const { implementation, path, ownerUid, ownerGid, mode, gracePeriod } = nfs;
    return {
        server, implementation, path, ownerUid, ownerGid, mode, gracePeriod,
        clients: nfs.clients ?? hosts.map((h) => h.address),
        mountOn: nfsMountHosts(nfs, hosts),
    };
}

/**
 * The hosts that mount the NFS share: the agents (Twister2 mounts <path>/<jobId> from them into job
 * containers) and those in mountOn, never the server; none when mount is false.
 */
export function nfsMountHosts<H extends { name?: string; roles: readonly string[] }>(nfs: NfsSettings, hosts: readonly H[]): H[] {
    const server = hosts.find((h) => h.roles.includes("nfs-server"));
    const extra = nfs.mountOn ?? [];
    return nfs.mount
        ? hosts.filter((h) => h !== server && (h.roles.includes("mesos-agent") || (h.name !== undefined && extra.includes(h.name))))
        : [];
}

/** What the NFS server's host installs for NfsShare (nfs-server.sh). */
export const nfsServerPackages = (implementation: NfsConfig["implementation"]): PackageNeed => ({
    thing: "nfs-server",
    packages: implementation === "kernel" ? ["nfs-kernel-server"] : ["nfs-ganesha", "nfs-ganesha-vfs"],
});

/** What a host that mounts the share at `mountPoint` installs (nfs-mount.sh), recorded per mount point. */
export const nfsMountPackages = (mountPoint: string): PackageNeed => ({
    thing: `nfs-mount${mountPoint.replace(/\//g, "-")}`,
    packages: ["nfs-common"],
});
