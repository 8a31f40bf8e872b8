// How a host script and its settings appear in a step's command, written (Remote) and read back (the
// policy pack, the preview's summary): `env K=v ... twister2-step <hash> <address>/<script>`, each word
// shell-quoted; a command of several (the setup step's, the sudo-password form) holds several.
import { shellQuote } from "./ssh";

/** One script a command runs: where, which, and with what settings. */
export interface StepCall {
    address: string;
    script: string;
    settings: Record<string, string>;
}

/** The command that runs the script named by `hash` on `address` with `settings` (resolved, names checked). */
export function stepCommandLine(settings: Record<string, string>, hash: string, address: string, script: string): string {
    const env = Object.keys(settings).sort().map((key) => {
        if (!/^[A-Z][A-Z0-9_]*$/.test(key)) throw new Error(`setting name ${key} is not an environment variable name`);
        return `${key}=${shellQuote(settings[key])}`;
    });
    return [...env.length > 0 ? ["env", ...env] : [], "twister2-step", hash, shellQuote(`${address}/${script}`)].join(" ");
}

/** The words of a command line as the shell splits them, for the quoting shellQuote writes ('...', '\''). */
function shellWords(line: string): string[] {
    const words: string[] = [];
    let word: string | undefined;
    for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (c === "'") {
            const end = line.indexOf("'", i + 1);
            word = (word ?? "") + line.slice(i + 1, end < 0 ? line.length : end);
            i = end < 0 ? line.length : end;
        } else if (c === "\\" && i + 1 < line.length) {
            word = (word ?? "") + line[++i];
        } else if (/\s/.test(c)) {
            if (word !== undefined) words.push(word);
            word = undefined;
        } else {
            word = (word ?? "") + c;
        }
    }
    if (word !== undefined) words.push(word);
    return words;
}

/** The scripts a step's command runs, in order, with their settings; none in a command not written by stepCommandLine. */
export function stepsIn(commandLine: unknown): StepCall[] {
    if (typeof commandLine !== "string") return [];
    const words = shellWords(commandLine);
    const calls: StepCall[] = [];
    words.forEach((word, i) => {
        const target = words[i + 2];
        if (word !== "twister2-step" || !target?.includes("/")) return;
        const settings: Record<string, string> = {};
        for (let j = i - 1; j >= 0 && /^[A-Z][A-Z0-9_]*=/.test(words[j]); j--) {
            const at = words[j].indexOf("=");
            settings[words[j].slice(0, at)] = words[j].slice(at + 1);
        }
        const slash = target.indexOf("/");
        calls.push({ address: target.slice(0, slash), script: target.slice(slash + 1), settings });
    });
    return calls;
}
