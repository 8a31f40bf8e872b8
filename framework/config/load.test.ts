// What the config reads from disk: the core package's sha256 only when the package changed, so that a
// preview or a diagram of an unchanged stack reads no large file.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { cacheDirOf, fileSha256, resolvePath } from "./load";
import { parseStackConfig } from "../../components";
import { hostKey, labHosts, scratchDir } from "../../test/unit/fixtures";

const { dir, keyFile } = scratchDir();
const corePackage = path.join(dir, "twister2-core-0.8.0.tar.gz");
const sha256 = (bytes: Buffer) => crypto.createHash("sha256").update(bytes).digest("hex");
const aWhileAgo = new Date("2026-01-02T03:04:05Z");

/** Writes the package with `bytes`, modified at `mtime`. */
function writePackage(bytes: Buffer, mtime = aWhileAgo): void {
    fs.writeFileSync(corePackage, bytes);
    fs.utimesSync(corePackage, mtime, mtime);
}

const packageHash = () => parseStackConfig({
    hosts: labHosts(keyFile, 1),
    roles: { h1: ["uploader"] },
    uploader: { publicKeys: [`${hostKey} operator`], corePackage },
}, dir).uploader!.corePackage!.sha256;

describe("the core package's sha256", () => {
    it("is read from the file once, then from the cache while the file's size and time stay", () => {
        const first = crypto.randomBytes(64 * 1024);
        writePackage(first);
        expect(packageHash()).toBe(sha256(first));
        expect(fs.existsSync(path.join(cacheDirOf(dir), "sha256.json"))).toBe(true);

        // Other bytes, same size and time: the hash is the cache's, so the file was not read.
        writePackage(crypto.randomBytes(64 * 1024));
        expect(packageHash()).toBe(sha256(first));
    });

    it("is computed again when the file changes", () => {
        const edited = crypto.randomBytes(64 * 1024);
        writePackage(edited, new Date(aWhileAgo.getTime() + 1000));
        expect(packageHash()).toBe(sha256(edited));
        const longer = crypto.randomBytes(64 * 1024 + 1);
        writePackage(longer, new Date(aWhileAgo.getTime() + 1000));
        expect(packageHash()).toBe(sha256(longer));
    });

    it("is kept per file, and a file that is not there is said so", () => {
        writePackage(Buffer.from("0.8"));
        const other = path.join(dir, "twister2-core-0.9.0.tar.gz");
        fs.writeFileSync(other, "0.9");
        expect(fileSha256(other, cacheDirOf(dir))).toEqual({ file: other, sha256: sha256(Buffer.from("0.9")) });
        expect(fileSha256(corePackage, cacheDirOf(dir))).toEqual({ file: corePackage, sha256: sha256(Buffer.from("0.8")) });
        expect(fileSha256(path.join(dir, "missing.tar.gz"), cacheDirOf(dir))).toEqual({ file: path.join(dir, "missing.tar.gz"), unreadable: "missing" });
    });

    it("lives in .twister2/cache/ of the project, which git ignores", () => {
        expect(cacheDirOf("/work/project")).toBe("/work/project/.twister2/cache");
        const ignored = fs.readFileSync(path.join(__dirname, "..", "..", ".gitignore"), "utf8").split("\n");
        expect(ignored).toContain(".twister2/");
    });
});

describe("path settings", () => {
    it("are from the project, or the home directory with ~/", () => {
        expect(resolvePath("keys/id", "/p")).toBe("/p/keys/id");
        expect(resolvePath("/etc/k", "/p")).toBe("/etc/k");
        expect(resolvePath("~/.ssh/id", "/p")).toBe(path.join(os.homedir(), ".ssh/id"));
    });
});
