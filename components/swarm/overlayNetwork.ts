import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { firstAddress } from "../../framework/config/addresses";
import { SwarmCluster } from "./swarmCluster";

/** Docker's overlay driver option that sets a network's VXLAN id (libnetwork's netlabel.OverlayVxlanIDList). */
const vxlanIdOption = "com.docker.network.driver.overlay.vxlanid_list";

export interface OverlayNetworkArgs {
    /** The swarm; the network is made on its first manager once every node has joined. */
    swarm: SwarmCluster;
    /** Twister2's `twister2.resource.mesos.overlay.network.name`: overlay.name (its default: config.ts). */
    networkName: string;
    /** The network's subnet; unset, Docker picks one. */
    subnet?: string;
    /** The network's VXLAN id: overlay.vxlanId (its default: config.ts). */
    vxlanId: number;
    /** Encrypt the VXLAN data plane (IPsec between hosts): overlay.encrypted. */
    encrypted: boolean;
}

/**
 * An attachable overlay network on the swarm, so standalone containers (Mesos' Docker containerizer)
 * on any host can join it and reach each other by name. A `docker.Network` made through the first
 * manager's Docker Engine, reached over SSH.
 */
export class OverlayNetwork extends pulumi.ComponentResource {
    public readonly networkId: pulumi.Output<string>;
    public readonly networkName: pulumi.Output<string>;

    constructor(name: string, args: OverlayNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("twister2:cluster:OverlayNetwork", name, {}, opts);
        const provider = args.swarm.firstManager.provider(`${name}-docker`, { parent: this });

        // The official docker provider compares what it stored after the create (Docker's report) with these
        // inputs, and any difference replaces the network: so the VXLAN id Docker would add to the options,
        // and the gateway it would pick, are given (docs/operations.md, the overlay network).
        const network = new docker.Network(`${name}-network`, {
            name: args.networkName,
            driver: "overlay",
            attachable: true,
            ipamConfigs: args.subnet ? [{ subnet: args.subnet, gateway: firstAddress(args.subnet) }] : undefined,
            options: { [vxlanIdOption]: String(args.vxlanId), ...args.encrypted ? { encrypted: "" } : {} },
        }, {
            parent: this,
            provider,
            dependsOn: [args.swarm.members],
            // Every property replaces a network, and its name is taken until the old one is gone.
            deleteBeforeReplace: true,
        });

        this.networkId = network.id;
        this.networkName = network.name;
        this.registerOutputs();
    }
}
