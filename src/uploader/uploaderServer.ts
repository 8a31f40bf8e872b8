// The web host Twister2 uploads job packages to (rsync/ssh as a dedicated account) and its workers
// download them from (nginx, read-only HTTP). Also checks its own part of the stack config.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { copyToHost, Host, hostScript } from "../remote/remote";

/** `twister2-cluster:uploader`, typed (see parseUploaderConfig). */
export interface UploaderConfig {
    /** TCP port nginx serves the directory on (Twister2's HTTP.fetch.uri uses it). */
    port: number;
    /** Absolute path on the host, with a trailing slash: Twister2's `twister2.resource.uploader.directory`. */
    directory: string;
    /** Where the directory appears on the web server, `/.../` (default: its path under /var/www/html). */
    urlPath: string;
    /** The upload account (Twister2's scp/ssh `command.connection` user). */
    user: string;
    /** OpenSSH public keys (`type base64 [comment]`) that may log in as `user`. */
    publicKeys: string[];
    /** A `twister2-core*.tar.gz` on the machine running pulumi, published into the directory. */
    corePackage?: { file: string; name: string; sha256: string };
}

export interface RawUploaderConfig {
    port?: unknown; directory?: unknown; urlPath?: unknown; user?: unknown;
    publicKeys?: unknown; publicKeyFiles?: unknown; corePackage?: unknown;
}

/** Twister2's default `twister2.resource.uploader.directory`; nginx's web root on Debian is /var/www/html. */
export const defaultDirectory = "/var/www/html/twister2/mesos/";
const webRoot = "/var/www/html/";

/** TCP ports of the cluster's other services: the uploader must not take one of them. */
export const reservedPorts: Record<number, string> = {
    2181: "ZooKeeper's client port", 2888: "ZooKeeper's quorum port", 3888: "ZooKeeper's election port",
    5050: "the Mesos master's port", 5051: "the Mesos agent's port", 2377: "the swarm's management port",
    7946: "the swarm's gossip port", 2049: "NFS's port",
};

const keyTypes = ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com"];
/** System directories the upload directory must never be. */
const systemDirs = ["/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/opt", "/proc", "/root", "/run", "/sbin", "/srv",
    "/sys", "/tmp", "/usr", "/var", "/var/lib", "/var/log", "/var/www", "/var/www/html"];

/** Why `line` is not an OpenSSH public key line (`type base64 [comment]`), or undefined if it is one. */
export function publicKeyProblem(line: string): string | undefined {
    const [type, blob] = line.trim().split(/\s+/);
    if (!keyTypes.includes(type)) return `does not start with a key type (${keyTypes.slice(0, 3).join(", ")}, ...); options before the key are not accepted`;
    if (!blob || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) return "has no base64 key after its type";
    const bytes = Buffer.from(blob, "base64");
    const length = bytes.length >= 4 ? bytes.readUInt32BE(0) : -1;
    if (length < 0 || bytes.subarray(4, 4 + length).toString("latin1") !== type) return `is not a valid ${type} key (its data does not name the type)`;
    return undefined;
}

const expandHome = (file: string): string => (file.startsWith("~/") ? path.join(os.homedir(), file.slice(2)) : file);

/**
 * Pure: checks `twister2-cluster:uploader` for the one host with the uploader role (`host`) and returns the
 * typed config, adding each problem (config path and fix) to `problems`.
 */
