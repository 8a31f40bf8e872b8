// The registry's contract: the registry role, its two ports (pull and push, the cluster's hosts only),
// `twister2-cluster:registry` (checked only while a host has the role), and npm run check's look at it.
import * as path from "node:path";
import { factOf, LiveContract } from "../../framework/check/contract";
import type { ClusterHost } from "../../framework/config/hosts";
import { portProblems, problem } from "../../framework/config/rules";
import type { Problem } from "../../framework/config/settings";
import { hostScriptsIn } from "../../framework/remote/hostScripts";
import { defineComponent } from "../../framework/component";
import { DrawingContract, neutral, Row } from "../../framework/diagram/contract";
import { defaultPort, defaultPushPort, registryPackages, registrySettings, RegistrySettings } from "./config";

/** The scripts its steps run on the hosts (host/). */
export const registryScripts = hostScriptsIn(path.join(__dirname, "host"), {
    server: "registry-server.sh",
    remove: "registry-remove.sh",
    prune: "registry-prune.sh",
});

/** The systemd units serving the two ports (a template: registry-server.sh writes it). */
export const registryUnits = { pull: "twister2-registry@pull", push: "twister2-registry@push" };

/** npm run check: both of the registry's services run (its probe is read only, so not in the hosts' bundle). */
const live: LiveContract<RegistrySettings, ClusterHost> = {
    probe: {
        script: hostScriptsIn(path.join(__dirname, "host"), { probe: "registry-probe.sh" }).probe,
        settings: (host, { layout }) => host === layout ? { UNITS: Object.values(registryUnits).join(" ") } : undefined,
    },
    check: ({ layout: host, facts }) => {
        const got = facts(host);
        return got ? Object.values(registryUnits).map((unit) => {
            const state = factOf(got, unit);
            return { host: host.name, component: "registry", check: `${unit} running`, ok: state === "active", detail: state, repair: { replace: [`registry-${host.name}`] } };
        }) : [];
    },
};

/** npm run diagram: the registry on its host, with its two ports. */
const drawing: DrawingContract<RegistrySettings, ClusterHost> = ({ config, layout: host }) => ({
    services: [{ host, service: "registry", lines: ["Registry (docker-registry)", { small: `pull :${config.port}, push :${config.pushPort}` }], color: neutral, row: Row.service }],
});

export const registry = defineComponent<"registry", RegistrySettings, undefined, RegistrySettings, ClusterHost>({
    id: "registry",
    scripts: registryScripts,
    settings: { key: "registry", schema: registrySettings.prefault({}), description: "The cluster's registry of the worker image, on the host with the registry role" },
    settingsNeedRole: "registry",
    roles: {
        registry: {
            description: "the registry the worker image is built on and pushed to once, and that the Mesos agents pull it from",
            single: true,
            // It builds the image, with its own Docker engine.
            runsContainers: true,
        },
    },
    check: (settings, { withRole, ports }) => {
        const problems: Problem[] = [];
        const host = withRole("registry")[0];
        problems.push(...portProblems("registry.port", settings.port, defaultPort, "the registry", host, ports));
        problems.push(...portProblems("registry.pushPort", settings.pushPort, defaultPushPort, "the registry", host, ports));
        if (settings.port === settings.pushPort) {
            problems.push(problem("registry.pushPort", `${settings.pushPort} is also registry.port; the push port is another (default ${defaultPushPort})`));
        }
        return problems;
    },
    ports: (config) => ({
        registry: [
            { port: config.port, protocol: "tcp", description: "the registry's pull port", units: [registryUnits.pull], clients: [] },
            { port: config.pushPort, protocol: "tcp", description: "the registry's push port", units: [registryUnits.push], clients: [] },
        ],
    }),
    layout: (_config, hosts) => hosts.find((h) => h.roles.includes("registry")),
    packages: (host, layout) => host === layout ? [registryPackages] : [],
    live,
    drawing,
});
