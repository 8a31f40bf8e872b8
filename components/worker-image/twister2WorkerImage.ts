// The Twister2 worker image (image/: a JRE, sshd on 2022, init.sh fetching the job), built
// with `docker build` on every Mesos agent: there is no registry, so each agent builds what it runs. Its
// settings (`twister2-cluster:workerImage`): config.ts.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DockerHost } from "../docker/dockerHost";
import { Host, lastLine, Remote } from "../../framework/remote/remote";
import { workerImageScripts } from "./component";
import type { WorkerImageConfig } from "./config";

/** The build context: the files of image/. */
const contextDir = path.join(__dirname, "image");

export interface Twister2WorkerImageArgs extends WorkerImageConfig {
    /** The stack's context for steps on hosts (index.ts makes one). */
    remote: Remote;
    /** Where the image is built: the Mesos agents, each after its Docker engine. */
    hosts: { host: Host; docker: DockerHost }[];
}

/**
 * The worker image on each host, tagged `<name>:<hash of Dockerfile, init.sh and base image>`: a changed
 * file builds a new image (the old one goes), a converged stack runs nothing. Destroy removes the builds
 * and the base image if this program imported it.
 */
export class Twister2WorkerImage extends pulumi.ComponentResource {
    /** `name:tag`, as Twister2's `twister2.resource.mesos.docker.image` and `docker run` take it. */
    public readonly image: string;
    /** The image id per host name (the same content gives the same id on every host). */
    public readonly imageIds: Record<string, pulumi.Output<string>> = {};

    constructor(name: string, args: Twister2WorkerImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("twister2:cluster:Twister2WorkerImage", name, {}, opts);
        const dockerfile = fs.readFileSync(path.join(contextDir, "Dockerfile"), "utf8");
        const initSh = fs.readFileSync(path.join(contextDir, "init.sh"), "utf8");
        const hash = crypto.createHash("sha256")
            .update(JSON.stringify({ dockerfile, initSh, baseImage: args.baseImage }))
            .digest("hex").slice(0, 12);
        this.image = `${args.name}:${hash}`;
        const [dockerfileOnHost, initShOnHost] = [args.remote.hostFile("Dockerfile", dockerfile), args.remote.hostFile("init.sh", initSh)];

        for (const { host, docker } of args.hosts) {
            const build = args.remote.hostScript(`${name}-${host.name}`, {
                host,
                create: workerImageScripts.build,
                createSettings: {
                    IMAGE: this.image,
                    BASE_IMAGE: args.baseImage,
                    BASE_IMAGE_URL: args.baseImageUrl ?? "",
                    APT_PROXY: args.aptProxy ?? "",
                    DOCKERFILE: dockerfileOnHost,
                    INIT_SH: initShOnHost,
                },
                delete: workerImageScripts.remove,
                deleteSettings: { IMAGE_REPO: args.name, BASE_IMAGE: args.baseImage },
                // Another name or base image: the old builds (and an imported base) go before the new build.
                triggers: [args.name, args.baseImage, args.baseImageUrl ?? ""],
            }, { parent: this, dependsOn: [docker.engine] });
            this.imageIds[host.name] = lastLine(build.stdout);
        }
        this.registerOutputs();
    }
}
