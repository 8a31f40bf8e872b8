// The Docker engine's contract: `twister2-cluster:docker`, on every host whose roles run containers.
import * as path from "node:path";
import { factOf, LiveContract } from "../../framework/check/contract";
import type { ClusterHost } from "../../framework/config/hosts";
import type { FileText } from "../../framework/config/load";
import { notReadable, problem } from "../../framework/config/rules";
import type { Problem } from "../../framework/config/settings";
import { DrawingContract, Row } from "../../framework/diagram/contract";
import { pinFor, signingKeyProblem } from "../../framework/packages/packages";
import { hostScriptsIn } from "../../framework/remote/hostScripts";
import { defineComponent } from "../../framework/component";
import { deployedOutputs, deployedVersion } from "../outputs";
import { DockerConfig, dockerKeyUrl, dockerPackages, dockerSettings, DockerSettings } from "./config";

/** Its colour in the diagram (swarm and mesos draw their links to the engine in it). */
export const dockerColor = { fill: "#d9ead3", line: "#38761d" };

export interface DockerLayout {
    /** The hosts that run containers (swarm nodes, Mesos agents): each gets an engine. */
    hosts: ClusterHost[];
}

/** The repository's signing key, when keyFile is set. */
type DockerFiles = FileText | undefined;

/** What the scripts that restart an engine share (its marking, restart_engine): the Mesos agents' roll's too. */
export const dockerEngineLibrary = path.join(__dirname, "host", "docker-lib.sh") as `${string}.sh`;

/** The scripts its steps run on the hosts (host/). */
export const dockerScripts = hostScriptsIn(path.join(__dirname, "host"), {
    install: "docker-install.sh",
    uninstall: "docker-uninstall.sh",
    roll: "docker-roll.sh",
    swarmNodeAvailability: "swarm-node-availability.sh",
}, { libraries: [dockerEngineLibrary] });

/** npm run check: each engine runs the version the stack deployed (its probe is read only, so not in the hosts' bundle). */
const live: LiveContract<DockerConfig, DockerLayout> = {
    probe: {
        script: hostScriptsIn(path.join(__dirname, "host"), { probe: "docker-probe.sh" }).probe,
        settings: (host, { layout }) => layout.hosts.includes(host) ? {} : undefined,
    },
    check: ({ config, layout, outputs, facts }) => layout.hosts.flatMap((host) => {
        const got = facts(host);
        if (!got) return [];
        // Pinned, the package's version is what counts (a roll since the engine's step may have changed the engine's).
        const expected = config.version === undefined ? deployedOutputs(outputs).hosts?.find((h) => h.name === host.name)?.services.docker : undefined;
        const [engine, installed, pinned] = [factOf(got, "engine"), factOf(got, "package"), pinFor(config.version, factOf(got, "release"))];
        return [{
            host: host.name, check: "engine running", ok: /^\d/.test(engine) && (!expected || engine === expected),
            detail: expected && engine !== expected ? `${engine}, expected ${expected}` : engine, repair: { replace: [`docker-${host.name}-engine`] },
        }, ...pinned === undefined ? [] : [{
            host: host.name, check: "version", ok: installed === pinned,
            detail: `${config.source === "docker.io" ? "docker.io" : "docker-ce"} ${installed}${installed === pinned ? "" : `, expected ${pinned} (docker.version)`}`,
        }]];
    }),
};

/** npm run diagram: an engine in each host that runs containers, with where it came from. */
const drawing: DrawingContract<DockerConfig, DockerLayout> = ({ config, layout, live }) => ({
    services: layout.hosts.map((host) => {
        const version = deployedVersion(live, host.name, "docker");
        return { host, service: "docker", lines: ["Docker Engine", version ? `${config.source} ${version}` : config.source], color: dockerColor, row: Row.engine };
    }),
});

export const docker = defineComponent<"docker", DockerSettings, DockerFiles, DockerConfig, DockerLayout>({
    id: "docker",
    scripts: dockerScripts,
    settings: { key: "docker", schema: dockerSettings.prefault({}), description: "Where each host's Docker Engine comes from, and its daemon.json" },
    readFiles: ({ repository }, read) => repository.keyFile === undefined ? undefined : read.text(repository.keyFile),
    // The repository's key is given one way, and readable.
    check: ({ repository: { keyFile, keyUrl } }, { files: signingKey }) => {
        const problems: Problem[] = [];
        if (keyFile !== undefined && keyUrl !== undefined) {
            problems.push(problem("docker.repository.keyUrl", "give the signing key one way: keyFile (a file on this machine) or keyUrl, not both"));
        }
        const wrong = signingKey && ("text" in signingKey ? signingKeyProblem(signingKey.text) : notReadable(keyFile ?? ""));
        if (signingKey && wrong) problems.push(problem("docker.repository.keyFile", `${signingKey.file} ${wrong}`));
        return problems;
    },
    config: (settings, signingKey) => {
        const { keyFile: _, keyUrl, ...repository } = settings.repository;
        return { ...settings, repository: { ...repository, key: signingKey && "text" in signingKey ? { text: signingKey.text } : { url: keyUrl ?? dockerKeyUrl } } };
    },
    warn: (settings, { runsContainers }) => settings.version === undefined && runsContainers.length > 0
        ? ["docker.version is not set: each Docker host runs the engine its package sources offered when it was set up, so hosts set up apart may differ (pin one: apt-cache madison docker-ce, or docker.io)"]
        : [],
    layout: (_config, _hosts, runsContainers) => runsContainers.length > 0 ? { hosts: [...runsContainers] } : undefined,
    packages: (host, layout, config) => layout.hosts.includes(host) ? [dockerPackages(config)] : [],
    live,
    drawing,
});
