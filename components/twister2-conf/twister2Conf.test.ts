// The Twister2 conf/mesos files: real Twister2 keys only, with this cluster's values.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderTwister2Conf } from "./twister2Conf";

// A copy of shared/reference/twister2-conf-mesos-keys.tsv (DSC-SPIDAL/twister2 conf/mesos): "<file>\t<key>".
const known = fs.readFileSync(path.join(__dirname, "twister2-conf-mesos-keys.tsv"), "utf8")
    .split("\n").filter(Boolean).map((line) => line.split("\t") as [string, string]);

const facts = {
    mesosZkUrl: "zk://10.77.0.11:2181,10.77.0.12:2181/mesos",
    mesosMasterHost: "10.77.0.12",
    mesosCluster: "twister2-dev",
    overlayNetworkName: "mesos-overlay",
    workerImage: "twister2-worker:0123456789ab",
    nfs: { address: "10.77.0.11", path: "/nfs/shared-mesos/twister2" },
    uploader: { directory: "/var/www/html/twister2/mesos/", scpConnection: "twister2@10.77.0.12", sshConnection: "twister2@10.77.0.12", url: "http://10.77.0.12:8082/" },
    jobMasterIp: "10.77.0.11",
};

describe("Twister2 conf/mesos", () => {
    const files = renderTwister2Conf(facts);

    it("writes only keys Twister2's conf/mesos has, each in its own file", () => {
        for (const [file, text] of Object.entries(files)) {
            const keys = Object.keys(parse(text) as Record<string, unknown>);
            expect(keys.length).toBeGreaterThan(0);
            for (const key of keys) expect(known, `${file}: ${key}`).toContainEqual([file, key]);
        }
    });

    it("carries the cluster's values", () => {
        const resource = parse(files["resource.yaml"]);
        expect(resource["twister2.resource.mesos.master.uri"]).toBe(facts.mesosZkUrl);
        expect(resource["twister2.resource.mesos.overlay.network.name"]).toBe("mesos-overlay");
        expect(resource["twister2.resource.mesos.docker.image"]).toBe("twister2-worker:0123456789ab");
        expect(resource["twister2.resource.nfs.server.path"]).toBe("/nfs/shared-mesos/twister2");
        expect(resource["twister2.resource.uploader.download.method"]).toBe("HTTP");
        expect(resource["twister2.resource.HTTP.fetch.uri"]).toBe("http://10.77.0.12:8082");
        expect(parse(files["core.yaml"])["twister2.job.master.ip"]).toBe("10.77.0.11");
    });

    it("leaves out what the cluster does not have", () => {
        const resource = parse(renderTwister2Conf({ ...facts, nfs: undefined, uploader: undefined })["resource.yaml"]);
        expect(Object.keys(resource).some((k) => k.includes("nfs") || k.includes("uploader"))).toBe(false);
    });
});
