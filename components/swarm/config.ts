// `twister2-cluster:overlay`: the swarm's attachable overlay network (OverlayNetwork) that Twister2's
// containers join.
import { z } from "zod";
import { isCidr } from "../../framework/config/addresses";
import { flag, text, textMatching } from "../../framework/config/settings";

export const overlaySettings = z.strictObject({
    name: textMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, (value) => `'${String(value)}' is not a Docker network name`)
        .default("mesos-overlay")
        .describe("Twister2's twister2.resource.mesos.overlay.network.name"),
    subnet: text((value) => `'${String(value)}' is not an IPv4 CIDR such as 10.78.0.0/24`).refine(isCidr).optional()
        .describe("The network's IPv4 subnet, outside the hosts' network; left out, Docker picks one"),
    encrypted: flag().default(true)
        .describe("Encrypt the VXLAN data plane (IPsec between hosts); preflight checks that every node's kernel can"),
});
export type OverlaySettings = z.output<typeof overlaySettings>;
