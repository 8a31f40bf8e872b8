// The checks that compare the settings every stack has: the hosts with each other, and the roles with
// each other and with the hosts, as the components' role contracts say. Pure: over parsed settings (a
// setting with a problem of its own is left out of them, see parseSetting) and the files load.ts read.
// Each returns its problems, every one naming a setting and the fix. A component's own checks are in its
// contract (components/<name>/component.ts); the helpers they share are here.
import { HostView, quorumRule, RoleContract, RolePort } from "../component";
import type { SeenHost } from "./hosts";
import type { FileText } from "./load";
import type { Problem } from "./settings";
import { privateKeyProblem } from "./sshKeys";
import { sudoPasswordOf } from "../remote/sudo";

export const withRole = <H extends { roles: readonly string[] }>(hosts: readonly H[], role: string): H[] => hosts.filter((h) => h.roles.includes(role));
export const problem = (where: string, message: string): Problem => ({ where, message });
/** What is said of a file that could not be read, after its path (`setting` as given: a lab file may not be made yet). */
export const notReadable = (setting: string): string => `does not exist or is not readable${setting.startsWith(".lab/") ? "; run `npm run lab:up` first" : ""}`;

/**
 * A port setting of a service on `host` (`what`, "the uploader") is neither the host's SSH port nor a port
 * another role listens on (`ports`, the check context's).
 */
export function portProblems(setting: string, port: number, defaultPort: number, what: string, host: HostView | undefined, ports: readonly RolePort[]): Problem[] {
    const taken = ports.find((p) => p.port === port);
    if (port === host?.port) return [problem(setting, `${port} is SSH's port on ${host.name}; choose another port (default ${defaultPort})`)];
    if (taken) return [problem(setting, `${port} is ${taken.description}; choose another port for ${what} (default ${defaultPort})`)];
    return [];
}

/**
 * Names and addresses are each one host's; each private key file (the hosts' and the bastions') holds a
 * private key; each sudo password file, a password.
 */
export function hostProblems(hosts: readonly SeenHost[], privateKeys: ReadonlyMap<string, FileText>,
    sudoPasswords: ReadonlyMap<string, FileText> = new Map(), bastions: readonly { where: string; privateKeyFile?: string }[] = []): Problem[] {
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
    for (const { where, privateKeyFile } of [...hosts, ...bastions]) {
        const key = privateKeys.get(where);
        if (privateKeyFile === undefined || !key) continue;
        const wrong = "text" in key ? privateKeyProblem(key.text, key.file)
            : key.unreadable === "directory" ? "is not a file; give the path of the SSH private key" : notReadable(privateKeyFile);
        if (wrong) problems.push(problem(`${where}.privateKeyFile`, `${key.file} ${wrong}`));
    }
    for (const { where, sudoPasswordFile } of hosts) {
        const file = sudoPasswords.get(where);
        if (sudoPasswordFile === undefined || !file) continue;
        const wrong = sudoPasswordFileProblem(file, sudoPasswordFile);
        if (wrong) problems.push(problem(`${where}.sudoPasswordFile`, `${file.file} ${wrong}`));
    }
    return problems;
}

/**
 * A sudoPassword is a secret of the stack's config (`hostsSecret`: its `hosts` key is one), never in an
 * inventory file, never beside a sudoPasswordFile, never empty. The problems name the setting, not the value.
 */
export function sudoPasswordProblems(settings: { hosts: readonly SeenHost[] }, hostsSecret: boolean): Problem[] {
    return settings.hosts.flatMap(({ where, sudoPassword, sudoPasswordFile }): Problem[] => {
        if (sudoPassword === undefined) return [];
        const at = `${where}.sudoPassword`;
        if (where.startsWith("hostsFile")) return [problem(at, "an inventory file is no place for a password: give the host a sudoPasswordFile there, or its sudoPassword as a secret of the stack's config")];
        if (!hostsSecret) return [problem(at, `is in plain text in the stack's config: set it as a secret (\`pulumi config set --secret --path '${where}.sudoPassword'\` without the value: it asks for it)`)];
        if (sudoPasswordFile !== undefined) return [problem(at, "give sudoPassword or sudoPasswordFile, not both")];
        if (sudoPassword === "") return [problem(at, "is empty; give the login's sudo password, or leave it out for passwordless sudo")];
        return [];
    });
}

/** What is wrong with a sudo password file (`setting` as given), after its path; undefined: nothing. */
function sudoPasswordFileProblem(file: FileText, setting: string): string | undefined {
    if (!("text" in file)) return file.unreadable === "directory" ? "is not a file; give the path of a file whose first line is the password" : notReadable(setting);
    if (sudoPasswordOf(file.text) === "") return "has an empty first line; its first line is the login's sudo password";
    // As OpenSSH refuses a private key that others may read.
    const mode = file.mode ?? 0;
    if (mode & 0o077) return `may be read by others than its owner (mode 0${mode.toString(8)}): \`chmod 600 ${file.file}\``;
    return undefined;
}

/**
 * A role kept by a majority of its hosts (quorum): a count the quorum rule refuses is a problem (none of
 * them is no problem here: the role is simply unused); another even count is a warning, fine while a dead
 * host is being replaced, not as a layout.
 */
function quorumCount(role: string, count: number, problems: Problem[], warnings: string[]): void {
    if (count > 0 && quorumRule.refuses(count)) {
        problems.push(problem("roles", `2 hosts are ${role}; use an odd number (1, 3, 5): the quorum is a majority of them, and 2 survive no failure`));
    } else if (count % 2 === 0 && count > 0) {
        warnings.push(`roles: ${count} hosts are ${role}: a majority of ${count} survives ${count / 2 - 1} failure(s), as ${count - 1} hosts do; ` +
            "add or remove one once the host being replaced is back");
    }
}

/** At most one host has `role` (the uploader, the NFS server). */
export function oneHostAtMost(role: string, hosts: readonly Pick<HostView, "name" | "roles">[]): Problem[] {
    const holders = withRole(hosts, role);
    return holders.length > 1
        ? [problem("roles", `${holders.length} hosts are ${role} (${holders.map((h) => h.name).join(", ")}); give exactly one host the ${role} role`)]
        : [];
}

/**
 * Roles name hosts that exist, and come with the roles they need, in counts that keep a quorum, as the
 * components' role contracts say. `hostsKnown` is false when the hosts could not be read at all: then no
 * host name is news.
 */
export function roleProblems(contracts: readonly [string, RoleContract][], roles: Record<string, string[]>, hosts: readonly SeenHost[],
    hostsKnown: boolean): { problems: Problem[]; warnings: string[] } {
    const problems: Problem[] = [];
    const warnings: string[] = [];
    const names = hosts.flatMap((h) => h.name ?? []);
    for (const name of Object.keys(roles)) {
        if (hostsKnown && !names.includes(name)) {
            problems.push(problem(`roles.${name}`, `no host is named '${name}'; known hosts: ${names.join(", ") || "none"}`));
        }
    }
    const count = (role: string) => withRole(hosts, role).length;
    for (const [role, { needs = [] }] of contracts) {
        for (const need of needs) if (count(role) > 0 && count(need.role) === 0) problems.push(problem("roles", need.fix));
    }
    for (const [role] of contracts.filter(([, contract]) => contract.quorum)) quorumCount(role, count(role), problems, warnings);
    for (const [role] of contracts.filter(([, contract]) => contract.single)) problems.push(...oneHostAtMost(role, hosts));
    return { problems, warnings };
}
