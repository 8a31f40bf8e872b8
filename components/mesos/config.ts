// `twister2-cluster:mesos`: where Mesos comes from and how masters and agents are set up (MesosCluster).
// The defaults are AVENTER's maintained Mesos 1.11 builds for Debian 12 (https://www.aventer.biz).
import { z } from "zod";
import { quotedMatching, scalar, text, textMatching, wholeNumber } from "../../framework/config/settings";
import { PackageNeed, PackagePin, packageVersion, pinnedPackage } from "../../framework/packages/packages";

const attributeFix = "names and values may hold letters, digits, '_', '.', '-' and '/'";

const repositorySettings = z.strictObject({
    url: quotedMatching(/^https?:\/\/[^\s'"]+$/, "is not an http(s) URL of an apt repository").default("http://rpm.aventer.biz/Debian")
        .describe("The repository's URL (AVENTER's Mesos builds by default)"),
    distribution: quotedMatching(/^[a-z0-9][a-z0-9._\/-]*$/, "is not an apt suite name (e.g. bookworm)").default("bookworm")
        .describe("The repository's suite: the hosts' release"),
    component: quotedMatching(/^[a-z0-9][a-z0-9._-]*$/, "is not an apt component (e.g. main)").default("main")
        .describe("The repository's component"),
    package: quotedMatching(/^[a-z0-9][a-z0-9+.-]+$/, "is not a Debian package name").default("aventer-mesos")
        .describe("The package with mesos-master, mesos-agent and mesos-init-wrapper"),
    keyFile: text().optional()
        .describe("The repository's ASCII-armored signing key, a file on this machine (required with Mesos hosts)"),
});

export const mesosSettings = z.strictObject({
    repository: repositorySettings.prefault({}).describe("The apt repository Mesos is installed from: deb <url> <distribution> <component>"),
    cluster: quotedMatching(/^[A-Za-z0-9_.-]+$/, "is not a cluster name (letters, digits, '_', '.', '-')").default("twister2")
        .describe("The name the Mesos UI shows"),
    // Destroy removes it: a Mesos package's directory only, never another of /etc's.
    agentFlagsDir: quotedMatching(/^\/etc\/mesos[A-Za-z0-9_.-]*$/, "is not a Mesos package's flag directory under /etc (AVENTER: /etc/mesos-agent, Mesosphere: /etc/mesos-slave)")
        .default("/etc/mesos-agent")
        .describe("Where the package's init wrapper reads agent flags: /etc/mesos-agent (AVENTER) or /etc/mesos-slave (Mesosphere)"),
    workDir: quotedMatching(/^\/[A-Za-z0-9_.\/-]+$/, "is not an absolute path").default("/var/lib/mesos")
        .describe("Masters use <workDir>/master, agents <workDir>/agent"),
    executorRegistrationTimeout: quotedMatching(/^\d+(\.\d+)?(ns|us|ms|secs|mins|hrs|days|weeks)$/,
        "is not a Mesos duration such as 10mins (image pulls happen within it)").default("10mins")
        .describe("How long an agent waits for an executor to register: a first image pull happens within it"),
    agentPrincipal: quotedMatching(/^[A-Za-z0-9_.-]+$/, "is not a principal name").default("twister2-agent")
        .describe("The principal agents authenticate as; its secret is generated and kept encrypted in the state"),
    frameworkPrincipal: quotedMatching(/^[A-Za-z0-9_.-]+$/, "is not a principal name").default("twister2-framework")
        .describe("The principal frameworks on Mesos's HTTP scheduler API (npm run smoke) authenticate as; its secret is generated, kept encrypted in the state, and given by the stack output mesosFramework"),
    operatorPrincipal: quotedMatching(/^[A-Za-z0-9_.-]+$/, "is not a principal name").default("twister2-operator")
        .describe("The principal that may use the masters' and agents' read-write HTTP endpoints (the v1 operator API at /api/v1, maintenance, teardown); its secret is generated, kept encrypted in the state, and given by the stack output mesosOperator"),
    authenticateFrameworks: z.boolean().default(false)
        .describe("Whether frameworks on the libmesos driver must authenticate (--authenticate_frameworks). Twister2's launcher registers without credentials, so true refuses its jobs; left false, the firewall's access.submitters is what limits who registers one (docs/security.md)"),
    agentAttributes: z.record(textMatching(/^[A-Za-z0-9_.-]+$/, () => attributeFix),
        scalar().pipe(textMatching(/^[A-Za-z0-9_.\/-]+$/, () => attributeFix)))
        .default({})
        .describe("Attributes every agent offers, e.g. { rack: r1 }"),
    agentResources: quotedMatching(/^([a-z_]+:[^;\s]+)(;[a-z_]+:[^;\s]+)*$/, "is not a Mesos resources string such as 'cpus:2;mem:4096'").optional()
        .describe("What each agent offers, e.g. cpus:8;mem:30000; left out, what it detects"),
    version: packageVersion("1.11.0-1").optional()
        .describe("The version of the Mesos package (repository.package) every master and agent runs (apt-cache madison <package>), or one per Debian release ({ bookworm: ..., trixie: ... }); " +
            "a change upgrades (or downgrades) the masters one at a time, the leader last, then the agents, each drained, in the roll. Left out, each host runs what the repository offered when it was set up"),
    agentDrainGraceSeconds: wholeNumber(0, 3600, (value) => `${String(value)} is not a number of seconds from 0 to 3600; the default is 60`)
        .default(60)
        .describe("When a change restarts the agents (one at a time, each drained first): how long each drained agent's tasks get before they are killed"),
});
export type MesosSettings = z.output<typeof mesosSettings>;

/** `twister2-cluster:mesos` as MesosCluster takes it: the repository with its signing key, read from keyFile. */
export type MesosConfig = Omit<MesosSettings, "repository"> & {
    repository: Omit<MesosSettings["repository"], "keyFile"> & { key: string };
};

/**
 * What a Mesos master's or agent's host installs (`thing`: mesos-master, mesos-agent): the Mesos package
 * from its repository (at `version`, when pinned), and curl and jq for the health and leader checks.
 */
export const mesosPackages = (thing: "mesos-master" | "mesos-agent", repository: MesosConfig["repository"], version: PackagePin | undefined): PackageNeed => ({
    thing,
    packages: [pinnedPackage(repository.package, version), "curl", "jq"],
    repository: { name: "twister2-mesos", url: repository.url, distribution: repository.distribution, component: repository.component, key: { text: repository.key } },
});
