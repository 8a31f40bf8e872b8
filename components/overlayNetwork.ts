import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Host } from "./remote";

export interface OverlayNetworkArgs {
    /** The swarm manager that creates the network, and the address it is reached at. */
    manager: Host;
    managerIp: pulumi.Input<string>;
    /** Path of an OpenSSH known_hosts file that pins the manager's host key. */
    knownHostsFile: string;
    /** Twister2's `twister2.resource.mesos.overlay.network.name`; default `mesos-overlay`. */
    networkName?: string;
    subnet?: string;
    /** Encrypt the VXLAN data plane (IPsec between hosts). */
    encrypted?: boolean;
}

/** An attachable overlay network on the swarm, made through the Docker API on a manager over SSH. */
export class OverlayNetwork extends pulumi.ComponentResource {
    public readonly networkId: pulumi.Output<string>;
    public readonly networkName: pulumi.Output<string>;

    constructor(name: string, args: OverlayNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("twister2:cluster:OverlayNetwork", name, {}, opts);

        const manager = new docker.Provider(`${name}-manager`, {
            host: pulumi.interpolate`ssh://${args.manager.user}@${args.managerIp}:${args.manager.port}`,
            sshOpts: [
                "-i", args.manager.privateKeyFile,
                "-o", `UserKnownHostsFile=${args.knownHostsFile}`,
                "-o", "StrictHostKeyChecking=yes",
                "-o", "BatchMode=yes",
                "-o", "ConnectTimeout=20",
            ],
        }, { parent: this });

        const network = new docker.Network(`${name}-network`, {
            name: args.networkName ?? "mesos-overlay",
            driver: "overlay",
            attachable: true,
            options: args.encrypted ? { encrypted: "true" } : {},
            ipamConfigs: args.subnet ? [{ subnet: args.subnet }] : [],
        }, { parent: this, provider: manager });

        this.networkId = network.id;
        this.networkName = network.name;
        this.registerOutputs({ networkId: this.networkId, networkName: this.networkName });
    }
}
