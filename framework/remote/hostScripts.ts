// Host scripts as typed handles: a component declares the scripts of its host/ folder once
// (`hostScriptsIn(...)` in its component.ts), lists them in its contract, and its steps name them by
// handle (`scripts.configure`), so a misspelt name does not compile and a missing file stops the program
// as it loads. Remote (remote.ts) bundles every declared script onto the hosts.
import * as fs from "node:fs";
import * as path from "node:path";
import { shellQuote } from "./ssh";

export interface HostScript {
    /** The file's name, `<component>-<what>.sh`: unique in the program (it names the script in commands and logs). */
    readonly name: string;
    /** The file in the checkout. */
    readonly path: string;
    /** Files of functions the script shares with others (a `<component>-lib.sh`), put before its own text in this order. */
    readonly libraries: readonly string[];
}

/**
 * The scripts `files` names in `dir`, as handles by the names the component gives them; with `libraries`,
 * files (in `dir`, or absolute paths) that each of them begins with: functions they share.
 */
export function hostScriptsIn<const T extends Record<string, `${string}.sh`>>(dir: string, files: T, options: { libraries?: readonly `${string}.sh`[] } = {}): { readonly [K in keyof T]: HostScript } {
    const existing = (name: string) => {
        const file = path.resolve(dir, name);
        if (!fs.existsSync(file)) throw new Error(`host script ${name} is declared but ${file} does not exist`);
        return file;
    };
    const libraries = Object.freeze((options.libraries ?? []).map(existing));
    return Object.fromEntries(Object.entries(files).map(([key, name]) => [key, Object.freeze({ name, path: existing(name), libraries })])) as { readonly [K in keyof T]: HostScript };
}

const texts = new Map<string, string>();

/** A file's text, read once per run however many hosts it goes to. */
function fileText(file: string): string {
    const text = texts.get(file) ?? fs.readFileSync(file, "utf8");
    texts.set(file, text);
    return text;
}

/** A script's text: its libraries', then its own. */
export function scriptText(script: HostScript): string {
    return [...script.libraries, script.path].map(fileText).join("\n");
}

/**
 * A fragment of a larger host script (a probe's, preflight's): `script` in a subshell of its own, after
 * its settings as shell assignments, so that neither leaks into the next fragment.
 */
export function subshellFragment(script: HostScript, settings: Readonly<Record<string, string | number | boolean>>): string {
    const assignments = Object.entries(settings).map(([name, value]) => `${name}=${shellQuote(String(value))}`);
    return `(\n${[...assignments, scriptText(script)].join("\n")}\n)`;
}

/** The host scripts of the framework's own steps: every host's setup installs its packages with them. */
export const packageScripts = hostScriptsIn(path.join(__dirname, "..", "packages", "host"), {
    install: "packages-install.sh",
    remove: "packages-remove.sh",
});
