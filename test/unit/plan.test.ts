// The plan of a cluster: which host gets which steps, the ports, the quorums, for the committed dev
// and prod stacks and for a cluster of one host.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseStackConfig, plan, StackConfig } from "../../components";
import { mesosLeaderAddress, urlHost } from "../../components/mesos/component";
import { quorumRule } from "../../framework/component";
import { hostKey, labHosts, scratchDir, stackConfigFile } from "./fixtures";

const projectDir = path.join(__dirname, "..", "..");
const { dir, keyFile } = scratchDir();
const repoKey = path.join(dir, "mesos-repo.asc");
fs.writeFileSync(repoKey, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZfake\n-----END PGP PUBLIC KEY BLOCK-----\n");

/** A committed stack's config, parsed as the program parses it, with this machine's files stood in for. */
function committedStack(stack: string, patch: (config: Record<string, any>) => void): StackConfig {
    const given = stackConfigFile(path.join(projectDir, `Pulumi.${stack}.yaml`), (config) => {
        config["twister2-cluster:mesos"].repository.keyFile = repoKey;
        if (config["twister2-cluster:docker"]?.repository) config["twister2-cluster:docker"].repository.keyFile = repoKey;
        patch(config);
    });
    const raw = Object.fromEntries(Object.entries(given).map(([key, json]) => [key.replace(/^twister2-cluster:/, ""), JSON.parse(json)]));
    return parseStackConfig(raw, dir);
}

const names = (hosts: { name: string }[] | undefined) => hosts?.map((h) => h.name);

describe("the plan of the dev stack (Pulumi.dev.yaml on the lab's five hosts)", () => {
    const config = committedStack("dev", (config) => {
        // The lab's inventory and login key are made by `npm run lab:up`; the hosts are the lab's addresses.
        delete config["twister2-cluster:hostsFile"];
        config["twister2-cluster:hosts"] = labHosts(keyFile, 5);
        config["twister2-cluster:uploader"] = { publicKeys: [`${hostKey} operator`] };
    });
    const layout = plan(config);

    it("gives each host the packages of its roles, for its one apt run", () => {
        const packagesOf = (host: string) => layout.packages[host].map((need) => `${need.thing}: ${need.packages.join(" ")}`);
        expect(packagesOf("h2")).toEqual([
            "docker: docker-ce docker-ce-cli containerd.io", "swarm-join: curl", "zookeeper: zookeeperd netcat-openbsd", "mesos-master: mesos-standin curl jq",
            "nginx: nginx curl", "uploader-account: rsync openssh-server python3", "firewall: nftables",
        ]);
        // The first manager makes the swarm: it joins nothing.
        expect(packagesOf("h1")).not.toContain("swarm-join: curl");
        expect(packagesOf("h3")).toEqual(["docker: docker-ce docker-ce-cli containerd.io", "swarm-join: curl", "zookeeper: zookeeperd netcat-openbsd", "mesos-master: mesos-standin curl jq",
            "nfs-server: nfs-ganesha nfs-ganesha-vfs", "firewall: nftables"]);
        // nfs.mount is false on the lab: no host mounts the share.
        expect(packagesOf("h4")).toEqual(["docker: docker-ce docker-ce-cli containerd.io", "swarm-join: curl", "mesos-agent: mesos-standin curl jq", "firewall: nftables"]);
        expect(layout.packages.h4.find((need) => need.thing === "mesos-agent")?.repository)
            .toMatchObject({ name: "twister2-mesos", url: "http://10.77.0.1:3143/", distribution: "bookworm", component: "main" });
        expect(layout.packages.h1.find((need) => need.thing === "docker")?.unlessCommand).toBe("dockerd");
        // Docker from the lab's stand-in of Docker's repository, in its layout (suite: each host's release).
        expect(layout.packages.h4.find((need) => need.thing === "docker")?.repository)
            .toMatchObject({ name: "docker", url: "http://10.77.0.1:3143/docker", distribution: "{VERSION_CODENAME}", component: "stable" });
    });

    it("puts Docker on every swarm node and Mesos agent, and builds one swarm with h1 its manager", () => {
        expect(names(layout.docker?.hosts)).toEqual(["h1", "h2", "h3", "h4", "h5"]);
        expect(names(layout.swarm?.managers)).toEqual(["h1"]);
        expect(names(layout.swarm?.workers)).toEqual(["h2", "h3", "h4", "h5"]);
        expect(layout.swarm?.joinAddress).toBe("10.77.0.11:2377");
    });

    it("runs ZooKeeper on h1-h3 with their ids, and Mesos masters there with agents on h4 and h5", () => {
        expect(layout.zookeeper?.servers.map((s) => [s.host.name, s.id])).toEqual([["h1", 1], ["h2", 2], ["h3", 3]]);
        expect(layout.zookeeper?.quorum).toBe(2);
        expect(layout.zookeeper?.connectString).toBe("10.77.0.11:2181,10.77.0.12:2181,10.77.0.13:2181");
        expect(names(layout.mesos?.masters)).toEqual(["h1", "h2", "h3"]);
        expect(names(layout.mesos?.agents)).toEqual(["h4", "h5"]);
        expect(layout.mesos?.quorum).toBe(2);
        expect(names(layout.workerImage?.hosts)).toEqual(["h4", "h5"]);
        expect(layout.registry?.name).toBe("h1");
    });

    it("serves NFS from h3 (mounted nowhere: nfs.mount is false) and the uploader from h2", () => {
        expect(layout.nfs?.server.name).toBe("h3");
        expect(layout.nfs?.clients).toEqual([]);
        expect(layout.uploader?.name).toBe("h2");
    });

    it("lists the ports each host listens on, role by role, with the units that may hold them", () => {
        const listed = (host: string) => layout.ports[host].map((p) => `${p.role} ${p.port}/${p.protocol} ${p.units.join(",")}`);
        expect(listed("h1")).toEqual([
            "swarm-manager 2377/tcp docker", "swarm-manager 7946/tcp docker", "swarm-manager 7946/udp docker", "swarm-manager 4789/udp docker",
            "zookeeper 2181/tcp zookeeper", "zookeeper 2888/tcp zookeeper", "zookeeper 3888/tcp zookeeper",
            "mesos-master 5050/tcp mesos-master",
            "registry 5000/tcp twister2-registry@pull", "registry 5001/tcp twister2-registry@push",
        ]);
        expect(listed("h2")).toContain("uploader 8082/tcp nginx");
        expect(listed("h3")).toContain("nfs-server 2049/tcp nfs-server,nfs-ganesha");
        expect(listed("h4")).toEqual([
            "swarm-worker 7946/tcp docker", "swarm-worker 7946/udp docker", "swarm-worker 4789/udp docker", "mesos-agent 5051/tcp mesos-agent",
        ]);
    });

    it("is plain data, the same for the same config", () => {
        expect(JSON.parse(JSON.stringify(layout))).toEqual(layout);
        expect(plan(config)).toEqual(layout);
    });

    it("finds the leader's address in its URL, and falls back to the first master", () => {
        const mesos = layout.mesos!;
        expect(mesosLeaderAddress(mesos, "http://10.77.0.12:5050")).toBe("10.77.0.12");
        expect(mesosLeaderAddress(mesos, "https://[fd00::2]:5050/")).toBe("fd00::2");
        expect(mesosLeaderAddress(mesos, "")).toBe("10.77.0.11");
        expect(mesosLeaderAddress(mesos, undefined)).toBe("10.77.0.11");
        // /master/state's leader field is a PID, not a URL.
        expect(urlHost("master@10.77.0.12:5050")).toBeUndefined();
        expect(urlHost("zk://10.77.0.11:2181/mesos")).toBeUndefined();
    });
});

describe("the plan of a cluster of one host", () => {
    const config = parseStackConfig({
        hosts: labHosts(keyFile, 1),
        roles: { h1: ["swarm-manager", "zookeeper", "mesos-master", "mesos-agent", "uploader", "nfs-server"] },
        docker: { source: "docker.io" },
        zookeeper: { serverIds: { h1: 1 } },
        uploader: { publicKeys: [`${hostKey} operator`] },
        mesos: { repository: { keyFile: repoKey } },
    }, dir);
    const layout = plan(config);

    it("gives every role to the one host, with quorums of one", () => {
        expect(names(layout.docker?.hosts)).toEqual(["h1"]);
        expect(layout.swarm).toMatchObject({ workers: [], joinAddress: "10.77.0.11:2377" });
        expect(layout.zookeeper).toMatchObject({ quorum: 1, connectString: "10.77.0.11:2181" });
        expect(names(layout.mesos?.masters)).toEqual(["h1"]);
        expect(names(layout.mesos?.agents)).toEqual(["h1"]);
        expect(layout.mesos?.quorum).toBe(1);
        expect(names(layout.workerImage?.hosts)).toEqual(["h1"]);
        expect(layout.uploader?.name).toBe("h1");
        // The server has the files: it does not mount its own share.
        expect(layout.nfs).toMatchObject({ server: { name: "h1" }, clients: [] });
    });

    it("lists each of its ports once", () => {
        const ports = layout.ports.h1.map((p) => `${p.port}/${p.protocol}`);
        expect(ports).toEqual(["2377/tcp", "7946/tcp", "7946/udp", "4789/udp", "2181/tcp", "2888/tcp", "3888/tcp", "5050/tcp", "5051/tcp", "8082/tcp", "2049/tcp"]);
    });
});

describe("the plan of the prod stack (Pulumi.prod.yaml)", () => {
    const layout = plan(committedStack("prod", (config) => {
        // The operator's key is not on this machine; everything else is as committed.
        for (const host of config["twister2-cluster:hosts"]) host.privateKeyFile = keyFile;
    }));

    it("builds a swarm of three managers and two workers, on Docker everywhere", () => {
        expect(names(layout.docker?.hosts)).toEqual(["node1", "node2", "node3", "node4", "node5"]);
        expect(names(layout.swarm?.managers)).toEqual(["node1", "node2", "node3"]);
        expect(names(layout.swarm?.workers)).toEqual(["node4", "node5"]);
        expect(layout.swarm?.joinAddress).toBe("192.0.2.11:2377");
    });

    it("runs three ZooKeeper servers and three Mesos masters (quorum 2 each) and two agents", () => {
        expect(layout.zookeeper?.servers.map((s) => s.id)).toEqual([1, 2, 3]);
        expect(layout.zookeeper?.quorum).toBe(2);
        expect(layout.mesos?.quorum).toBe(2);
        expect(names(layout.mesos?.agents)).toEqual(["node4", "node5"]);
    });

    it("serves NFS from node2 to the agents, which mount it, and the uploader from node1", () => {
        expect(layout.nfs?.server.name).toBe("node2");
        expect(names(layout.nfs?.clients)).toEqual(["node4", "node5"]);
        expect(layout.uploader?.name).toBe("node1");
        expect(layout.ports.node1.filter((p) => p.role === "uploader")).toEqual([{ role: "uploader", port: 8082, protocol: "tcp", units: ["nginx"], description: "the uploader's web server", clients: ["uploaders"] }]);
    });
});

describe("quorumRule.majority", () => {
    it("is how many of a group must be up: more than half", () => {
        expect([1, 3, 4, 5, 7].map(quorumRule.majority)).toEqual([1, 2, 3, 3, 4]);
    });
});

describe("the plan of a swarm-only stack", () => {
    it("has no ZooKeeper, Mesos, worker image, NFS or uploader", () => {
        const layout = plan(parseStackConfig({ hosts: labHosts(keyFile, 2), roles: { h1: ["swarm-manager"], h2: ["swarm-worker"] }, docker: { source: "docker.io" } }, dir));
        expect(layout).toMatchObject({ zookeeper: undefined, mesos: undefined, workerImage: undefined, nfs: undefined, uploader: undefined });
        expect(names(layout.docker?.hosts)).toEqual(["h1", "h2"]);
    });
});
