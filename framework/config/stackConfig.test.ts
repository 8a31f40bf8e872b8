// Bad configs are refused before any resource exists, with messages that name the setting and the fix.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { parseStackConfig, plan } from "../../components";
import { ConfigError, RawConfig } from "./stackConfig";
import { configProblems, hostKey, labHosts, scratchDir } from "../../test/unit/fixtures";

const { dir, keyFile } = scratchDir();
const good = (): RawConfig => ({
    hosts: labHosts(keyFile, 3),
    roles: { h1: ["swarm-manager"], h2: ["swarm-worker"], h3: ["swarm-worker"] },
    docker: { source: "docker.io", version: "20.10.24+dfsg1-1+deb12u1+b6" },
});

const repoKey = path.join(dir, "mesos-repo.asc");
fs.writeFileSync(repoKey, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZfake\n-----END PGP PUBLIC KEY BLOCK-----\n");
const lockedKey = path.join(dir, "id_locked");
execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "secret words", "-f", lockedKey]);
const emptyFirstLine = path.join(dir, "empty-first-line");
fs.writeFileSync(emptyFirstLine, "\nsecond line\n", { mode: 0o600 });
const readableByAll = path.join(dir, "readable-by-all");
fs.writeFileSync(readableByAll, "a password\n", { mode: 0o644 });
fs.chmodSync(readableByAll, 0o644);
const mesosRoles = { h1: ["zookeeper", "mesos-master"], h2: ["mesos-agent"] };
const mesos = (roles: Record<string, string[]>, options: RawConfig["mesos"] = { repository: { keyFile: repoKey } }): RawConfig =>
    ({ ...good(), roles, zookeeper: { serverIds: { h1: 1 } }, mesos: options });

const problemsOf = (config: RawConfig) => configProblems(config, dir);

