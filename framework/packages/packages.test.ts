import { describe, expect, it } from "vitest";
import { packageSettings } from "./packages";

const key = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZfake\n-----END PGP PUBLIC KEY BLOCK-----\n";
const delivered: [string, string][] = [];
const fileOnHost = (name: string, text: string) => {
    delivered.push([name, text]);
    return `/host/files/${name}`;
};

describe("packageSettings", () => {
    it("gives one line a need, the repository's key as a host file", () => {
        const settings = packageSettings([
            { thing: "docker", packages: ["docker.io"], unlessCommand: "dockerd" },
            { thing: "mesos-agent", packages: ["aventer-mesos", "curl", "jq"],
                repository: { name: "twister2-mesos", url: "http://rpm.aventer.biz/Debian", distribution: "bookworm", component: "main", key: { text: key } } },
        ], fileOnHost);
        expect(settings).toEqual({
            PACKAGES: "docker/dockerd docker.io\nmesos-agent aventer-mesos curl jq",
            REPOSITORIES: "mesos-agent twister2-mesos /host/files/twister2-mesos.asc http://rpm.aventer.biz/Debian bookworm main",
        });
        expect(delivered).toEqual([["twister2-mesos.asc", key]]);
    });

    it("gives a key by URL as it is, for the host to download, and leaves {ID} and {VERSION_CODENAME} to the host", () => {
        const settings = packageSettings([{ thing: "docker", packages: ["docker-ce", "docker-ce-cli", "containerd.io"], unlessCommand: "dockerd",
            repository: { name: "docker", url: "https://download.docker.com/linux/{ID}", distribution: "{VERSION_CODENAME}", component: "stable",
                key: { url: "https://download.docker.com/linux/{ID}/gpg" } } }], fileOnHost);
        expect(settings.REPOSITORIES).toBe("docker docker https://download.docker.com/linux/{ID}/gpg https://download.docker.com/linux/{ID} {VERSION_CODENAME} stable");
    });

    it("gives empty settings for a host that needs nothing", () => {
        expect(packageSettings([], fileOnHost)).toEqual({ PACKAGES: "", REPOSITORIES: "" });
    });

    it.each([
        ["a record name with a slash", { thing: "a/b", packages: ["curl"] }, /record name 'a\/b'/],
        ["a package name with a space", { thing: "x", packages: ["curl jq"] }, /'curl jq' \(for x\) is not a Debian package name/],
        ["a package name that is an option", { thing: "x", packages: ["--force-yes"] }, /'--force-yes'/],
        ["a repository field with a space", { thing: "x", packages: ["curl"], repository: { name: "r", url: "http://a b", distribution: "d", component: "c", key: { text: key } } },
            /the apt repository of x/],
        ["a key URL with a space", { thing: "x", packages: ["curl"], repository: { name: "r", url: "https://a", distribution: "d", component: "c", key: { url: "https://k y" } } },
            /the apt repository of x/],
    ])("refuses %s", (_, need, error) => {
        expect(() => packageSettings([need], fileOnHost)).toThrow(error);
    });
});
