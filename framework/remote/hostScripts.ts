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
}

/** The scripts `files` names in `dir`, as handles by the names the component gives them. */
export function hostScriptsIn<const T extends Record<string, `${string}.sh`>>(dir: string, files: T): { readonly [K in keyof T]: HostScript } {
    return Object.fromEntries(Object.entries(files).map(([key, name]) => {
        const file = path.join(dir, name);
        if (!fs.existsSync(file)) throw new Error(`host script ${name} is declared but ${file} does not exist`);
        return [key, Object.freeze({ name, path: file })];
    })) as { readonly [K in keyof T]: HostScript };
}

const texts = new Map<string, string>();

/** A script's text, read once per run however many hosts it goes to. */
export function scriptText(script: HostScript): string {
    const text = texts.get(script.path) ?? fs.readFileSync(script.path, "utf8");
    texts.set(script.path, text);
    return text;
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
