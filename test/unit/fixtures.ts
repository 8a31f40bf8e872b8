import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { parseStackConfig } from "../../components";
import { ConfigError, RawConfig } from "../../framework/config/stackConfig";

/** A throwaway directory with an SSH key file, standing in for an operator's machine. */
export function scratchDir(): { dir: string; keyFile: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "t2-unit-"));
    const keyFile = path.join(dir, "id_ed25519");
    fs.writeFileSync(keyFile, "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n-----END OPENSSH PRIVATE KEY-----\n", { mode: 0o600 });
    return { dir, keyFile };
}

export const hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB4d5pQ8u5r8o7m1G0a1Yf3mU7wH3gH0r6o1p2q3r4s5";

export function labHosts(keyFile: string, count = 5) {
    return Array.from({ length: count }, (_, i) => ({
        name: `h${i + 1}`,
        address: `10.77.0.${11 + i}`,
        user: "deploy",
        privateKeyFile: keyFile,
        hostKey,
    }));
}

/**
 * The dev stack's layout, parsed as the program parses it (h1-h3: ZooKeeper and Mesos masters, h1 the
 * swarm manager, h2 the uploader, h3 the NFS server, h4-h5 agents), with `extra` settings on top.
 */
export function devLayoutConfig(extra: RawConfig = {}) {
    const { dir, keyFile } = scratchDir();
    const repoKey = path.join(dir, "mesos-repo.asc");
    fs.writeFileSync(repoKey, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZfake\n-----END PGP PUBLIC KEY BLOCK-----\n");
    return parseStackConfig({
        hosts: labHosts(keyFile, 5),
        roles: {
            h1: ["swarm-manager", "zookeeper", "mesos-master"],
            h2: ["swarm-worker", "zookeeper", "mesos-master", "uploader"],
            h3: ["swarm-worker", "zookeeper", "mesos-master", "nfs-server"],
            h4: ["swarm-worker", "mesos-agent"],
            h5: ["swarm-worker", "mesos-agent"],
        },
        docker: { source: "docker.io" },
        overlay: { name: "mesos-overlay", subnet: "10.78.0.0/24" },
        zookeeper: { serverIds: { h1: 1, h2: 2, h3: 3 } },
        uploader: { publicKeys: [`${hostKey} operator`] },
        ...extra,
        mesos: { repository: { keyFile: repoKey }, ...extra.mesos },
    }, dir);
}

/** A stack's config file as `pulumi.runtime.setAllConfig` takes it (values JSON-encoded). */
export function stackConfigFile(file: string, patch: (config: Record<string, any>) => void = () => {}): Record<string, string> {
    const config = (YAML.parse(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> }).config;
    patch(config);
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** The problems parseStackConfig reports for `config` (none: an empty list). */
export function configProblems(config: RawConfig, projectDir: string): string[] {
    try {
        parseStackConfig(config, projectDir);
    } catch (err) {
        if (err instanceof ConfigError) return err.problems;
        throw err;
    }
    return [];
}
