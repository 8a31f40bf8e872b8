// `twister2-cluster:access`: who besides the cluster's own hosts may reach the ports its roles listen on
// (the host firewall, host/firewall.sh).
import { z } from "zod";
import { addressOrNetwork, flag } from "../../framework/config/settings";

const source = addressOrNetwork((value) => `'${String(value)}' opens the cluster's ports to the world; name the clients' addresses or networks ` +
    "(e.g. 10.20.0.0/16), or set access.firewall: false and guard the ports yourself");

const sources = (who: string) => z.array(source).default([]).describe(`${who}: addresses, IPv4 CIDRs or DNS names (resolved on each host when its firewall is written)`);

export const accessSettings = z.strictObject({
    firewall: flag().default(true)
        .describe("A host firewall (nftables) on every host: each port the cluster's roles listen on admits the stack's hosts, the machine running pulumi up and the networks below for its kind of client, and refuses everyone else"),
    submitters: sources("Hosts that submit Twister2 jobs (ZooKeeper's client port, the Mesos masters' port)"),
    uploaders: sources("Hosts that upload job packages and read them back (the uploader's web server; the upload itself is SSH)"),
    operators: sources("Operators' machines (the Mesos masters' and agents' web UI and API)"),
});
export type AccessSettings = z.output<typeof accessSettings>;
