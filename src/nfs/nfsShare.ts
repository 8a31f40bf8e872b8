import * as net from "node:net";
import * as pulumi from "@pulumi/pulumi";
import { inCidr, isCidr, isHostAddress } from "../config/addresses";
import { Host, hostScript, lastLine } from "../remote/remote";

/** `kernel`: nfs-kernel-server (real hosts). `ganesha`: NFS-Ganesha in user space (hosts without nfsd, e.g. the lab). */
export type NfsImplementation = "kernel" | "ganesha";
export const nfsImplementations: readonly NfsImplementation[] = ["kernel", "ganesha"];

/** Twister2's default `twister2.resource.nfs.server.path`. */
export const twister2NfsPath = "/nfs/shared-mesos/twister2";

/** Export options: read-write for the listed clients only, root on a client becomes nobody. */
export const kernelExportOptions = "rw,sync,no_subtree_check,root_squash";
/** Client mount options: `hard` (Twister2 writes job output, never lose a write), after the network, and never block a boot. */
export const mountOptions = "rw,hard,noatime,_netdev,nofail";
/** This program's ganesha export id (unique per server; 0 is ganesha's pseudo root). */
export const ganeshaExportId = 4242;
/** What a squashed root becomes, as with nfs-kernel-server's default anonuid/anongid: nobody:nogroup. */
export const anonymousId = 65534;

/** `twister2-cluster:nfs` as it appears in Pulumi.<stack>.yaml. */
export interface RawNfsConfig {
    implementation?: unknown; path?: unknown; clients?: unknown; ownerUid?: unknown; ownerGid?: unknown; mode?: unknown;
    mount?: unknown; mountOn?: unknown; gracePeriod?: unknown;
}

/** `twister2-cluster:nfs`, checked and with defaults: NfsShare's arguments. */
export type NfsConfig = NfsShareArgs;

const systemDirs = ["/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/run", "/sbin", "/sys", "/usr", "/var"];

/** Whether `client` (an address, IPv4 CIDR or DNS name from nfs.clients) lets `address` in. */
export function clientAllows(client: string, address: string): boolean {
    return client === address || (isCidr(client) && net.isIPv4(address) && inCidr(address, client));
}

/**
 * Checks `twister2-cluster:nfs` against the hosts and their roles, adding every problem to `problems`.
 * Returns the share's arguments when a host has the nfs-server role, else undefined (the settings are
 * still checked, so a stack that drops the role keeps a valid config).
 */
