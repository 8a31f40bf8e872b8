// The NFS share's contract: the nfs-server role, its port, `twister2-cluster:nfs` and its checks.
import * as path from "node:path";
import { factOf, LiveContract } from "../../framework/check/contract";
import type { ClusterHost } from "../../framework/config/hosts";
import { DrawingContract, neutral, Row } from "../../framework/diagram/contract";
import { problem } from "../../framework/config/rules";
import type { Problem } from "../../framework/config/settings";
import { hostScriptsIn } from "../../framework/remote/hostScripts";
import { defineComponent } from "../../framework/component";
import { deployedOutputs, deployedVersion } from "../outputs";
import { clientAllows, NfsConfig, nfsMountHosts, nfsMountPackages, nfsServerPackages, nfsSettings, NfsSettings, nfsShareArgs } from "./config";

/** NFSv4's one port. */
export const nfsPort = 2049;

export interface NfsLayout {
    server: ClusterHost;
    /** The hosts that mount the share. */
    clients: ClusterHost[];
}

/** The scripts its steps run on the hosts (host/). */
export const nfsScripts = hostScriptsIn(path.join(__dirname, "host"), {
    server: "nfs-server.sh",
    serverRemove: "nfs-server-remove.sh",
    mount: "nfs-mount.sh",
    unmount: "nfs-unmount.sh",
});

/** npm run check: the server runs and exports the share (its probe is read only, so not in the hosts' bundle). */
const live: LiveContract<NfsConfig | undefined, NfsLayout> = {
    probe: {
        script: hostScriptsIn(path.join(__dirname, "host"), { probe: "nfs-probe.sh" }).probe,
        settings: (host, { config, layout, outputs }) => {
            const share = deployedOutputs(outputs).nfsShare;
            return share && config && host === layout.server ? { NFS_PATH: share.path, NFS_IMPLEMENTATION: config.implementation } : undefined;
        },
    },
    check: ({ layout: { server }, outputs, facts }) => {
        const [share, got] = [deployedOutputs(outputs).nfsShare, facts(server)];
        if (!share || !got) return [];
        const [service, exported] = [factOf(got, "service"), factOf(got, "export")];
        const repair = { replace: ["nfs-server"] };
        return [
            { host: server.name, check: "server running", ok: service === "active", detail: service, repair },
            { host: server.name, check: `exports ${share.path}`, ok: exported === share.path, detail: exported, repair },
        ];
    },
};

/** npm run diagram: the server, with its share, and the hosts that mount it. */
const drawing: DrawingContract<NfsConfig | undefined, NfsLayout> = ({ config, layout: { server, clients }, live }) => {
    const version = deployedVersion(live, server.name, "nfs-server");
    return {
        services: config ? [{
            host: server, service: "nfs-server", color: neutral, row: Row.service,
            lines: [`NFS server (${config.implementation})`, config.path, ...version ? [{ small: version }] : []],
        }] : [],
        links: clients.map((client) => ({
            from: { frame: client }, to: { host: server, service: "nfs-server" }, label: "mounts", style: "dashed", sideways: true, color: neutral.line,
        })),
    };
};

export const nfs = defineComponent<"nfs", NfsSettings, undefined, NfsConfig | undefined, NfsLayout>({
    id: "nfs",
    scripts: nfsScripts,
    settings: { key: "nfs", schema: nfsSettings.prefault({}), description: "Job logs and outputs, on the host with the nfs-server role" },
    roles: { "nfs-server": { description: "the NFS server of the job logs and outputs share", single: true } },
    // mountOn names hosts other than the server, and the clients let every mounting host in.
    check: (settings, { hosts, hostsKnown, withRole }) => {
        const problems: Problem[] = [];
        const server = withRole("nfs-server")[0];
        if (settings.gracePeriod !== undefined && settings.implementation !== "ganesha") {
            problems.push(problem("nfs.gracePeriod", "only nfs-ganesha takes it from this program; remove it, or set nfs.implementation: ganesha"));
        }
        const mountOn = settings.mountOn ?? [];
        if (!settings.mount && mountOn.length > 0) {
            problems.push(problem("nfs.mountOn", "nfs.mount is false, so no host mounts the share; set nfs.mount: true or remove nfs.mountOn"));
        } else {
            const names = hosts.flatMap((h) => h.name ?? []);
            for (const name of mountOn) {
                if (!names.includes(name)) {
                    if (hostsKnown) problems.push(problem("nfs.mountOn", `no host is named '${name}'; known hosts: ${names.join(", ") || "none"}`));
                } else if (name === server?.name) {
                    problems.push(problem("nfs.mountOn", `${name} is the nfs-server; it has the files at ${settings.path} already, remove it from nfs.mountOn`));
                }
            }
        }
        if (server && settings.clients) {
            const clients = settings.clients;
            for (const host of nfsMountHosts(settings, hosts).filter((h) => h.address !== undefined && !clients.some((c) => clientAllows(c, h.address!)))) {
                problems.push(problem("nfs.clients", `${host.name} (${host.address}) mounts the share but no entry of nfs.clients allows it; ` +
                    "add its address or subnet"));
            }
        }
        return problems;
    },
    config: (settings, _files, hosts) => nfsShareArgs(settings, hosts),
    ports: (config) => ({
        "nfs-server": [{ port: nfsPort, protocol: "tcp", description: "NFS's port", units: ["nfs-server", "nfs-ganesha"], clients: [], sources: config?.clients ?? [] }],
    }),
    layout: (config, hosts) => {
        const byName = new Map(hosts.map((h) => [h.name, h]));
        const server = config && byName.get(config.server.name);
        return config && server ? { server, clients: config.mountOn.flatMap((client) => byName.get(client.name) ?? []) } : undefined;
    },
    packages: (host, layout, config) => [
        ...layout.server === host ? [nfsServerPackages(config!.implementation)] : [],
        ...layout.clients.includes(host) ? [nfsMountPackages(config!.path)] : [],
    ],
    live,
    drawing,
});
