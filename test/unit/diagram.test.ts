// `npm run diagram`: the DOT picture of a stack's cluster, from the config as the program reads it and
// the components' drawings.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { clusterDot, parseStackConfig } from "../../components";
import type { StackOutputs } from "../../components/outputs";
import type { RawConfig } from "../../framework/config/stackConfig";
import { html, quote } from "../../framework/diagram/dot";
import { exampleDot, svgOf } from "../../scripts/exampleDiagram";
import { labHosts, scratchDir } from "./fixtures";

const { dir, keyFile } = scratchDir();
const repoKey = path.join(dir, "mesos-repo.asc");
fs.writeFileSync(repoKey, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZfake\n-----END PGP PUBLIC KEY BLOCK-----\n");

/** The dev stack's layout: h1-h3 masters and ZooKeeper, h4-h5 agents, h1 the swarm manager. */
const lab = (): RawConfig => ({
    hosts: labHosts(keyFile, 5),
    roles: {
        h1: ["swarm-manager", "zookeeper", "mesos-master"],
        h2: ["swarm-worker", "zookeeper", "mesos-master"],
        h3: ["swarm-worker", "zookeeper", "mesos-master"],
        h4: ["swarm-worker", "mesos-agent"],
        h5: ["swarm-worker", "mesos-agent"],
    },
    docker: { source: "docker.io" },
    overlay: { name: "mesos-overlay", subnet: "10.78.0.0/24" },
    zookeeper: { serverIds: { h1: 1, h2: 2, h3: 3 } },
    mesos: { repository: { keyFile: repoKey }, cluster: "twister2-dev" },
});

/** The drawn edges (not the invisible ones that only order the rows) as `from -> to`. */
function edges(dot: string): string[] {
    return [...dot.matchAll(/^\s*"([^"]+)" -> "([^"]+)" \[(.*)\];$/gm)]
        .filter((m) => !m[3].includes("style=invis"))
        .map((m) => `${m[1]} -> ${m[2]}`);
}

const hasDot = spawnSync("dot", ["-V"]).status === 0;

describe("cluster diagram", () => {
    const config = parseStackConfig(lab(), dir);
    const dot = clusterDot(config, undefined, { stack: "dev" });

    it("draws every host with its name, address and roles", () => {
        for (const host of config.hosts) {
            const box = new RegExp(`subgraph "cluster_host_${host.name}" \\{\\n    label=<<b>${host.name}</b><br/>${host.address.replace(/\./g, "\\.")}<br/><i>${host.roles.join(", ")}</i>>;`);
            expect(dot).toMatch(box);
        }
        expect(dot).toContain('"h1/zookeeper" [label=<ZooKeeper server.1<br/>:2181>');
        expect(dot).toContain("Overlay network mesos-overlay<br/>10.78.0.0/24, encrypted, attachable");
        expect(dot).toContain("3 server(s), quorum 2");
        expect(dot).toContain("masters h1, h2, h3: quorum 2 of 3");
    });

    it("links the parts as the program deploys them", () => {
        const drawn = edges(dot);
        const expected = [
            // Agents register with the masters; the masters elect their leader in ZooKeeper.
            ...["h4", "h5"].flatMap((a) => ["h1", "h2", "h3"].map((m) => `${a}/mesos-agent -> ${m}/mesos-master`)),
            ...["h1", "h2", "h3"].map((m) => `${m}/mesos-master -> zookeeper-ensemble`),
            ...["h1", "h2", "h3"].map((z) => `${z}/zookeeper -> zookeeper-ensemble`),
            // Mesos agents run their tasks with the Docker Engine of their own host.
            "h4/mesos-agent -> h4/docker", "h5/mesos-agent -> h5/docker",
            // Swarm workers join the first manager; the overlay network spans every swarm node.
            ...["h2", "h3", "h4", "h5"].map((w) => `${w}/swarm -> h1/swarm`),
            ...["h1", "h2", "h3", "h4", "h5"].map((s) => `overlay-network -> ${s}/swarm`),
        ];
        for (const e of expected) expect(drawn).toContain(e);
        expect(drawn).not.toContain("h4/mesos-agent -> h5/docker");
        expect(dot).toContain("zk://10.77.0.11:2181,10.77.0.12:2181,10.77.0.13:2181/mesos");
    });

    it("draws only what the config has", () => {
        const swarmOnly = parseStackConfig({
            hosts: labHosts(keyFile, 2),
            roles: { h1: ["swarm-manager"] },
            docker: { source: "docker.io" },
        }, dir);
        const small = clusterDot(swarmOnly);
        // h2 has no roles: the stack deploys nothing there and does not draw it.
        expect(small).not.toContain('"cluster_host_h2"');
        expect(small).not.toMatch(/zookeeper|mesos-master|mesos-agent/);
        expect(small).toContain("subnet chosen by Docker");
        expect(edges(small)).toEqual(["h1/swarm -> h1/docker", "overlay-network -> h1/swarm"]);
    });

    it("marks the live leaders and versions from `pulumi stack output`", () => {
        const live: Partial<StackOutputs> = {
            mesosLeader: "http://10.77.0.12:5050",
            zookeeperModes: { "10.77.0.11": "follower", "10.77.0.12": "follower", "10.77.0.13": "leader" },
            hosts: [{ name: "h4", address: "10.77.0.14", roles: [], services: { docker: "20.10.24+<dfsg>", "mesos-agent": "1.11.0" } }],
            swarmNodeIds: { h1: "abcdefabcdef123456" },
            overlayNetwork: { name: "mesos-overlay", id: "0123456789abcdef" },
        };
        const annotated = clusterDot(config, live);
        expect(annotated).toMatch(/"h2\/mesos-master" \[label=<Mesos master<br\/>:5050 \(leader\)>.*penwidth=2.5\]/);
        expect(annotated).toMatch(/"h3\/zookeeper" \[label=<ZooKeeper server.3<br\/>:2181 \(leader\)>.*penwidth=2.5\]/);
        expect(annotated).toContain("docker.io 20.10.24+&lt;dfsg&gt;");
        expect(annotated).toContain("node abcdefabcdef");
        // Agents register with the leader: those edges are solid, the others dashed.
        expect(annotated).toMatch(/"h4\/mesos-agent" -> "h2\/mesos-master" \[[^\]]*style="solid"/);
        expect(annotated).toMatch(/"h4\/mesos-agent" -> "h1\/mesos-master" \[[^\]]*style="dashed"/);
        expect(annotated).toContain("id 0123456789ab");
        expect(annotated).toContain("1.11.0");
    });

    it("escapes DOT strings and HTML-like labels", () => {
        expect(quote('a "b" \\c\nd')).toBe('"a \\"b\\" \\\\c d"');
        expect(html(`<b>&"x'</b>`)).toBe("&lt;b&gt;&amp;&quot;x&#39;&lt;/b&gt;");
    });

    it.skipIf(!hasDot)("renders with Graphviz", () => {
        const svg = execFileSync("dot", ["-Tsvg"], { input: dot, encoding: "utf8" });
        expect(svg).toContain("<svg");
        for (const host of config.hosts) expect(svg).toContain(`>${host.address}</text>`);
    });

    // Graphviz versions place things a little differently; what the picture says is its text.
    it.skipIf(!hasDot)("docs/cluster.svg is the picture of Pulumi.prod.yaml the components draw (npm run schema writes it again)", () => {
        const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]).sort();
        const committed = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "cluster.svg"), "utf8");
        expect(texts(committed)).toEqual(texts(svgOf(exampleDot())));
        expect(texts(committed)).toContain("192.0.2.11:2377");
    });
});
