import * as pulumi from "@pulumi/pulumi";
import { HostScript, lastLine } from "./remote";
import { SwarmCluster } from "./swarmCluster";

export interface OverlayNetworkArgs {
    /** The swarm; the network is made on its first manager once every node has joined. */
    swarm: SwarmCluster;
    /** Twister2's `twister2.resource.mesos.overlay.network.name`; default `mesos-overlay`. */
    networkName?: string;
    subnet?: string;
    /** Encrypt the VXLAN data plane (IPsec between hosts). */
    encrypted?: boolean;
}

/**
 * An attachable overlay network on the swarm, so standalone containers (Mesos' Docker containerizer)
 * on any host can join it and reach each other by name.
 */
export class OverlayNetwork extends pulumi.ComponentResource {
    public readonly networkId: pulumi.Output<string>;
    public readonly networkName: pulumi.Output<string>;

    constructor(name: string, args: OverlayNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("twister2:cluster:OverlayNetwork", name, {}, opts);
        const settings = {
            NETWORK_NAME: args.networkName ?? "mesos-overlay",
            SUBNET: args.subnet ?? "",
            ENCRYPTED: args.encrypted ?? false,
        };

        const network = new HostScript(`${name}-network`, {
            host: args.swarm.firstManager.host,
            create: "overlay-create.sh",
            createSettings: settings,
            delete: "overlay-remove.sh",
            deleteSettings: { NETWORK_NAME: settings.NETWORK_NAME },
            // A network's driver options cannot change in place: a new definition replaces it.
            triggers: [settings.NETWORK_NAME, settings.SUBNET, settings.ENCRYPTED],
        }, { parent: this, dependsOn: [args.swarm] });

        this.networkId = lastLine(network.stdout);
        this.networkName = network.stdout.apply(() => settings.NETWORK_NAME);
        this.registerOutputs({ networkId: this.networkId, networkName: this.networkName });
    }
}