export function parseNfsConfig(raw: RawNfsConfig, hosts: (Host & { roles: readonly string[] })[], problems: string[]): NfsConfig | undefined {
    const servers = hosts.filter((h) => h.roles.includes("nfs-server"));
    if (servers.length > 1) {
        problems.push(`roles: ${servers.length} hosts are nfs-server (${servers.map((h) => h.name).join(", ")}); give exactly one host the nfs-server role`);
    }
    const server = servers[0];

    const implementation = raw.implementation ?? "kernel";
    if (!nfsImplementations.includes(implementation as NfsImplementation)) {
        problems.push(`nfs.implementation: '${String(implementation)}' is not an NFS server; use kernel (nfs-kernel-server) ` +
            "or ganesha (nfs-ganesha, for hosts without the kernel's nfsd)");
    }

    const path = raw.path ?? twister2NfsPath;
    if (typeof path !== "string" || !/^(\/[A-Za-z0-9_.-]+)+$/.test(path) || path.split("/").some((part) => part === "." || part === "..")) {
        problems.push(`nfs.path: '${String(path)}' is not an absolute directory path (letters, digits, '_', '.', '-'; ` +
            `no '.' or '..'; no trailing '/'); Twister2's default is ${twister2NfsPath}`);
    } else if (systemDirs.some((dir) => path === dir || path.startsWith(`${dir}/`))) {
        problems.push(`nfs.path: ${path} is a system directory; export a directory of its own such as ${twister2NfsPath}`);
    }

    const openToTheWorld = "opens the share to the world; list the hosts' addresses or their subnet (e.g. 10.77.0.0/24), " +
        "or leave nfs.clients out to allow the cluster's hosts";
    let clients: string[] = hosts.map((h) => h.address);
    if (raw.clients !== undefined) {
        if (!Array.isArray(raw.clients) || raw.clients.length === 0) {
            problems.push("nfs.clients: give a list of addresses, IPv4 CIDRs or DNS names, e.g. [10.77.0.0/24], or leave it out for the cluster's hosts");
            clients = [];
        } else {
            clients = raw.clients.map(String);
            raw.clients.forEach((value, i) => {
                const client = String(value);
                const [base, bits] = client.split("/");
                if (client.includes("*") || client.includes("?") || client === "0.0.0.0" || client === "::" || client === "::/0" ||
                    (bits !== undefined && net.isIPv4(base) && /^\d+$/.test(bits) && Number(bits) < 8)) {
                    problems.push(`nfs.clients[${i}]: '${client}' ${openToTheWorld}`);
                } else if (bits !== undefined ? !isCidr(client)
                    : !isHostAddress(client)) {
                    problems.push(`nfs.clients[${i}]: '${client}' is not an IP address, IPv4 CIDR (e.g. 10.77.0.0/24) or DNS name`);
                }
            });
        }
    }

    const id = (value: unknown, fallback: number, key: string): number => {
        const n = value === undefined ? fallback : Number(value);
        if (!Number.isInteger(n) || n < 0 || n > 4294967294) {
            problems.push(`nfs.${key}: ${String(value)} is not a numeric ${key === "ownerUid" ? "user" : "group"} id (0-4294967294)`);
        }
        return n;
    };
    const ownerUid = id(raw.ownerUid, 0, "ownerUid");
    const ownerGid = id(raw.ownerGid, 0, "ownerGid");
    const mode = String(raw.mode ?? "1777");
    if (!/^[0-7]{3,4}$/.test(mode)) {
        problems.push(`nfs.mode: '${mode}' is not an octal mode such as 1777 or 0775 (give it as a string in YAML: "1777")`);
    }

    let gracePeriod: number | undefined;
    if (raw.gracePeriod !== undefined) {
        gracePeriod = Number(raw.gracePeriod);
        if (!Number.isInteger(gracePeriod) || gracePeriod < 1 || gracePeriod > 180) {
            problems.push(`nfs.gracePeriod: ${String(raw.gracePeriod)} is not a number of seconds from 1 to 180 (nfs-ganesha's range; its default is 90)`);
        } else if (implementation !== "ganesha") {
            problems.push("nfs.gracePeriod: only nfs-ganesha takes it from this program; remove it, or set nfs.implementation: ganesha");
        }
    }

    const mount = raw.mount ?? true;
    if (typeof mount !== "boolean") problems.push(`nfs.mount: '${String(mount)}' is not true or false`);
    const byName = new Map(hosts.map((h) => [h.name, h]));
    const extra: Host[] = [];
    if (raw.mountOn !== undefined) {
        if (!Array.isArray(raw.mountOn)) {
            problems.push("nfs.mountOn: give a list of host names, e.g. [h1]");
        } else if (mount === false && raw.mountOn.length > 0) {
            problems.push("nfs.mountOn: nfs.mount is false, so no host mounts the share; set nfs.mount: true or remove nfs.mountOn");
        } else {
            for (const name of raw.mountOn.map(String)) {
                const host = byName.get(name);
                if (!host && hosts.length === 0) continue; // the hosts could not be read: that is the problem to report
                if (!host) {
                    problems.push(`nfs.mountOn: no host is named '${name}'; known hosts: ${[...byName.keys()].join(", ") || "none"}`);
                } else if (host === server) {
                    problems.push(`nfs.mountOn: ${name} is the nfs-server; it has the files at ${String(path)} already, remove it from nfs.mountOn`);
                } else {
                    extra.push(host);
                }
            }
        }
    }
    // The agents mount the share (Twister2 mounts <path>/<jobId> from them into job containers), and the extra hosts.
    const mountOn = mount === true
        ? hosts.filter((h) => h !== server && (h.roles.includes("mesos-agent") || extra.includes(h)))
        : [];
    if (server) {
        for (const host of mountOn.filter((h) => !clients.some((c) => clientAllows(c, h.address)))) {
            problems.push(`nfs.clients: ${host.name} (${host.address}) mounts the share but no entry of nfs.clients allows it; ` +
                "add its address or subnet");
        }
    }

    if (!server) return undefined;
    return {
        server,
        implementation: implementation as NfsImplementation,
        path: path as string,
        clients,
        ownerUid,
        ownerGid,
        mode,
        gracePeriod,
        mountOn,
    };
}

