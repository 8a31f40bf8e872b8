// The host's own directories, which a path setting may not take (every component checks its paths here).

/** The operating system's trees: nothing this program makes (a share, an upload directory) goes inside them, but for the data directories below. */
const systemTrees = ["/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/run", "/sbin", "/sys", "/usr", "/var"];
/** Directories whose contents belong to others: a setting may name a directory of its own inside them, never one of them. */
const sharedDirs = ["/", "/home", "/opt", "/root", "/srv", "/tmp", "/var/lib", "/var/log", "/var/www", "/var/www/html"];

/**
 * Whether `dir` (absolute, no trailing `/`) is a system directory or inside one of the system's trees;
 * with `dataUnderVar`, a directory of its own under /var (/var/www/html/twister2) is not.
 */
export function inSystemTree(dir: string, { dataUnderVar = false } = {}): boolean {
    return isSystemDir(dir) || systemTrees.some((tree) => dir.startsWith(`${tree}/`) && !(dataUnderVar && tree === "/var"));
}

/** Whether `dir` (absolute, no trailing `/` but for `/`) is one of the system's own directories. */
export function isSystemDir(dir: string): boolean {
    return systemTrees.includes(dir) || sharedDirs.includes(dir);
}