export function parseUploaderConfig(raw: RawUploaderConfig, host: Host & { roles: string[] }, projectDir: string, problems: string[]): UploaderConfig {
    const port = raw.port === undefined ? 8082 : Number(raw.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
        problems.push(`uploader.port: ${String(raw.port)} is not a TCP port (1-65535); Twister2's default is 8082`);
    } else if (port === host.port) {
        problems.push(`uploader.port: ${port} is SSH's port on ${host.name}; choose another port (default 8082)`);
    } else if (reservedPorts[port]) {
        problems.push(`uploader.port: ${port} is ${reservedPorts[port]}; choose another port for the uploader (default 8082)`);
    }

    const rawDirectory = raw.directory === undefined ? defaultDirectory : raw.directory;
    let dir = defaultDirectory;
    if (typeof rawDirectory !== "string" || !/^\/[A-Za-z0-9_.\/-]*$/.test(rawDirectory) || rawDirectory.split("/").some((s) => s === "." || s === "..")) {
        problems.push(`uploader.directory: '${String(rawDirectory)}' is not an absolute path (letters, digits, '_', '.', '-', '/'; no '..'); ` +
            `Twister2's default is ${defaultDirectory}`);
    } else {
        dir = `${rawDirectory.replace(/\/{2,}/g, "/").replace(/\/+$/, "")}/`;
        if (systemDirs.includes(dir.replace(/\/$/, "") || "/")) {
            problems.push(`uploader.directory: ${dir} is a system directory; use a directory of its own such as ${defaultDirectory}`);
        }
    }

    const urlPath = raw.urlPath ?? (dir.startsWith(webRoot) ? dir.slice(webRoot.length - 1) : "/");
    if (typeof urlPath !== "string" || !/^\/([A-Za-z0-9_.-]+\/)*$/.test(urlPath)) {
        problems.push(`uploader.urlPath: '${String(urlPath)}' is not a URL path that starts and ends with '/', such as /twister2/mesos/`);
    }

    const user = raw.user ?? "twister2";
    if (typeof user !== "string" || !/^[a-z_][a-z0-9_-]{0,31}$/.test(user)) {
        problems.push(`uploader.user: '${String(user)}' is not a user name (lower-case letters, digits, '_', '-'); the default is twister2`);
    } else if (user === "root") {
        problems.push("uploader.user: uploads must not log in as root; use a dedicated account such as twister2 (the default)");
    } else if (user === host.user) {
        problems.push(`uploader.user: ${user} is the login this program uses on ${host.name}, and destroy removes the upload account; ` +
            "use a dedicated account such as twister2 (the default)");
    }

    const publicKeys: string[] = [];
    if (raw.publicKeys !== undefined && !Array.isArray(raw.publicKeys)) {
        problems.push("uploader.publicKeys: give a list of OpenSSH public keys, e.g. ['ssh-ed25519 AAAA... alice@laptop']");
    }
    (Array.isArray(raw.publicKeys) ? raw.publicKeys : []).forEach((key, i) => {
        const problem = typeof key === "string" ? publicKeyProblem(key) : "is not a string";
        if (problem) problems.push(`uploader.publicKeys[${i}]: the key ${problem}; paste a line of an id_*.pub file`);
        else publicKeys.push((key as string).trim().split(/\s+/).join(" "));
    });
    if (raw.publicKeyFiles !== undefined && !Array.isArray(raw.publicKeyFiles)) {
        problems.push("uploader.publicKeyFiles: give a list of paths of OpenSSH public key files, e.g. [~/.ssh/id_ed25519.pub]");
    }
    (Array.isArray(raw.publicKeyFiles) ? raw.publicKeyFiles : []).forEach((entry, i) => {
        const file = typeof entry === "string" ? path.resolve(projectDir, expandHome(entry)) : "";
        let text: string;
        try {
            text = fs.readFileSync(file, "utf8");
        } catch {
            problems.push(`uploader.publicKeyFiles[${i}]: ${file || String(entry)} does not exist or is not readable` +
                (typeof entry === "string" && entry.startsWith(".lab/") ? "; run `npm run lab:up` first" : ""));
            return;
        }
        text.split("\n").forEach((line, n) => {
            if (!line.trim() || line.trim().startsWith("#")) return;
            const problem = publicKeyProblem(line);
            if (problem) problems.push(`uploader.publicKeyFiles[${i}]: line ${n + 1} of ${file} ${problem}; give a public key file (id_*.pub)`);
            else publicKeys.push(line.trim().split(/\s+/).join(" "));
        });
    });
    if (publicKeys.length === 0 && raw.publicKeys === undefined && raw.publicKeyFiles === undefined) {
        problems.push("uploader.publicKeys: list at least one SSH public key allowed to upload job packages " +
            "(or publicKeyFiles: paths of id_*.pub files)");
    }

    let corePackage: UploaderConfig["corePackage"];
    if (raw.corePackage !== undefined) {
        const file = typeof raw.corePackage === "string" ? path.resolve(projectDir, expandHome(raw.corePackage)) : "";
        const name = path.basename(file);
        if (!/^twister2-core[A-Za-z0-9._-]*\.tar\.gz$/.test(name)) {
            problems.push(`uploader.corePackage: '${String(raw.corePackage)}' is not the path of a twister2-core*.tar.gz (Twister2's core package)`);
        } else {
            try {
                corePackage = { file, name, sha256: crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex") };
            } catch {
                problems.push(`uploader.corePackage: ${file} does not exist or is not readable`);
            }
        }
    }
    return { port, directory: dir, urlPath: String(urlPath), user: String(user), publicKeys, corePackage };
}

export interface UploaderServerArgs extends UploaderConfig {
    host: Host;
}

/**
 * nginx serving one directory read-only (GET/HEAD, no listings) on its own port, and a dedicated
 * account that uploads into it with rsync/ssh using the given public keys — the two halves of Twister2's
 * uploader (`uploader.directory`, `scp/ssh.command.connection`, `download.method: HTTP`, `HTTP.fetch.uri`).
 */
export class UploaderServer extends pulumi.ComponentResource {
    /** The directory's URL, e.g. `http://10.0.0.12:8082/twister2/mesos/`. */
    public readonly url: string;
    /** The web server's base URL: Twister2's `twister2.resource.HTTP.fetch.uri`. */
    public readonly fetchUri: string;
    /** Twister2's `twister2.resource.uploader.directory`. */
    public readonly directory: string;
    /** `user@host`: Twister2's `twister2.resource.uploader.scp.command.connection`. */
    public readonly scpConnection: string;
    /** `user@host`: Twister2's `twister2.resource.uploader.ssh.command.connection`. */
    public readonly sshConnection: string;
    /** The core package's URL when one is published. */
    public readonly corePackageUrl?: pulumi.Output<string>;

    constructor(name: string, args: UploaderServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("twister2:cluster:UploaderServer", name, {}, opts);
        const { host } = args;
        this.fetchUri = `http://${host.address}:${args.port}`;
        this.url = `${this.fetchUri}${args.urlPath}`;
        this.directory = args.directory;
        this.scpConnection = `${args.user}@${host.address}`;
        this.sshConnection = this.scpConnection;

        const web = hostScript(`${name}-nginx`, {
            host,
            create: "uploader-nginx.sh",
            createSettings: { PORT: args.port, DIRECTORY: args.directory, URL_PATH: args.urlPath },
            delete: "uploader-nginx-remove.sh",
        }, { parent: this });

        // The account and the directory are replaced (undone, then made again) when either name changes,
        // so an old account or directory never lingers; new keys only rewrite authorized_keys.
        const account = hostScript(`${name}-account`, {
            host,
            create: "uploader-account.sh",
            createSettings: { UPLOAD_USER: args.user, DIRECTORY: args.directory, PUBLIC_KEYS: args.publicKeys.join("\n") },
            delete: "uploader-account-remove.sh",
            deleteSettings: { UPLOAD_USER: args.user, DIRECTORY: args.directory },
            triggers: [args.user, args.directory],
        }, { parent: this, dependsOn: [web] });

        if (args.corePackage) {
            const { file, name: packageName, sha256 } = args.corePackage;
            // Copied (SFTP, as the SSH login) into the login's home, then checked and moved into the
            // directory by a root step. Only the file's path and hash are in the state: a new hash copies
            // and publishes again.
            const staged = `.twister2-cluster-${packageName}`;
            const upload = copyToHost(`${name}-core-package-upload`, host, file, staged, { parent: this, dependsOn: [account] });
            const settings = { DIRECTORY: args.directory, NAME: packageName, UPLOAD_USER: args.user, STAGED: staged };
            const core = hostScript(`${name}-core-package`, {
                host,
                create: "uploader-publish.sh",
                createSettings: { ...settings, SHA256: sha256 },
                delete: "uploader-unpublish.sh",
                deleteSettings: settings,
            }, { parent: this, dependsOn: [upload] });
            this.corePackageUrl = core.urn.apply(() => `${this.url}${packageName}`);
        }

        this.registerOutputs({
            url: this.url, fetchUri: this.fetchUri, directory: this.directory,
            scpConnection: this.scpConnection, sshConnection: this.sshConnection, corePackageUrl: this.corePackageUrl,
        });
    }
}
