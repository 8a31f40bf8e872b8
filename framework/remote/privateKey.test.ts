import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { compactPrivateKey, isPassphraseProtected } from "./privateKey";

const keyPair = (type: string, passphrase = "") => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "t2-key-"));
    const file = path.join(dir, "id");
    try {
        execFileSync("ssh-keygen", ["-q", "-t", type, "-N", passphrase, "-C", "someone@somewhere", "-f", file]);
        return { privateText: fs.readFileSync(file, "utf8"), publicLine: fs.readFileSync(`${file}.pub`, "utf8") };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
};

describe("compactPrivateKey", () => {
    it("gives an unencrypted OpenSSH ed25519 key as the PKCS#8 PEM of the same key", () => {
        const { privateText, publicLine } = keyPair("ed25519");
        const compact = compactPrivateKey(privateText);
        expect(compact).toMatch(/^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=]{64}\n-----END PRIVATE KEY-----\n$/);
        expect(compact.length).toBeLessThan(privateText.length / 3);
        // The same key: its public half is the one in id.pub (whose wire form ends with the 32 key bytes).
        const publicKey = crypto.createPublicKey(crypto.createPrivateKey(compact)).export({ format: "der", type: "spki" }).subarray(-32);
        expect(publicKey).toEqual(Buffer.from(publicLine.split(" ")[1], "base64").subarray(-32));
    });

    it("leaves other keys as they are: RSA, ECDSA, encrypted, not a key", () => {
        for (const text of [keyPair("rsa").privateText, keyPair("ecdsa").privateText, keyPair("ed25519", "secret words").privateText, "not a key"]) {
            expect(compactPrivateKey(text)).toBe(text);
        }
    });

    it("refuses an ed25519 key whose private half does not match its public half", () => {
        const { privateText } = keyPair("ed25519");
        const body = privateText.split("\n").slice(1, -2).join("");
        const blob = Buffer.from(body, "base64");
        // The 64-byte secret (seed, then public key) comes just before the comment's length: change the seed.
        const seedAt = blob.indexOf(Buffer.from("someone@somewhere")) - 4 - 64;
        blob[seedAt] ^= 0xff;
        const tampered = `-----BEGIN OPENSSH PRIVATE KEY-----\n${blob.toString("base64")}\n-----END OPENSSH PRIVATE KEY-----\n`;
        expect(compactPrivateKey(tampered)).toBe(tampered);
    });
});

describe("isPassphraseProtected", () => {
    it("tells the keys that need a passphrase: OpenSSH, PKCS#8 and traditional PEM", () => {
        const locked = keyPair("rsa", "secret words");
        const pem = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
        const encryptedPkcs8 = pem.export({ format: "pem", type: "pkcs8", cipher: "aes-256-cbc", passphrase: "secret words" }).toString();
        const traditional = pem.export({ format: "pem", type: "sec1", cipher: "aes-256-cbc", passphrase: "secret words" }).toString();
        for (const text of [keyPair("ed25519", "secret words").privateText, locked.privateText, encryptedPkcs8, traditional]) {
            expect(isPassphraseProtected(text), text.split("\n")[0]).toBe(true);
        }
        const plain = [keyPair("ed25519").privateText, keyPair("rsa").privateText, pem.export({ format: "pem", type: "pkcs8" }).toString(), "not a key"];
        for (const text of plain) expect(isPassphraseProtected(text), text.split("\n")[0]).toBe(false);
    });
});
