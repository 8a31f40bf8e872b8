// How a command becomes root on a host, for both kinds of login: passwordless sudo (`sudo CMD`), and a
// sudo that asks for a password (the host's sudoPasswordFile, or its sudoPassword, a secret of the
// stack's config). The password travels only on the
// command's standard input, as its first line: the login's shell reads it into a variable of its own (not
// exported, so in no process's environment), and printf, a shell builtin, hands it to `sudo -S`; no
// command line holds it. `-k` makes sudo ask every time, so that it always reads that line and never
// leaves it for the command; `-p ''` keeps its prompt out of the step's output.
import * as fs from "node:fs";
import type { Host } from "../config/hosts";

/** A sudo password file's password: its first line. */
export const sudoPasswordOf = (text: string): string => text.split("\n")[0];

/** What says a host's sudo password: its sudoPassword or its sudoPasswordFile. */
export type SudoLogin = Pick<Host, "sudoPasswordFile" | "sudoPassword">;

/** Whether the host's sudo asks for a password (one is configured). */
export const asksPassword = (host: SudoLogin): boolean => host.sudoPassword !== undefined || host.sudoPasswordFile !== undefined;

/**
 * The host's sudo password: its sudoPassword, or read from its sudoPasswordFile each time (the file may
 * change between runs); undefined: passwordless.
 */
export function sudoPassword(host: SudoLogin): string | undefined {
    if (host.sudoPassword !== undefined) return host.sudoPassword.reveal();
    return host.sudoPasswordFile === undefined ? undefined : sudoPasswordOf(fs.readFileSync(host.sudoPasswordFile, "utf8"));
}

/** The shell variable of the login's shell that holds the password while a command runs (preflight.sh reads it too). */
const variable = "T2_SUDO_PASSWORD";

/**
 * `commands` run one after another as root (`&&`), as one shell command line for the login's shell. The
 * last one reads the rest of standard input (a step's secrets), the others none. Passwordless: `sudo
 * CMD && sudo CMD2`. With a password, standard input's first line must be it (withPassword).
 */
export function rootCommandLine(host: SudoLogin, commands: readonly string[]): string {
    if (!asksPassword(host)) return commands.map((command) => `sudo ${command}`).join(" && ");
    const sudo = "sudo -S -k -p ''";
    return [`IFS= read -r ${variable}`, ...commands.map((command, i) => i === commands.length - 1
        ? `{ printf '%s\\n' "$${variable}"; cat; } | ${sudo} ${command}`
        : `printf '%s\\n' "$${variable}" | ${sudo} ${command}`)].join(" && ");
}

/** What a command of rootCommandLine reads on standard input: the password's line first, when there is one, then `stdin`. */
export const withPassword = (password: string | undefined, stdin = ""): string =>
    password === undefined ? stdin : `${password}\n${stdin}`;

/**
 * For a bash script that runs as the login and calls sudo itself (preflight's probe): sh that prints, on
 * this machine, the line that reads the password into $T2_SUDO_PASSWORD and then the password's line,
 * taken from the file by the shell (no process's arguments hold it), to go before the script on ssh's
 * standard input. bash reads its script from a pipe a byte at a time, so the read takes the next line.
 */
export const passwordPreamble = (sudoPasswordFile: string, quote: (word: string) => string): string =>
    `printf '%s\\n' 'IFS= read -r ${variable}'; p=; IFS= read -r p <${quote(sudoPasswordFile)} || :; printf '%s\\n' "$p"`;
