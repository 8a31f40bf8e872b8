// SSH keys in the config: the hosts' pinned host keys, the login's private key file, the public keys
// allowed to upload (uploader.publicKeys and the lines of uploader.publicKeyFiles).
import { isPassphraseProtected } from "../remote/privateKey";

const hostKeyPattern = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+=*$/;

/** `type base64` of a public key line, without the comment (ssh_host_*_key.pub lines end with one). */
export const typeAndKey = (line: string): string => line.trim().split(/\s+/).slice(0, 2).join(" ");

export const isHostKey = (line: string): boolean => hostKeyPattern.test(typeAndKey(line));

/** What is wrong with a private key file for the stack's login, if anything. */
export function privateKeyProblem(text: string, file: string): string | undefined {
    if (!/^-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
        return "holds no private key (it should start with -----BEGIN OPENSSH PRIVATE KEY-----; the .pub file is the public half)";
    }
    // Each step's connection carries the key itself (pulumi-command), and no passphrase is given to it.
    if (isPassphraseProtected(text)) {
        return "is protected by a passphrase, and the steps' SSH connections are given none; use a key without one " +
            "for this stack's login, kept only on the machine that runs pulumi (a copy without it: " +
            `\`cp ${file} ${file}.stack && ssh-keygen -p -N '' -f ${file}.stack\`, then set privateKeyFile to ${file}.stack)`;
    }
    return undefined;
}

const keyTypes = ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com"];

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

/** A public key line as authorized_keys gets it: single spaces. */
export const normalizedKey = (line: string): string => line.trim().split(/\s+/).join(" ");

/** The lines of a public key file (id_*.pub, authorized_keys), blank lines and comments left out. */
export function publicKeyLines(text: string): { line: number; key: string; problem?: string }[] {
    return text.split("\n").flatMap((line, i) => !line.trim() || line.trim().startsWith("#") ? []
        : [{ line: i + 1, key: normalizedKey(line), problem: publicKeyProblem(line) }]);
}