describe("stack config validation", () => {
    it("accepts a good config and fills in defaults", () => {
        const config = parseStackConfig(good(), dir);
        expect(config.hosts.map((h) => [h.name, h.port, h.roles])).toEqual([
            ["h1", 22, ["swarm-manager"]], ["h2", 22, ["swarm-worker"]], ["h3", 22, ["swarm-worker"]],
        ]);
        // Encrypted unless the stack says otherwise (preflight checks each node's kernel can).
        expect(config.swarm.overlay).toEqual({ name: "mesos-overlay", subnet: undefined, vxlanId: 4194304, encrypted: true });
    });

    const withHost = (i: number, patch: Record<string, unknown>): RawConfig => {
        const config = good();
        config.hosts![i] = { ...config.hosts![i], ...patch };
        return config;
    };
    const cases: [string, RawConfig, RegExp][] = [
        ["no hosts", { roles: {} }, /^hosts: no hosts configured/],
        ["an address that is no address", withHost(1, { address: "10.0.0.300/24" }), /^hosts\[1\]\.address: '10\.0\.0\.300\/24' is neither an IP address nor a DNS name/],
        ["a duplicate name", withHost(1, { name: "h1" }), /^hosts\[1\]\.name: 'h1' is already used by hosts\[0\]/],
        ["a duplicate address", withHost(2, { address: "10.77.0.11" }), /^hosts\[2\]\.address: 10\.77\.0\.11 is also the address of hosts\[0\]/],
        ["a root login", withHost(0, { user: "root" }), /^hosts\[0\]\.user: do not log in as root/],
        ["a missing key file", withHost(0, { privateKeyFile: "/nonexistent/key" }), /^hosts\[0\]\.privateKeyFile: \/nonexistent\/key does not exist or is not readable/],
        ["a missing sudo password file", withHost(0, { sudoPasswordFile: "/nonexistent/sudo-password" }),
            /^hosts\[0\]\.sudoPasswordFile: \/nonexistent\/sudo-password does not exist or is not readable/],
        ["a sudo password file whose first line is empty", withHost(1, { sudoPasswordFile: emptyFirstLine }),
            /^hosts\[1\]\.sudoPasswordFile: \S*empty-first-line has an empty first line; its first line is the login's sudo password$/],
        ["a sudo password file that others may read", withHost(2, { sudoPasswordFile: readableByAll }),
            /^hosts\[2\]\.sudoPasswordFile: \S*readable-by-all may be read by others than its owner \(mode 0644\): `chmod 600 \S*readable-by-all`$/],
        ["a host key that is not one", withHost(0, { hostKey: "AAAA" }), /^hosts\[0\]\.hostKey: set the host's public SSH host key/],
        ["a port out of range", withHost(0, { port: 70000 }), /^hosts\[0\]\.port: 70000 is not a TCP port/],
        ["an unknown role", { ...good(), roles: { h1: ["swarm-manager"], h2: ["mesos-king"] } }, /^roles\.h2\[0\]: unknown role 'mesos-king'; known roles: swarm-manager, swarm-worker, zookeeper/],
        ["roles for an unknown host", { ...good(), roles: { h1: ["swarm-manager"], h9: ["swarm-worker"] } }, /^roles\.h9: no host is named 'h9'; known hosts: h1, h2, h3/],
        ["an even manager count", { ...good(), roles: { h1: ["swarm-manager"], h2: ["swarm-manager"] } }, /^roles: 2 hosts are swarm-manager; use an odd number/],
        ["workers without a manager", { ...good(), roles: { h2: ["swarm-worker"] } }, /^roles: swarm workers need a swarm-manager/],
        ["an even ZooKeeper count", { ...good(), roles: { h1: ["swarm-manager", "zookeeper"], h2: ["zookeeper"] }, zookeeper: { serverIds: { h1: 1, h2: 2 } } }, /^roles: 2 hosts are zookeeper; use an odd number/],
        ["a ZooKeeper server without an id", { ...good(), roles: { h1: ["swarm-manager", "zookeeper"] } }, /^zookeeper\.serverIds\.h1: give ZooKeeper server h1 an id from 1 to 255/],
        ["two ZooKeeper servers with one id", { ...good(), roles: { h1: ["swarm-manager", "zookeeper"], h2: ["zookeeper"], h3: ["zookeeper"] }, zookeeper: { serverIds: { h1: 1, h2: 2, h3: 2 } } }, /^zookeeper\.serverIds\.h3: id 2 is also h2's/],
        ["an id for a host that is no ZooKeeper server", { ...good(), zookeeper: { serverIds: { h2: 1 } } }, /^zookeeper\.serverIds\.h2: h2 does not have the zookeeper role/],
        ["an unknown docker source", { ...good(), docker: { source: "snap" } }, /^docker\.source: 'snap' is not a Docker source; use docker-ce/],
        ["an overlay subnet that is not a CIDR", { ...good(), overlay: { subnet: "10.78.0.0" } }, /^overlay\.subnet: '10\.78\.0\.0' is not an IPv4 CIDR/],
        ["an overlay subnet over the hosts", { ...good(), overlay: { subnet: "10.77.0.0/16" } }, /^overlay\.subnet: 10\.77\.0\.0\/16 contains h1's address 10\.77\.0\.11; choose a subnet outside/],
        ["an even Mesos master count", mesos({ h1: ["zookeeper", "mesos-master"], h2: ["mesos-master"] }), /^roles: 2 hosts are mesos-master; use an odd number \(1, 3, 5\): the quorum is a majority/],
        ["Mesos agents without masters", mesos({ h1: ["zookeeper"], h2: ["mesos-agent"] }), /^roles: mesos-agent hosts need masters/],
        ["Mesos masters without ZooKeeper", mesos({ h1: ["mesos-master"] }), /^roles: Mesos masters find each other through ZooKeeper/],
        ["a Mesos repository without a key", mesos(mesosRoles, { repository: {} }), /^mesos\.repository\.keyFile: set the path of the repository's ASCII-armored signing key/],
        ["a Mesos key file that is no key", mesos(mesosRoles, { repository: { keyFile: keyFile } }), /^mesos\.repository\.keyFile: .* is not an ASCII-armored PGP public key/],
        ["a Mesos repository URL that is not one", mesos(mesosRoles, { repository: { url: "rpm.aventer.biz", keyFile: repoKey } }), /^mesos\.repository\.url: 'rpm\.aventer\.biz' is not an http\(s\) URL/],
        ["an executor timeout that is no Mesos duration", mesos(mesosRoles, { repository: { keyFile: repoKey }, executorRegistrationTimeout: "10m" }), /^mesos\.executorRegistrationTimeout: '10m' is not a Mesos duration such as 10mins/],
        ["an agent flags directory outside /etc", mesos(mesosRoles, { repository: { keyFile: repoKey }, agentFlagsDir: "/tmp/flags" }), /^mesos\.agentFlagsDir: '\/tmp\/flags' is not a Mesos package's flag directory under \/etc/],
        ["an agent flags directory that is another of /etc's (destroy removes it)", mesos(mesosRoles, { repository: { keyFile: repoKey }, agentFlagsDir: "/etc/ssh" }),
            /^mesos\.agentFlagsDir: '\/etc\/ssh' is not a Mesos package's flag directory/],
        ["a framework principal that is the agents'", mesos(mesosRoles, { repository: { keyFile: repoKey }, frameworkPrincipal: "twister2-agent" }),
            /^mesos\.frameworkPrincipal: is twister2-agent, as agentPrincipal is: give each a principal of its own$/],
        ["an operator principal that is the frameworks'", mesos(mesosRoles, { repository: { keyFile: repoKey }, operatorPrincipal: "twister2-framework" }),
            /^mesos\.operatorPrincipal: is twister2-framework, as frameworkPrincipal is: give each a principal of its own$/],
        // Mistakes that used to show only on a host, or as a crash of the program.
        ["a dotted all-digit address", withHost(1, { address: "10.77.0.300" }), /^hosts\[1\]\.address: '10\.77\.0\.300' is neither an IP address nor a DNS name/],
        ["a key file that is a directory", withHost(0, { privateKeyFile: dir }), /^hosts\[0\]\.privateKeyFile: .* is not a file; give the path of the SSH private key/],
        ["a key file that holds no private key", withHost(0, { privateKeyFile: repoKey }), /^hosts\[0\]\.privateKeyFile: .* holds no private key \(it should start with -----BEGIN OPENSSH PRIVATE KEY-----/],
        ["a key file with a passphrase", withHost(2, { privateKeyFile: lockedKey }),
            /^hosts\[2\]\.privateKeyFile: \S*id_locked is protected by a passphrase, and the steps' SSH connections are given none; .*`cp \S*id_locked \S*id_locked\.stack && ssh-keygen -p -N '' -f \S*id_locked\.stack`/],
        ["hosts as a map", { hosts: { h1: labHosts(keyFile, 1)[0] } as never, roles: {} }, /^hosts: give a list here, not a map$/],
        ["a port as text", withHost(0, { port: "22" }), /^hosts\[0\]\.port: give a number here, not '22'$/],
        ["roles as a list", { ...good(), roles: ["swarm-manager"] as never }, /^roles: give a map here, not a list$/],
        ["a host's roles as text", { ...good(), roles: { h1: "swarm-manager" } as never }, /^roles\.h1: give a list here, not 'swarm-manager'$/],
        ["a ZooKeeper tickTime as text", { ...good(), zookeeper: { tickTime: "2000" } }, /^zookeeper\.tickTime: give a number here, not '2000'$/],
        ["serverIds as a list", { ...good(), zookeeper: { serverIds: [1, 2] as never } }, /^zookeeper\.serverIds: give a map here, not a list$/],
        ["encrypted as text", { ...good(), overlay: { encrypted: "yes" } }, /^overlay\.encrypted: give true or false here, not 'yes'$/],
        ["a Mesos repository as text", mesos(mesosRoles, { repository: "aventer" as never }), /^mesos\.repository: give a map here, not 'aventer'$/],
        ["a docker section as a list", { ...good(), docker: ["docker.io"] as never }, /^docker: give a map here, not a list$/],
    ];
    it.each(cases)("refuses %s", (_, config, message) => {
        const problems = problemsOf(config);
        expect(problems.some((p) => message.test(p)), `problems were:\n${problems.join("\n")}`).toBe(true);
    });

    it("accepts four ZooKeeper servers and Mesos masters, as while a dead one is replaced, with a warning", () => {
        const roles = { h1: ["swarm-manager", "zookeeper", "mesos-master"], h2: ["zookeeper", "mesos-master"], h3: ["zookeeper", "mesos-master"], h4: ["zookeeper", "mesos-master", "mesos-agent"] };
        const config = parseStackConfig({ ...mesos(roles, { repository: { keyFile: repoKey }, version: "1.11.0-1" }), hosts: labHosts(keyFile, 4), zookeeper: { serverIds: { h1: 1, h2: 2, h3: 3, h4: 4 }, version: "3.8.0-11+deb12u2" },
            access: { submitters: ["10.20.0.0/16"] } }, dir);
        expect(config.warnings).toEqual([
            "roles: 4 hosts are zookeeper: a majority of 4 survives 1 failure(s), as 3 hosts do; add or remove one once the host being replaced is back",
            "roles: 4 hosts are mesos-master: a majority of 4 survives 1 failure(s), as 3 hosts do; add or remove one once the host being replaced is back",
        ]);
        expect(parseStackConfig(good(), dir).warnings).toEqual([]);
    });

    it("warns that ZooKeeper hosts may drift while zookeeper.version is not set, and pins its packages together when it is", () => {
        const roles = { h1: ["swarm-manager", "zookeeper"] };
        const access = { submitters: ["10.20.0.0/16"] };
        expect(parseStackConfig({ ...good(), roles, access, zookeeper: { serverIds: { h1: 1 } } }, dir).warnings)
            .toEqual([expect.stringMatching(/^zookeeper\.version is not set: each ZooKeeper host runs the version its package sources offered/)]);
        const pinned = parseStackConfig({ ...good(), roles, access, zookeeper: { serverIds: { h1: 1 }, version: "3.8.0-11+deb12u1" } }, dir);
        expect(pinned.warnings).toEqual([]);
        expect(plan(pinned).packages.h1.find((need) => need.thing === "zookeeper")?.packages)
            .toEqual(["zookeeperd=3.8.0-11+deb12u1", "zookeeper=3.8.0-11+deb12u1", "libzookeeper-java=3.8.0-11+deb12u1", "netcat-openbsd"]);
        // A fleet of two Debian releases: a version each (each host takes its own release's, lib.sh pins_here).
        const perRelease = parseStackConfig({ ...good(), roles, access, zookeeper: { serverIds: { h1: 1 }, version: { bookworm: "3.8.0-11+deb12u2", trixie: "3.9.3-2" } } }, dir);
        expect(plan(perRelease).packages.h1.find((need) => need.thing === "zookeeper")?.packages[0]).toBe("zookeeperd=bookworm/3.8.0-11+deb12u2,trixie/3.9.3-2");
        expect(problemsOf({ ...good(), roles, zookeeper: { serverIds: { h1: 1 }, version: { Bookworm: "3.8.0-11+deb12u2" } } }))
            .toContain("zookeeper.version: 'Bookworm' is not a Debian release's codename (such as bookworm)");
        expect(problemsOf({ ...good(), roles, zookeeper: { serverIds: { h1: 1 }, version: "latest; rm -rf /" } }))
            .toContain("zookeeper.version: 'latest; rm -rf /' is not a Debian package version (such as 3.8.0-11+deb12u2)");
    });

    it("warns that Mesos hosts may drift while mesos.version is not set, and pins the repository's package when it is", () => {
        const roles = { h1: ["swarm-manager", "zookeeper", "mesos-master", "mesos-agent"] };
        const access = { submitters: ["10.20.0.0/16"] };
        const unpinned = parseStackConfig({ ...mesos(roles), access, zookeeper: { serverIds: { h1: 1 }, version: "3.8.0-11+deb12u2" } }, dir);
        expect(unpinned.warnings).toEqual([expect.stringMatching(/^mesos\.version is not set: each Mesos host runs the version its repository offered .*apt-cache madison aventer-mesos/)]);
        const pinned = parseStackConfig({ ...mesos(roles, { repository: { keyFile: repoKey }, version: { bookworm: "1.11.0-1", trixie: "1.11.0-2" } }), access,
            zookeeper: { serverIds: { h1: 1 }, version: "3.8.0-11+deb12u2" } }, dir);
        expect(pinned.warnings).toEqual([]);
        // The master's and the agent's needs pin the one package alike: whichever daemon's turn comes first installs it.
        expect(plan(pinned).packages.h1.filter((need) => need.thing.startsWith("mesos-")).map((need) => need.packages[0]))
            .toEqual(["aventer-mesos=bookworm/1.11.0-1,trixie/1.11.0-2", "aventer-mesos=bookworm/1.11.0-1,trixie/1.11.0-2"]);
    });

    it("warns that Docker hosts may drift while docker.version is not set, where hosts run containers", () => {
        const access = { submitters: ["10.20.0.0/16"] };
        expect(parseStackConfig({ ...good(), access, docker: { source: "docker.io" } }, dir).warnings)
            .toEqual([expect.stringMatching(/^docker\.version is not set: each Docker host runs the engine its package sources offered/)]);
        expect(parseStackConfig({ ...good(), access, roles: { h1: ["zookeeper"] }, zookeeper: { serverIds: { h1: 1 }, version: "3.8.0-11+deb12u2" },
            docker: { source: "docker.io" } }, dir).warnings).toEqual([]);
    });

    it("says a mistyped setting once, not again as the checks after it would", () => {
        const problems = problemsOf(withHost(0, { name: 7 }));
        expect(problems.filter((p) => p.startsWith("hosts[0].name"))).toEqual(["hosts[0].name: give text here, not 7"]);
        expect(problemsOf({ hosts: { h1: {} } as never, roles: { h1: ["swarm-manager"] } })).toEqual(["hosts: give a list here, not a map"]);
    });

    it("never throws anything but a list of problems, whatever type a section has", () => {
        const wrongs: unknown[] = ["text", 7, true, ["a", "list"], { a: "map" }, [{ name: 1 }], null];
        for (const key of ["hostsFile", "hosts", "roles", "docker", "overlay", "zookeeper", "mesos", "uploader", "nfs", "workerImage"]) {
            for (const wrong of wrongs) {
                const config = { ...mesos({ h1: ["swarm-manager", "zookeeper", "mesos-master", "uploader", "nfs-server"], h2: ["mesos-agent"] }), [key]: wrong } as RawConfig;
                expect(() => problemsOf(config), `${key}: ${JSON.stringify(wrong)}`).not.toThrow();
            }
        }
    });

    it("reports every problem at once", () => {
        const config = withHost(0, { user: "root", hostKey: "nope" });
        config.docker = { source: "snap" };
        expect(problemsOf(config)).toHaveLength(3);
    });

    it("checks an inventory file's types too", () => {
        const inventory = path.join(dir, "inventory-as-map.json");
        fs.writeFileSync(inventory, JSON.stringify({ hosts: { h1: labHosts(keyFile, 1)[0] } }));
        expect(problemsOf({ hostsFile: inventory, roles: { h1: ["swarm-manager"] } })).toEqual([`hostsFile (${inventory}).hosts: give a list here, not a map`]);
    });

    it("reads hosts from an inventory file and says how to make one when it is missing", () => {
        const problems = problemsOf({ hostsFile: "missing.json", roles: { h1: ["swarm-manager"] } });
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/^hostsFile: cannot read .*missing\.json .*npm run lab:up/);
        expect(hostKey).toMatch(/^ssh-ed25519 /);
    });
});

describe("the dev stack's config", () => {
    // The lab's files, as `npm run lab:up` leaves them in .lab/ (hostsFile, the login's public key, the stand-in repositories' key).
    const project = path.join(dir, "lab-project");
    fs.mkdirSync(path.join(project, ".lab", "apt-repo"), { recursive: true });
    const inventory = { hosts: labHosts(keyFile, 5).map((h) => ({ ...h, container: `t2-lab-${h.name}` })) };
    fs.writeFileSync(path.join(project, ".lab", "inventory.json"), JSON.stringify(inventory));
    fs.writeFileSync(path.join(project, ".lab", "id_ed25519.pub"), `${hostKey} lab\n`);
    fs.copyFileSync(repoKey, path.join(project, ".lab", "apt-repo", "key.asc"));
    const devStack = (): Record<string, any> => {
        const yaml = YAML.parse(fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
        return Object.fromEntries(Object.entries(yaml.config).map(([key, value]) => [key.replace(/^twister2-cluster:/, ""), value]));
    };

    it("is right, with the lab's inventory", () => {
        const config = parseStackConfig(devStack(), project);
        expect(config.hosts.map((h) => h.name)).toEqual(["h1", "h2", "h3", "h4", "h5"]);
        expect(Object.keys(config.hosts[0]).sort()).toEqual(["address", "hostKey", "name", "port", "privateKeyFile", "roles", "user"]);
    });

    it("says what test/e2e/config.e2e.test.ts expects of its bad config, every problem at once", () => {
        const config = devStack();
        config.roles.h2 = ["swarm-manager", "zookeeper", "mesos-master", "uploader"];
        config.nfs.clients = ["*"];
        config.uploader.port = 5050;
        config.overlay.subnet = "10.77.0.0/16";
        const problems = configProblems(config, project);
        expect(problems).toEqual([
            "nfs.clients[0]: '*' opens the share to the world; list the hosts' addresses or their subnet (e.g. 10.77.0.0/24), " +
                "or leave nfs.clients out to allow the cluster's hosts",
            "roles: 2 hosts are swarm-manager; use an odd number (1, 3, 5): the quorum is a majority of them, and 2 survive no failure",
            ...[1, 2, 3, 4, 5].map((i) => `overlay.subnet: 10.77.0.0/16 contains h${i}'s address 10.77.0.${10 + i}; choose a subnet outside the hosts' network`),
            "uploader.port: 5050 is the Mesos master's port; choose another port for the uploader (default 8082)",
        ]);
        // The e2e test's expectations, on the message ConfigError makes of them (what `pulumi preview` prints).
        const message = new ConfigError(problems).message;
        for (const expected of [/roles: 2 hosts are swarm-manager; use an odd number/, /nfs\.clients/, /uploader\.port/, /overlay\.subnet: 10\.77\.0\.0\/16 contains h1's address/]) {
            expect(message).toMatch(expected);
        }
    });
});
