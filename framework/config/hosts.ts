// `twister2-cluster:hosts` (or an inventory file's hosts) and `twister2-cluster:roles`: the machines and
// what each one is (the roles are the components', framework/component.ts). Whether the roles fit
// together is for rules.ts.
import { z } from "zod";
import { isHostAddress } from "./addresses";
import { text, textMatching, wholeNumber } from "./settings";
import type { SecretText } from "./secretText";
import { isHostKey, typeAndKey } from "./sshKeys";

/** A machine the cluster is built on, as the stack config describes it. */
export interface Host {
    /** Short name used in resource names and outputs (h1, zk-1, ...). */
    name: string;
    /** IP address (or DNS name) that other hosts and this program reach it at. */
    address: string;
    /** SSH login: a user with sudo (passwordless, or with sudoPasswordFile or sudoPassword), never root. */
    user: string;
    port: number;
    /**
     * Path of the login's SSH private key (without a passphrase) on the machine that runs `pulumi`. Unset:
     * the keys of the SSH agent at SSH_AUTH_SOCK log in, and the state keeps no key.
     */
    privateKeyFile?: string;
    /** The host's public SSH host key (`ssh-ed25519 AAAA...`); connections to any other key fail. */
    hostKey: string;
    /**
     * Path of a file on the machine that runs `pulumi` whose first line is the login's sudo password, for a
     * login whose sudo asks for one. Unset: sudo must not ask (NOPASSWD).
     */
    sudoPasswordFile?: string;
    /** The login's sudo password, from a secret of the stack's config (in place of sudoPasswordFile); it shows as "[secret]". */
    sudoPassword?: SecretText;
    /** The jump host every connection to this host goes through (the stack's `bastion`, or the host's own); unset: direct. */
    bastion?: Bastion;
}

/**
 * A jump host (bastion): SSH reaches the cluster's hosts only through it, one hop, as OpenSSH's `-J` and
 * pulumi-command's `connection.proxy` do. Its login needs no sudo, only TCP forwarding (sshd's
 * `AllowTcpForwarding`, on by default).
 */
export interface Bastion {
    address: string;
    user: string;
    port: number;
    /** Path of the bastion login's private key on the machine that runs `pulumi`; unset: the SSH agent's keys. */
    privateKeyFile?: string;
    /** The bastion's public SSH host key, pinned as the hosts' are. */
    hostKey: string;
}

/** The bastions `hosts` are reached through, each once (by login, address and port). */
export function distinctBastions(hosts: readonly Pick<Host, "bastion">[]): Bastion[] {
    return [...new Map(hosts.flatMap((h) => h.bastion ? [[bastionId(h.bastion), h.bastion] as const] : [])).values()];
}

/** What tells one bastion from another. */
export const bastionId = (bastion: Bastion): string => `${bastion.user}@${bastion.address}:${bastion.port}`;

/** A host of the cluster with its roles. */
export interface ClusterHost extends Host {
    roles: string[];
}

const sshFields = {
    address: text((value) => `'${String(value)}' is neither an IP address nor a DNS name`).refine(isHostAddress)
        .describe("Where SSH reaches the host: an IP address or a DNS name"),
    port: wholeNumber(1, 65535, (value) => `${String(value)} is not a TCP port (1-65535)`).default(22).describe("The host's SSH port"),
    privateKeyFile: text(() => "set the path of the SSH private key of the host's user, or leave it out to log in with the SSH agent's keys")
        .optional()
        .describe("The login's SSH private key file on this machine, without a passphrase (~/ is your home directory); " +
            "unset: the keys of the SSH agent at SSH_AUTH_SOCK log in, and the state keeps no key"),
    hostKey: text(() => "set the host's public SSH host key ('ssh-ed25519 AAAA...'; " +
        "read it from the host's /etc/ssh/ssh_host_ed25519_key.pub over a trusted channel)")
        .refine(isHostKey).transform(typeAndKey)
        .describe("The host's public SSH host key, pinned: ssh refuses any other"),
};

/** A jump host, as the stack's `bastion` or a host's own gives it. */
export const bastionSettings = z.strictObject({
    ...sshFields,
    user: text((value) => `set the bastion's SSH login, got '${String(value)}'`).regex(/^[a-z_][a-z0-9_-]*$/, { abort: true })
        .describe("The login on the bastion: it needs no sudo, only TCP forwarding"),
}).describe("A jump host: every SSH connection to the hosts goes through it (one hop, as ssh -J), its key pinned as theirs are");

const hostFields = {
    name: textMatching(/^[a-z0-9][a-z0-9-]*$/, (value) => `'${String(value)}' is not a valid host name; use lower-case letters, digits and '-'`)
        .describe("The host's name in this stack (roles, serverIds and resource names use it)"),
    address: sshFields.address,
    user: text((value) => `set the SSH login (a user with sudo), got '${String(value)}'`)
        .regex(/^[a-z_][a-z0-9_-]*$/, { abort: true })
        .refine((user) => user !== "root", { error: "do not log in as root; use a user with sudo" })
        .describe("The SSH login: a user with sudo (passwordless, or with sudoPasswordFile or sudoPassword), not root"),
    port: sshFields.port,
    privateKeyFile: sshFields.privateKeyFile,
    hostKey: sshFields.hostKey,
    sudoPasswordFile: text(() => "set the path of a file holding the login's sudo password, or leave it out for passwordless sudo")
        .optional()
        .describe("For a login whose sudo asks for a password: a file on this machine (~/ is your home directory) whose first line " +
            "is the password, readable by you alone (chmod 600; a file others may read is refused); it reaches sudo on the host on standard input. Unset: sudo must not ask"),
    sudoPassword: text(() => "set the login's sudo password as a secret (`pulumi config set --secret --path 'hosts[N].sudoPassword'`), or leave it out")
        .optional()
        .describe("For a login whose sudo asks for a password, in place of sudoPasswordFile: the password, a secret of the stack's config " +
            "(`pulumi config set --secret --path 'hosts[N].sudoPassword'`; in plain text it is refused, and so it is in an inventory file). " +
            "It reaches sudo on the host on standard input"),
    bastion: z.union([z.literal(false), bastionSettings], { error: () => "give a bastion (address, user, hostKey, and port, privateKeyFile as a host's), or false to reach this host directly" })
        .optional()
        .describe("This host's own jump host, in place of the stack's bastion; false: reached directly"),
};

/** A host as Pulumi.<stack>.yaml gives it. */
export const hostSettings = z.strictObject(hostFields);
/** A host as an inventory file gives it: it may say more (lab.sh writes each host's container). */
export const inventoryHostSettings = z.looseObject(hostFields);
export type HostSettings = z.output<typeof hostSettings>;
export type BastionSettings = z.output<typeof bastionSettings>;

/** A host as the checks see it: those of its settings that are right (all, unless it has a problem), and its roles. */
export interface SeenHost extends Partial<HostSettings> {
    where: string;
    roles: string[];
    /** The host's settings when every one is right. */
    complete?: HostSettings;
}

/** A hostsFile: an inventory JSON with a list of hosts (lab.sh writes .lab/inventory.json). */
export const inventorySettings = z.looseObject({ hosts: z.array(z.unknown()).optional() });
