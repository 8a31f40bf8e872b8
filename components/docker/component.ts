// The Docker engine's contract: `twister2-cluster:docker`, on every host whose roles run containers.
import * as path from "node:path";
import type { ClusterHost } from "../../framework/config/hosts";
import { hostScriptsIn } from "../../framework/remote/hostScripts";
import { defineComponent } from "../../framework/component";
import { dockerPackages, dockerSettings, DockerSettings } from "./config";

export interface DockerLayout {
    /** The hosts that run containers (swarm nodes, Mesos agents): each gets an engine. */
    hosts: ClusterHost[];
}

/** The scripts its steps run on the hosts (host/). */
export const dockerScripts = hostScriptsIn(path.join(__dirname, "host"), {
    install: "docker-install.sh",
    uninstall: "docker-uninstall.sh",
});

export const docker = defineComponent<"docker", DockerSettings, undefined, DockerSettings, DockerLayout>({
    id: "docker",
    scripts: dockerScripts,
    settings: { key: "docker", schema: dockerSettings.prefault({}), description: "Where each host's Docker Engine comes from, and its daemon.json" },
    layout: (_config, _hosts, runsContainers) => runsContainers.length > 0 ? { hosts: [...runsContainers] } : undefined,
    packages: (host, layout, config) => layout.hosts.includes(host) ? [dockerPackages(config.source)] : [],
});
