// The host firewall's rules, from the dev stack's plan: each host's ports, each admitting the stack's
// hosts and the clients `access` names for its kind; and the settings' checks.
import { describe, expect, it } from "vitest";
import { plan } from "..";
import type { RolePort } from "../../framework/component";
import { checkComponent } from "../../framework/config/stackConfig";
import { devLayoutConfig, labHosts, scratchDir } from "../../test/unit/fixtures";
import { firewall, firewallRules, firewallSetup } from "./component";

const cluster = "10.77.0.11 10.77.0.12 10.77.0.13 10.77.0.14 10.77.0.15";

describe("the firewall's rules on the dev stack", () => {
    const config = devLayoutConfig({
        access: { submitters: ["10.20.0.0/16"], uploaders: ["uploads.example.org"], operators: ["192.0.2.7"] },
        nfs: { implementation: "ganesha", clients: ["10.77.0.0/24", "10.30.0.5"] },
    });
    const layout = plan(config);
    const rules = (host: string) => firewallRules(config.firewall, layout.ports[host], layout.hosts).split("\n");

    it("admits to a cluster-only port the stack's hosts alone", () => {
        expect(rules("h4")).toEqual([
            `tcp 7946 cluster ${cluster}`,
            `udp 7946 cluster ${cluster}`,
            `udp 4789 cluster ${cluster}`,
            `tcp 5051 clients ${cluster} 192.0.2.7`,
        ]);
    });

    it("admits each kind of client where its port says: submitters to ZooKeeper and the masters, operators to the masters, uploaders to the web server", () => {
        const h2 = rules("h2");
        expect(h2).toContain(`tcp 2181 clients ${cluster} 10.20.0.0/16`);
        expect(h2).toContain(`tcp 2888 cluster ${cluster}`);
        expect(h2).toContain(`tcp 5050 clients ${cluster} 10.20.0.0/16 192.0.2.7`);
        expect(h2).toContain(`tcp 8082 clients ${cluster} uploads.example.org`);
        expect(h2.some((line) => line.startsWith("tcp 2049 "))).toBe(false);
    });

    it("admits to NFS the clients nfs.clients names too", () => {
        expect(rules("h3")).toContain(`tcp 2049 cluster ${cluster} 10.77.0.0/24 10.30.0.5`);
    });

    it("writes no rules (the firewall removed) with access.firewall false, and none on destroy", () => {
        const off = devLayoutConfig({ access: { firewall: false } });
        const offLayout = plan(off);
        expect(firewallRules(off.firewall, offLayout.ports.h1, offLayout.hosts)).toBe("");
        expect(offLayout.packages.h1.map((need) => need.thing)).not.toContain("firewall");
        expect(layout.packages.h1.map((need) => need.thing)).toContain("firewall");
        expect(firewallSetup(config.firewall, layout.ports.h1, layout.hosts, layout.hosts[0]).undoSettings).toEqual({ RULES: "" });
    });

    it("admits the SSH client of the step (the machine running pulumi up) to the client ports, unless it is a bastion", () => {
        const [h1] = layout.hosts;
        expect(firewallSetup(config.firewall, layout.ports.h1, layout.hosts, h1).settings).not.toHaveProperty("ADMIT_SSH_CLIENT");
        const bastion = { address: "10.77.0.10", port: 22, user: "deploy", hostKey: h1.hostKey };
        expect(firewallSetup(config.firewall, layout.ports.h1, layout.hosts, { bastion }).settings).toMatchObject({ ADMIT_SSH_CLIENT: "no" });
    });
});

describe("twister2-cluster:access", () => {
    const { dir, keyFile } = scratchDir();
    const hosts = labHosts(keyFile, 2).map((h, i) => ({ ...h, where: `hosts[${i}]`, port: 22, roles: ["zookeeper"] }));
    const check = (access: unknown) => checkComponent(firewall, access, hosts, dir).problems;

    it("takes addresses, CIDRs and DNS names", () => {
        expect(check({ submitters: ["10.20.0.0/16", "192.0.2.7", "ci.example.org"] })).toEqual([]);
    });

    it("refuses what is not a source, and what opens the ports to the world", () => {
        expect(check({ operators: ["10.20.0.0/33"] })).toEqual(["access.operators[0]: '10.20.0.0/33' is not an IP address, IPv4 CIDR (e.g. 10.77.0.0/24) or DNS name"]);
        expect(check({ submitters: ["0.0.0.0/0"] })[0]).toMatch(/^access\.submitters\[0\]: '0\.0\.0\.0\/0' opens the cluster's ports to the world; .*access\.firewall: false/);
    });

    it("warns when it names no client network and a port has clients outside the cluster", () => {
        const zookeeper: RolePort = { role: "zookeeper", port: 2181, protocol: "tcp", description: "ZooKeeper's client port", units: [], clients: ["submitters"] };
        const swarm: RolePort = { ...zookeeper, role: "swarm-manager", port: 2377, clients: [] };
        const warn = (submitters: string[], ports: RolePort[]) =>
            firewall.warn!({ firewall: true, submitters, uploaders: [], operators: [] }, { hosts, hostsKnown: true, withRole: (role) => hosts.filter((h) => h.roles.includes(role)), runsContainers: [], files: undefined, ports });
        expect(warn([], [swarm, zookeeper])[0]).toMatch(/^access names no client networks: .*access\.submitters/);
        expect(warn(["10.0.0.0/8"], [swarm, zookeeper])).toEqual([]);
        expect(warn([], [swarm])).toEqual([]);
        // No host holds the role: nothing to warn of.
        expect(warn([], [swarm, { ...zookeeper, role: "mesos-master" }])).toEqual([]);
    });
});
