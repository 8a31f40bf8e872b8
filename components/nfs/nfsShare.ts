import * as pulumi from "@pulumi/pulumi";
import { lastLine, Remote } from "../../framework/remote/remote";
import { nfsPort, nfsScripts } from "./component";
import { mountOptions, NfsConfig, nfsMountPackages } from "./config";

export interface NfsShareArgs extends NfsConfig {
    /** The stack's context for steps on hosts (index.ts makes one). */
    remote: Remote;
}

/**
 * The NFS share Twister2 keeps job logs and outputs on: one server exporting `path` (NFSv4, read-write for
 * the listed clients, root squashed), mounted at the same path on the agents. Done when the server serves
 * the export (ganesha: listed and out of its grace period) and every client has it mounted.
 */
export class NfsShare extends pulumi.ComponentResource {
    /** `twister2.resource.nfs.server.address`. */
    public readonly address: pulumi.Output<string>;
    /** `twister2.resource.nfs.server.path` (also the ganesha pseudo path, so `<address>:<path>` mounts either way). */
    public readonly path: pulumi.Output<string>;
    /** The server package's version, as the host reports it. */
    public readonly version: pulumi.Output<string>;

    constructor(name: string, args: NfsShareArgs, opts?: pulumi.ComponentResourceOptions) {
        super("twister2:cluster:NfsShare", name, {}, opts);
        if (args.clients.length === 0) throw new Error("an NFS share needs at least one client");
        const where = { IMPLEMENTATION: args.implementation, EXPORT_NAME: name, EXPORT_PATH: args.path };

        const server = args.remote.hostScript(`${name}-server`, {
            host: args.server,
            create: nfsScripts.server,
            createSettings: {
                ...where,
                // The export itself is written on the host (host/nfs-server.sh): the kernel's exports line, or ganesha's configuration.
                CLIENTS: args.clients.join(" "),
                ...args.gracePeriod === undefined ? {} : { GRACE_PERIOD: args.gracePeriod },
                OWNER: `${args.ownerUid}:${args.ownerGid}`,
                MODE: args.mode,
                NFS_PORT: nfsPort,
                // How long a restart may keep ganesha in its grace period, plus room to start.
                WAIT_SECONDS: (args.gracePeriod ?? 90) + 60,
            },
            delete: nfsScripts.serverRemove,
            deleteSettings: where,
            // Another server program or directory: remove the old export first, then make the new one.
            triggers: [args.implementation, args.path],
        }, { parent: this });

        const clientPackages = nfsMountPackages(args.path);
        const mount = { SERVER: args.server.address, EXPORT_PATH: args.path, MOUNT_POINT: args.path, RECORD: clientPackages.thing };
        const mounts = args.mountOn.map((host) => args.remote.hostScript(`${name}-mount-${host.name}`, {
            host,
            create: nfsScripts.mount,
            createSettings: { ...mount, OPTIONS: mountOptions },
            delete: nfsScripts.unmount,
            deleteSettings: mount,
            triggers: [args.server.address, args.path],
        }, { parent: this, dependsOn: [server] }));

        // Known once the share serves (address) and every client has it mounted (path).
        this.address = server.stdout.apply(() => args.server.address);
        this.path = pulumi.all([server.stdout, ...mounts.map((m) => m.stdout)]).apply(() => args.path);
        this.version = lastLine(server.stdout);
        this.registerOutputs();
    }
}