export interface NfsShareArgs {
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

/** `/etc/exports.d/<name>.exports` for nfs-kernel-server: one line, every client with the same options. */
export function kernelExports(path: string, clients: string[]): string {
    return `${path} ${clients.map((c) => `${c}(${kernelExportOptions})`).join(" ")}\n`;
}

/**
 * The ganesha configuration this program includes into /etc/ganesha/ganesha.conf: an NFSv4-only EXPORT
 * with the same meaning as the kernel export, plus the server-wide settings the share needs.
 */
export function ganeshaConfig(path: string, clients: string[], gracePeriod?: number): string {
    const lines = [
        "# Written by twister2-cluster (NfsShare); `pulumi destroy` removes it.",
        "NFS_CORE_PARAM {",
        "    # The export is NFSv4 only: no NLM (NFSv3 locking), no rquota. Without NLM, ganesha also ends",
        "    # its grace period as soon as no client has state left to reclaim (at once on a first start).",
        "    Enable_NLM = false;",
        "    Enable_RQUOTA = false;",
        "}",
    ];
    if (gracePeriod !== undefined) {
        lines.push(
            "NFSv4 {",
            "    # After a restart, clients that held state get this long to reclaim it (ganesha's default: 90).",
            `    Grace_Period = ${gracePeriod};`,
            `    Lease_Lifetime = ${Math.min(60, gracePeriod)};`,
            "}",
        );
    }
    lines.push(
        "EXPORT {",
        `    Export_Id = ${ganeshaExportId};`,
        `    Path = "${path}";`,
        `    Pseudo = "${path}";`,
        "    # Nobody but the CLIENT block's clients.",
        "    Access_Type = None;",
        "    Squash = Root_Squash;",
        `    Anonymous_Uid = ${anonymousId};`,
        `    Anonymous_Gid = ${anonymousId};`,
        "    Protocols = 4;",
        "    Transports = TCP;",
        "    SecType = sys;",
        "    CLIENT {",
        `        Clients = ${clients.join(", ")};`,
        "        Access_Type = RW;",
        "    }",
        "    FSAL {",
        "        Name = VFS;",
        "    }",
        "}",
    );
    return `${lines.join("\n")}\n`;
}

/**
 * The NFS share Twister2 keeps job logs and outputs on: one server exporting `path` (NFSv4, read-write for
 * the listed clients, root squashed), mounted at the same path on the agents. Done when the server serves
 * the export (ganesha: listed and out of its grace period) and every client has it mounted.
 */
export class NfsShare extends pulumi.ComponentResource {
    /** `twister2.resource.nfs.server.address`. */
    public readonly address: pulumi.Output<string>;
    /** `twister2.resource.nfs.server.path` (also the ganesha pseudo path, so `<address>:<path>` mounts either way). */
    public readonly path: pulumi.Output<string>;
    /** The server package's version, as the host reports it. */
    public readonly version: pulumi.Output<string>;

    constructor(name: string, args: NfsShareArgs, opts?: pulumi.ComponentResourceOptions) {
        super("twister2:cluster:NfsShare", name, {}, opts);
        if (args.clients.length === 0) throw new Error("an NFS share needs at least one client");
        const where = { IMPLEMENTATION: args.implementation, EXPORT_NAME: name, EXPORT_PATH: args.path };

        const server = hostScript(`${name}-server`, {
            host: args.server,
            create: "nfs-server.sh",
            createSettings: {
                ...where,
                CONFIG: args.implementation === "kernel"
                    ? kernelExports(args.path, args.clients)
                    : ganeshaConfig(args.path, args.clients, args.gracePeriod),
                OWNER: `${args.ownerUid}:${args.ownerGid}`,
                MODE: args.mode,
                // How long a restart may keep ganesha in its grace period, plus room to start.
                WAIT_SECONDS: (args.gracePeriod ?? 90) + 60,
            },
            delete: "nfs-server-remove.sh",
            deleteSettings: where,
            // Another server program or directory: remove the old export first, then make the new one.
            triggers: [args.implementation, args.path],
        }, { parent: this });

        const mount = { SERVER: args.server.address, EXPORT_PATH: args.path, MOUNT_POINT: args.path };
        const mounts = args.mountOn.map((host) => hostScript(`${name}-mount-${host.name}`, {
            host,
            create: "nfs-mount.sh",
            createSettings: { ...mount, OPTIONS: mountOptions },
            delete: "nfs-unmount.sh",
            deleteSettings: mount,
            triggers: [args.server.address, args.path],
        }, { parent: this, dependsOn: [server] }));

        // Known once the share serves (address) and every client has it mounted (path).
        this.address = server.stdout.apply(() => args.server.address);
        this.path = pulumi.all([server.stdout, ...mounts.map((m) => m.stdout)]).apply(() => args.path);
        this.version = lastLine(server.stdout);
        this.registerOutputs({ address: this.address, path: this.path, version: this.version });
    }
}
