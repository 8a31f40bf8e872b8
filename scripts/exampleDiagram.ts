// The picture docs/architecture.md shows: the cluster of Pulumi.prod.yaml, the example to copy, drawn
// from its config as `npm run diagram -- STACK --no-live` draws a stack's. The example's key files are
// the operator's and not on this machine; the picture needs only its hosts, roles and settings, so
// placeholders stand in for them while it is read. `npm run schema` writes it to docs/cluster.svg.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { clusterDot, parseStackConfig } from "../components";
import type { RawConfig } from "../framework/config/stackConfig";

const projectDir = path.resolve(__dirname, "..");
const project = "twister2-cluster";

/** The DOT text of Pulumi.prod.yaml's cluster. */
export function exampleDot(): string {
    const given = (parse(fs.readFileSync(path.join(projectDir, "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, unknown> }).config;
    const raw = Object.fromEntries(Object.entries(given).map(([key, value]) => [key.slice(`${project}:`.length), value])) as RawConfig & {
        hosts: { privateKeyFile?: string }[]; mesos?: { repository?: { keyFile?: string } };
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "t2-example-"));
    try {
        const privateKey = path.join(dir, "id_ed25519");
        const signingKey = path.join(dir, "signing-key.asc");
        fs.writeFileSync(privateKey, "-----BEGIN OPENSSH PRIVATE KEY-----\nplaceholder\n-----END OPENSSH PRIVATE KEY-----\n", { mode: 0o600 });
        fs.writeFileSync(signingKey, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nplaceholder\n-----END PGP PUBLIC KEY BLOCK-----\n");
        for (const host of raw.hosts) host.privateKeyFile = privateKey;
        if (raw.mesos?.repository) raw.mesos.repository.keyFile = signingKey;
        return clusterDot(parseStackConfig(raw, projectDir), undefined, { stack: "prod" });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** `dot -Tsvg` of `dot` (Graphviz: scripts/setup.sh installs it). */
export const svgOf = (dot: string): string => execFileSync("dot", ["-Tsvg"], { input: dot, encoding: "utf8" });
