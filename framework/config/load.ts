// How the stack config reads from disk, and nowhere else: the inventory (hostsFile), each host's private
// key file, and the files the components' settings name (their contracts' readFiles: a signing key,
// public key files, a package's sha256 from a cache so that an unchanged package is not read again).
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** A path setting's file on this machine: `~/` is the home directory, a relative path is from the project. */
export function resolvePath(setting: string, projectDir: string): string {
    return path.resolve(projectDir, setting.startsWith("~/") ? path.join(os.homedir(), setting.slice(2)) : setting);
}

/** What a path setting names, read from disk: its text (and its permission bits), or why there is none. */
export type FileText = { file: string; text: string; mode?: number } | { file: string; unreadable: "missing" | "directory" };

export function readText(file: string): FileText {
    try {
        const stat = fs.statSync(file);
        return stat.isFile() ? { file, text: fs.readFileSync(file, "utf8"), mode: stat.mode & 0o777 } : { file, unreadable: "directory" };
    } catch {
        return { file, unreadable: "missing" };
    }
}

/** hostsFile's inventory: its JSON, or why it could not be read. */
export type Inventory = { file: string; json: unknown } | { file: string; error: string };

export function readInventory(setting: string, projectDir: string): Inventory {
    const file = resolvePath(setting, projectDir);
    try {
        return { file, json: JSON.parse(fs.readFileSync(file, "utf8")) };
    } catch (err) {
        return { file, error: (err as Error).message };
    }
}

/** A file's sha256 (hex), or why it could not be read. */
export type FileDigest = { file: string; sha256: string } | { file: string; unreadable: "missing" };

interface DigestCache {
    [file: string]: { size: number; mtimeMs: number; sha256: string };
}

/**
 * `file`'s sha256. Kept in `cacheDir` by the file's absolute path, size and modification time: while those
 * stay, the file is not read again (a core package is hundreds of MB, and every preview would hash it).
 */
export function fileSha256(file: string, cacheDir: string): FileDigest {
    let stat: fs.Stats;
    try {
        stat = fs.statSync(file);
        if (!stat.isFile()) return { file, unreadable: "missing" };
    } catch {
        return { file, unreadable: "missing" };
    }
    const cacheFile = path.join(cacheDir, "sha256.json");
    const cache = readDigestCache(cacheFile);
    const cached = cache[file];
    if (cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) return { file, sha256: cached.sha256 };

    let sha256: string;
    try {
        sha256 = hashFile(file);
    } catch {
        return { file, unreadable: "missing" };
    }
    cache[file] = { size: stat.size, mtimeMs: stat.mtimeMs, sha256 };
    try {
        // Written whole, then renamed: a run reading it meanwhile sees the old cache or the new one.
        fs.mkdirSync(cacheDir, { recursive: true });
        const staged = `${cacheFile}.${process.pid}`;
        fs.writeFileSync(staged, `${JSON.stringify(cache, null, 2)}\n`);
        fs.renameSync(staged, cacheFile);
    } catch {
        // An unwritable cache only costs the next run a hash.
    }
    return { file, sha256 };
}

function readDigestCache(cacheFile: string): DigestCache {
    try {
        const cache: unknown = JSON.parse(fs.readFileSync(cacheFile, "utf8"));
        return typeof cache === "object" && cache !== null && !Array.isArray(cache) ? cache as DigestCache : {};
    } catch {
        return {};
    }
}

function hashFile(file: string): string {
    const hash = crypto.createHash("sha256");
    const chunk = Buffer.alloc(1 << 20);
    const fd = fs.openSync(file, "r");
    try {
        for (let read; (read = fs.readSync(fd, chunk, 0, chunk.length, null)) > 0;) hash.update(chunk.subarray(0, read));
    } finally {
        fs.closeSync(fd);
    }
    return hash.digest("hex");
}

/** Where fileSha256 keeps its digests for a project: .twister2/ is git-ignored. */
export const cacheDirOf = (projectDir: string): string => path.join(projectDir, ".twister2", "cache");
