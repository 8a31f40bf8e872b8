// What a component needs installed on a host, declared by the component (its config.ts) and installed
// for every component on the host at once, in one apt run, by the host's setup step
// (framework/remote/remote.ts prepareHosts; host/packages-install.sh). A component's own step installs them
// again only if they are missing (its step replaced, and its undo purged them), and its undo purges them.

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
    packages: string[];
    /** A command that, found on the host with nothing recorded, means an installation not ours: then nothing is installed (dockerd). */
    unlessCommand?: string;
    /** Where the packages come from, if not the host's own sources. */
    repository?: AptRepository;
}

const thingPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const packagePattern = /^[a-z0-9][a-z0-9+.-]+$/;

/**
 * The settings of packages-install.sh for a host's needs: PACKAGES, a line `THING[/COMMAND] PACKAGE...`
 * each, and REPOSITORIES, a line `THING NAME KEY URL DISTRIBUTION COMPONENT` each, the key a host file
 * (`fileOnHost` delivers it with the scripts and gives its path there) or the https URL to download it from.
 */
export function packageSettings(needs: PackageNeed[], fileOnHost: (name: string, text: string) => string): { PACKAGES: string; REPOSITORIES: string } {
    for (const need of needs) {
        if (!thingPattern.test(need.thing)) throw new Error(`package record name '${need.thing}' is not letters, digits, '_', '.' and '-'`);
        const bad = need.packages.find((name) => !packagePattern.test(name));
        if (bad !== undefined) throw new Error(`'${bad}' (for ${need.thing}) is not a Debian package name`);
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
