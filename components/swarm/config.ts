// `twister2-cluster:overlay`: the swarm's attachable overlay network (OverlayNetwork) that Twister2's
// containers join.
import { z } from "zod";
import { isCidr } from "../../framework/config/addresses";
import { flag, text, textMatching, wholeNumber } from "../../framework/config/settings";

/** Far above the ids Docker gives overlay networks itself (from 4096 up: the swarm's ingress takes the first). */
const defaultVxlanId = 4194304;

export const overlaySettings = z.strictObject({
    name: textMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, (value) => `'${String(value)}' is not a Docker network name`)
        .default("mesos-overlay")
        .describe("Twister2's twister2.resource.mesos.overlay.network.name"),
    subnet: text((value) => `'${String(value)}' is not an IPv4 CIDR such as 10.78.0.0/24`).refine(isCidr).optional()
        .describe("The network's IPv4 subnet, outside the hosts' network; left out, Docker picks one"),
    vxlanId: wholeNumber(4096, 16777215, (value) => `${String(value)} is not a VXLAN id from 4096 to 16777215; the default is ${defaultVxlanId}`)
        .default(defaultVxlanId)
        .describe("The network's VXLAN id (VNI), pinned so that Docker reports the options the stack gave (else the official docker provider replaces the network on every pulumi up); one no other overlay network of the swarm has"),
    encrypted: flag().default(true)
        .describe("Encrypt the VXLAN data plane (IPsec between hosts); preflight checks that every node's kernel can"),
});
export type OverlaySettings = z.output<typeof overlaySettings>;
