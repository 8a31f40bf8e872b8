// The private key as each step's connection carries it. The state keeps every step's connection (an
// encrypted copy in its inputs and another in its outputs), so the key's size counts once per step
// twice over: an unencrypted OpenSSH ed25519 key (about 400 characters with its comment) travels as the
// PKCS#8 PEM of the same key (119), which pulumi-command's SSH client reads alike
// (golang.org/x/crypto/ssh ParsePrivateKey). Any other key travels as its file has it.
import * as crypto from "node:crypto";

const opensshHeader = "-----BEGIN OPENSSH PRIVATE KEY-----";
const opensshFooter = "-----END OPENSSH PRIVATE KEY-----";
/** PKCS#8 PrivateKeyInfo for Ed25519 (RFC 8410) up to the 32-byte seed. */
const pkcs8Ed25519Prefix = Buffer.from("302e020100300506032b657004220420", "hex");

export function compactPrivateKey(text: string): string {
    const seed = ed25519Seed(text);
    if (!seed) return text;
    const der = Buffer.concat([pkcs8Ed25519Prefix, seed]);
    return `-----BEGIN PRIVATE KEY-----\n${der.toString("base64")}\n-----END PRIVATE KEY-----\n`;
}

/** Reads PROTOCOL.key's fields: 32-bit integers and length-prefixed strings; undefined past the end. */
function fieldReader(blob: Buffer, at: number) {
    return {
        u32(): number | undefined {
            if (at + 4 > blob.length) return undefined;
            at += 4;
            return blob.readUInt32BE(at - 4);
        },
        string(): Buffer | undefined {
            const length = this.u32();
            if (length === undefined || at + length > blob.length) return undefined;
            at += length;
            return blob.subarray(at - length, at);
        },
    };
}

/** An OpenSSH key file's fields after its magic (PROTOCOL.key), or undefined for another format. */
function opensshKeyFile(text: string) {
    const trimmed = text.trim();
    if (!trimmed.startsWith(opensshHeader) || !trimmed.endsWith(opensshFooter)) return undefined;
    const blob = Buffer.from(trimmed.slice(opensshHeader.length, -opensshFooter.length).replace(/\s+/g, ""), "base64");
    const magic = "openssh-key-v1\0";
    return blob.subarray(0, magic.length).toString("latin1") === magic ? fieldReader(blob, magic.length) : undefined;
}

/** Whether the key file needs a passphrase (OpenSSH, PKCS#8 or traditional PEM encryption). */
export function isPassphraseProtected(text: string): boolean {
    if (/^-----BEGIN ENCRYPTED PRIVATE KEY-----/m.test(text) || /^Proc-Type: 4,ENCRYPTED/m.test(text)) return true;
    const cipher = opensshKeyFile(text)?.string()?.toString();
    return cipher !== undefined && cipher !== "none";
}

/** The seed of an unencrypted OpenSSH ed25519 key (PROTOCOL.key), checked against its public key; else undefined. */
function ed25519Seed(text: string): Buffer | undefined {
    const file = opensshKeyFile(text);
    if (!file) return undefined;
    const [cipher, kdf] = [file.string(), file.string()];
    file.string(); // KDF options
    if (cipher?.toString() !== "none" || kdf?.toString() !== "none" || file.u32() !== 1) return undefined;
    file.string(); // the public key
    const privateBlock = file.string();
    if (!privateBlock) return undefined;
    const block = fieldReader(privateBlock, 0);
    if (block.u32() !== block.u32() || block.string()?.toString() !== "ssh-ed25519") return undefined;
    const [publicKey, secret] = [block.string(), block.string()];
    if (publicKey?.length !== 32 || secret?.length !== 64) return undefined;
    const seed = Buffer.from(secret.subarray(0, 32));
    // The seed must give the key's own public half, or the file is not what it claims.
    const derived = crypto.createPublicKey(crypto.createPrivateKey({ key: Buffer.concat([pkcs8Ed25519Prefix, seed]), format: "der", type: "pkcs8" }))
        .export({ format: "der", type: "spki" }).subarray(-32);
    return derived.equals(publicKey) ? seed : undefined;
}
