// What a component needs installed on a host, declared by the component (its config.ts) and installed
// for every component on the host at once, in one apt run, by the host's setup step
// (framework/remote/remote.ts prepareHosts; host/packages-install.sh). A component's own step installs them
// again only if they are missing (its step replaced, and its undo purged them), and its undo purges them.
import { z } from "zod";
import { quotedMatching, textMatching } from "../config/settings";

/**
 * An apt repository: `deb [signed-by=<key>] <url> <distribution> <component>`. The URL, the key's URL
 * and the distribution may hold `{ID}` and `{VERSION_CODENAME}`, each host's own (/etc/os-release).
 */
export interface AptRepository {
    /** Names its files: /etc/apt/sources.list.d/<name>.list, /etc/apt/keyrings/<name>.asc. */
    name: string;
    url: string;
    distribution: string;
    component: string;
    /** The signing key: ASCII-armored text (delivered with the scripts), or an https URL each host downloads it from. */
    key: { text: string } | { url: string };
}

/** What is wrong with an ASCII-armored signing key's text, if anything. */
export function signingKeyProblem(key: string): string | undefined {
    return key.includes("-----BEGIN PGP PUBLIC KEY BLOCK-----") ? undefined : "is not an ASCII-armored PGP public key";
}

export interface PackageNeed {
    /**
     * Names the record of what this program installed for the component on the host
     * ($T2_STATE_DIR/<thing>.packages): the component's undo purges it, and nothing another record lists.
     */
    thing: string;
    /**
     * Debian package names, each pinned as `name=version` where the component takes a version: a host without
     * the package gets that version; one that has it keeps its own until the component's roll installs the
     * pin on its turn (lib.sh pins_differing, apt_install_pins).
     */
    packages: string[];
    /** A command that, found on the host with nothing recorded, means an installation not ours: then nothing is installed (dockerd). */
    unlessCommand?: string;
    /** Where the packages come from, if not the host's own sources. */
    repository?: AptRepository;
}

const thingPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** A Debian package version (an epoch, the upstream version, a revision): what `name=version` pins. */
const versionPattern = /^[0-9][A-Za-z0-9.+~:-]*$/;
const version = versionPattern.source.slice(1, -1);
/** `name`, `name=version`, or `name=<release>/<version>,...` (a version per Debian release, lib.sh pin_here). */
const packagePattern = new RegExp(`^[a-z0-9][a-z0-9+.-]+(=(${version}|[a-z]+/${version}(,[a-z]+/${version})*))?$`);

/** A package version every host takes, or one per Debian release (by codename: bookworm, trixie). */
export type PackagePin = string | Record<string, string>;

/** A pin as text: `version`, or `<release>/<version>,...`. */
export const pinText = (pin: PackagePin): string =>
    typeof pin === "string" ? pin : Object.entries(pin).map(([release, v]) => `${release}/${v}`).join(",");

/** `name` as a package need lists it: pinned to `pin` where there is one. */
export const pinnedPackage = (name: string, pin: PackagePin | undefined): string => pin === undefined ? name : `${name}=${pinText(pin)}`;

/** The version `pin` gives a host of `release`, if any. */
export const pinFor = (pin: PackagePin | undefined, release: string): string | undefined =>
    typeof pin === "string" ? pin : pin?.[release];

/**
 * A setting that pins a package's version (apt-cache madison <package> lists those a host is offered): one for
 * every host, or one per Debian release, by codename (`{ bookworm: ..., trixie: ... }`: a fleet of two releases).
 */
export const packageVersion = (example: string) => {
    const one = quotedMatching(versionPattern, `is not a Debian package version (such as ${example})`);
    return z.union([one, z.record(textMatching(/^[a-z]+$/, (value) => `'${String(value)}' is not a Debian release's codename (such as bookworm)`), one)
        .refine((pins) => Object.keys(pins).length > 0, "give a version, or one per Debian release ({ bookworm: ..., trixie: ... })")]);
};

/**
 * The settings of packages-install.sh for a host's needs: PACKAGES, a line `THING[/COMMAND] PACKAGE...`
 * each, and REPOSITORIES, a line `THING NAME KEY URL DISTRIBUTION COMPONENT` each, the key a host file
 * (`fileOnHost` delivers it with the scripts and gives its path there) or the https URL to download it from.
 */
export function packageSettings(needs: PackageNeed[], fileOnHost: (name: string, text: string) => string): { PACKAGES: string; REPOSITORIES: string } {
    for (const need of needs) {
        if (!thingPattern.test(need.thing)) throw new Error(`package record name '${need.thing}' is not letters, digits, '_', '.' and '-'`);
        const bad = need.packages.find((name) => !packagePattern.test(name));
        if (bad !== undefined) throw new Error(`'${bad}' (for ${need.thing}) is not a Debian package name (with =version, a version)`);
        const repository = need.repository;
        if (repository && [repository.url, repository.distribution, repository.component, ..."url" in repository.key ? [repository.key.url] : []]
            .some((field) => /\s/.test(field) || field === "")) {
            throw new Error(`the apt repository of ${need.thing} has an empty field or one with spaces: ${repository.url} ${repository.distribution} ${repository.component}`);
        }
    }
    return {
        PACKAGES: needs.map((n) => [n.unlessCommand ? `${n.thing}/${n.unlessCommand}` : n.thing, ...n.packages].join(" ")).join("\n"),
        REPOSITORIES: needs.flatMap(({ thing, repository: r }) => r
            ? [[thing, r.name, "url" in r.key ? r.key.url : fileOnHost(`${r.name}.asc`, `${r.key.text.trim()}\n`), r.url, r.distribution, r.component].join(" ")]
            : []).join("\n"),
    };
}
