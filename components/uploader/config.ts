// `twister2-cluster:uploader`: the web host Twister2 uploads job packages to (UploaderServer), checked when
// a host has the uploader role.
import * as path from "node:path";
import { z } from "zod";
import type { FileDigest, FileText } from "../../framework/config/load";
import { inSystemTree } from "../../framework/config/paths";
import { alwaysSaying, text, textMatching, wholeNumber } from "../../framework/config/settings";
import { normalizedKey, publicKeyLines, publicKeyProblem } from "../../framework/config/sshKeys";
import type { PackageNeed } from "../../framework/packages/packages";

export { publicKeyProblem };

/** Twister2's defaults: its uploader's port, `twister2.resource.uploader.directory`, the upload account. */
export const defaultPort = 8082;
export const defaultDirectory = "/var/www/html/twister2/mesos/";
export const defaultUser = "twister2";
/** nginx's web root on Debian. */
const webRoot = "/var/www/html/";

/** The settings; the checks against the uploader's host and the other ports are its contract's (component.ts). */
export const uploaderSettings = z.strictObject({
    port: wholeNumber(1, 65535, (value) => `${String(value)} is not a TCP port (1-65535); Twister2's default is ${defaultPort}`)
        .default(defaultPort)
        .describe("The TCP port nginx serves the directory on (Twister2's HTTP.fetch.uri uses it)"),
    directory: text((value) => `'${String(value)}' is not an absolute path (letters, digits, '_', '.', '-', '/'; no '..'); ` +
        `Twister2's default is ${defaultDirectory}`)
        .regex(/^\/[A-Za-z0-9_.\/-]*$/, { abort: true })
        .refine((dir) => !dir.split("/").some((part) => part === "." || part === ".."))
        .transform((dir) => `${dir.replace(/\/{2,}/g, "/").replace(/\/+$/, "")}/`)
        // The upload account owns it: never a directory of the system's (/etc/ssh/ would hand it sshd's keys).
        .refine((dir) => !inSystemTree(dir.replace(/\/$/, "") || "/", { dataUnderVar: true }), {
            error: (issue) => `${String(issue.input)} is a system directory; use a directory of its own such as ${defaultDirectory}`,
        })
        .default(defaultDirectory)
        .describe("Absolute path on the host, served read-only: Twister2's twister2.resource.uploader.directory"),
    urlPath: textMatching(/^\/([A-Za-z0-9_.-]+\/)*$/, (value) =>
        `'${String(value)}' is not a URL path that starts and ends with '/', such as /twister2/mesos/`)
        .optional()
        .describe("Where the directory appears on the web server; left out, its path under /var/www/html (else /)"),
    user: textMatching(/^[a-z_][a-z0-9_-]{0,31}$/, (value) =>
        `'${String(value)}' is not a user name (lower-case letters, digits, '_', '-'); the default is ${defaultUser}`)
        .refine((user) => user !== "root", {
            abort: true, error: `uploads must not log in as root; use a dedicated account such as ${defaultUser} (the default)`,
        })
        .default(defaultUser)
        .describe("The upload account (Twister2's scp/ssh command.connection user): not root, not the SSH login"),
    publicKeys: z.array(z.string(alwaysSaying((value) =>
        `the key ${typeof value === "string" ? publicKeyProblem(value) : "is not a string"}; paste a line of an id_*.pub file`))
        .refine((line) => !publicKeyProblem(line)).transform(normalizedKey),
    alwaysSaying(() => "give a list of OpenSSH public keys, e.g. ['ssh-ed25519 AAAA... alice@laptop']"))
        .optional()
        .describe("OpenSSH public keys (id_*.pub lines) that may upload job packages"),
    publicKeyFiles: z.array(text()).optional().describe("Files of OpenSSH public keys that may upload, e.g. [~/.ssh/id_ed25519.pub]"),
    corePackage: text((value) => `'${String(value)}' is not the path of a twister2-core*.tar.gz (Twister2's core package)`)
        .refine((file) => /^twister2-core[A-Za-z0-9._-]*\.tar\.gz$/.test(path.basename(file)))
        .optional()
        .describe("A twister2-core*.tar.gz on this machine, published into the directory"),
}).transform(({ urlPath, ...settings }) => ({
    ...settings,
    urlPath: urlPath ?? (settings.directory.startsWith(webRoot) ? settings.directory.slice(webRoot.length - 1) : "/"),
}));
export type UploaderSettings = z.output<typeof uploaderSettings>;

/** The files of `uploader`: each publicKeyFiles entry's text, and the core package's digest. */
export interface UploaderFiles {
    publicKeyFiles: FileText[];
    corePackage?: FileDigest;
}

/** `twister2-cluster:uploader` with what its files hold: UploaderServer's settings. */
export interface UploaderConfig extends Omit<UploaderSettings, "publicKeys" | "publicKeyFiles" | "corePackage"> {
    /** publicKeys and the keys of publicKeyFiles. */
    publicKeys: string[];
    corePackage?: { file: string; name: string; sha256: string };
}

/** The settings with the keys their files hold and the core package's digest (all readable: see uploaderProblems). */
export function uploaderConfig(uploader: UploaderSettings, files: UploaderFiles): UploaderConfig {
    const { publicKeys = [], publicKeyFiles: _, corePackage: __, ...settings } = uploader;
    const fileKeys = files.publicKeyFiles.flatMap((content) => "text" in content ? publicKeyLines(content.text).filter((l) => !l.problem).map((l) => l.key) : []);
    return { ...settings, publicKeys: [...publicKeys, ...fileKeys], corePackage: corePackageOf(files.corePackage) };
}

const corePackageOf = (digest: FileDigest | undefined) =>
    digest && "sha256" in digest ? { file: digest.file, name: path.basename(digest.file), sha256: digest.sha256 } : undefined;

/**
 * What the uploader's host installs for UploaderServer: nginx (and curl for its checks); for the upload
 * account rsync and sshd, and python3 for rsync's rrsync, which confines its uploads to the directory.
 */
export const uploaderPackages: { web: PackageNeed; account: PackageNeed } = {
    web: { thing: "nginx", packages: ["nginx", "curl"] },
    account: { thing: "uploader-account", packages: ["rsync", "openssh-server", "python3"] },
};
