// Twister2's conf/mesos files for the cluster this stack built, rendered with the `yaml` package.
// Only keys that exist in Twister2's conf/mesos (twister2-conf-mesos-keys.tsv beside this file).
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";

export interface Twister2ClusterFacts {
    /** `zk://<zookeeper>/mesos`. */
    mesosZkUrl: string;
    /** Address of a Mesos master (the leader when the stack was last deployed). */
    mesosMasterHost: string;
    mesosCluster: string;
    overlayNetworkName?: string;
    nfs?: { address: string; path: string };
    uploader?: { directory: string; scpConnection: string; sshConnection: string; url: string };
    /** The worker image built on every agent (`name:tag`). */
    workerImage?: string;
    /** Where the job master listens (Twister2 runs it beside the Mesos scheduler). */
    jobMasterIp: string;
}

export type Twister2ConfFiles = Record<"resource.yaml" | "core.yaml", string>;

const header = "# Written by twister2-cluster (pulumi up) for this stack's cluster; copy into twister2/conf/mesos/.\n";

export function renderTwister2Conf(facts: Twister2ClusterFacts): Twister2ConfFiles {
    const resource: Record<string, unknown> = {
        "twister2.resource.mesos.master.uri": facts.mesosZkUrl,
        "twister2.resource.mesos.master.host": facts.mesosMasterHost,
        "twister2.resource.scheduler.mesos.cluster": facts.mesosCluster,
        "twister2.resource.use_docker_container": true,
    };
    if (facts.workerImage) resource["twister2.resource.mesos.docker.image"] = facts.workerImage;
    if (facts.overlayNetworkName) resource["twister2.resource.mesos.overlay.network.name"] = facts.overlayNetworkName;
    if (facts.nfs) {
        resource["twister2.resource.nfs.server.address"] = facts.nfs.address;
        resource["twister2.resource.nfs.server.path"] = facts.nfs.path;
    }
    if (facts.uploader) {
        Object.assign(resource, {
            "twister2.resource.uploader.directory": facts.uploader.directory,
            "twister2.resource.uploader.scp.command.connection": facts.uploader.scpConnection,
            "twister2.resource.uploader.scp.command.options": "--chmod=+rwx",
            "twister2.resource.uploader.ssh.command.connection": facts.uploader.sshConnection,
            "twister2.resource.uploader.ssh.command.options": "-o BatchMode=yes",
            "twister2.resource.uploader.download.method": "HTTP",
            "twister2.resource.HTTP.fetch.uri": facts.uploader.url.replace(/\/+$/, ""),
        });
    }
    const core = {
        "twister2.job.master.ip": facts.jobMasterIp,
        "twister2.job.master.port": 11011,
    };
    return {
        "resource.yaml": header + stringify(resource),
        "core.yaml": header + stringify(core),
    };
}

/** Writes the files into `dir` (created if missing); returns the directory. */
export function writeTwister2Conf(dir: string, files: Twister2ConfFiles): string {
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
}
