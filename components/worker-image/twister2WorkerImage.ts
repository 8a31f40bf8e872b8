// The Twister2 worker image (image/: a JRE, sshd on 2022, init.sh fetching the job). With the cluster's
// registry it is built once, on the registry's host, pushed, and pulled by digest on every Mesos agent, so
// every task runs the same bits; without one each agent builds what it runs. Its settings
// (`twister2-cluster:workerImage`): config.ts.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DockerHost } from "../docker/dockerHost";
import { ImageRegistry, loginStdin } from "../registry/imageRegistry";
import { Host, lastLine, Remote } from "../../framework/remote/remote";
import { workerImageScripts } from "./component";
import type { WorkerImageConfig } from "./config";

/** The build context: the files of image/. */
const contextDir = path.join(__dirname, "image");

export interface Twister2WorkerImageArgs extends WorkerImageConfig {
    /** The stack's context for steps on hosts (index.ts makes one). */
    remote: Remote;
    /** Where the image runs: the Mesos agents, each after its Docker engine. */
    hosts: { host: Host; docker: DockerHost }[];
    /** The cluster's registry, and the Docker engine on its host, which builds and pushes; none: each agent builds. */
    registry?: { registry: ImageRegistry; docker: DockerHost };
}

/**
 * The worker image, built from `<name>:<hash of Dockerfile, init.sh and base image>`: a changed file
 * builds a new image (the old one goes), a converged stack runs nothing. Pushed to the cluster's
 * registry, it is named by digest (`<registry>/<name>@sha256:...`) and each agent pulls it; destroy
 * removes the builds, the pulled copies, and the base image if this program imported it.
 */
export class Twister2WorkerImage extends pulumi.ComponentResource {
    /** What Twister2's `twister2.resource.mesos.docker.image` and `docker run` take: by digest from the registry, else `name:tag`. */
    public readonly image: pulumi.Output<string>;
    /** The image id per agent (the same image gives the same id on every host). */
    public readonly imageIds: Record<string, pulumi.Output<string>> = {};

    constructor(name: string, args: Twister2WorkerImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("twister2:cluster:Twister2WorkerImage", name, {}, opts);
        const dockerfile = fs.readFileSync(path.join(contextDir, "Dockerfile"), "utf8");
        const initSh = fs.readFileSync(path.join(contextDir, "init.sh"), "utf8");
        const hash = crypto.createHash("sha256")
            .update(JSON.stringify({ dockerfile, initSh, baseImage: args.baseImage }))
            .digest("hex").slice(0, 12);
        const built = `${args.name}:${hash}`;
        const build = {
            create: workerImageScripts.build,
            createSettings: {
                IMAGE: built,
                BASE_IMAGE: args.baseImage,
                BASE_IMAGE_URL: args.baseImageUrl ?? "",
                APT_PROXY: args.aptProxy ?? "",
                DOCKERFILE: args.remote.hostFile("Dockerfile", dockerfile),
                INIT_SH: args.remote.hostFile("init.sh", initSh),
            },
            delete: workerImageScripts.remove,
            deleteSettings: { IMAGE_REPO: args.name, BASE_IMAGE: args.baseImage },
            // Another name or base image: the old builds (and an imported base) go before the new build.
            triggers: [args.name, args.baseImage, args.baseImageUrl ?? ""],
        };

        if (!args.registry) {
            this.image = pulumi.output(built);
            for (const { host, docker } of args.hosts) {
                const step = args.remote.hostScript(`${name}-${host.name}`, { host, ...build }, { parent: this, dependsOn: [docker.engine] });
                this.imageIds[host.name] = lastLine(step.stdout);
            }
            this.registerOutputs();
            return;
        }

        const { registry, docker: builderDocker } = args.registry;
        const pushed = `${registry.pushAddress}/${args.name}`;
        const pushStep = args.remote.hostScript(`${name}-build`, {
            ...build,
            host: builderDocker.host,
            createSettings: { ...build.createSettings, PUSH_TO: `${pushed}:${hash}`, REGISTRY_CA: registry.caCertificate },
            deleteSettings: { ...build.deleteSettings, PUSHED_REPO: pushed },
            stdin: loginStdin(registry.pushAccount),
        }, { parent: this, dependsOn: [builderDocker.engine, registry.server] });
        // The build prints the digest the registry gave the image last.
        this.image = lastLine(pushStep.stdout).apply((digest) => `${registry.pullAddress}/${args.name}@${digest}`);
        for (const { host, docker } of args.hosts) {
            const pull = args.remote.hostScript(`${name}-${host.name}`, {
                host,
                create: workerImageScripts.pull,
                createSettings: { IMAGE: this.image, REGISTRY: registry.pullAddress, REGISTRY_CA: registry.caCertificate },
                stdin: loginStdin(registry.pullAccount),
                delete: workerImageScripts.remove,
                deleteSettings: { PULLED_REPO: `${registry.pullAddress}/${args.name}` },
                triggers: [registry.pullAddress, args.name],
            }, { parent: this, dependsOn: [docker.engine, pushStep] });
            this.imageIds[host.name] = lastLine(pull.stdout);
        }
        this.registerOutputs();
    }
}
