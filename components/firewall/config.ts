// `twister2-cluster:access`: who besides the cluster's own hosts may reach the ports its roles listen on
// (the host firewall, host/firewall.sh).
import { z } from "zod";
import { isCidr, isHostAddress, opensToTheWorld } from "../../framework/config/addresses";
import { flag, text } from "../../framework/config/settings";

const source = text((value) => `'${String(value)}' is not an IP address, IPv4 CIDR (e.g. 10.77.0.0/24) or DNS name`)
    .refine((entry) => !opensToTheWorld(entry), {
        abort: true,
        error: (issue) => `'${String(issue.input)}' opens the cluster's ports to the world; name the clients' addresses or networks ` +
            "(e.g. 10.20.0.0/16), or set access.firewall: false and guard the ports yourself",
    })
    .refine((entry) => (entry.includes("/") ? isCidr(entry) : isHostAddress(entry)));

const sources = (who: string) => z.array(source).default([]).describe(`${who}: addresses, IPv4 CIDRs or DNS names (resolved on each host when its firewall is written)`);

export const accessSettings = z.strictObject({
    firewall: flag().default(true)
        .describe("A host firewall (nftables) on every host: each port the cluster's roles listen on admits the stack's hosts, the machine running pulumi up and the networks below for its kind of client, and refuses everyone else"),
    submitters: sources("Hosts that submit Twister2 jobs (ZooKeeper's client port, the Mesos masters' port)"),
    uploaders: sources("Hosts that upload job packages and read them back (the uploader's web server; the upload itself is SSH)"),
    operators: sources("Operators' machines (the Mesos masters' and agents' web UI and API)"),
});
export type AccessSettings = z.output<typeof accessSettings>;
