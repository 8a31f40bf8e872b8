// The Twister2 worker image (image/: a JRE, sshd on 2022, init.sh fetching the job), built
// with `docker build` on every Mesos agent: there is no registry, so each agent builds what it runs. Also
// checks its own part of the stack config (`twister2-cluster:workerImage`).
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DockerHost } from "../docker/dockerHost";
import { Host, hostScript, lastLine } from "../remote/remote";

/** `twister2-cluster:workerImage`, typed (see parseWorkerImageConfig). */
export interface WorkerImageConfig {
    /** The image's name (a repository, no tag): the tag is a hash of the build's content. */
    name: string;
    /** A Debian 12 image to build on (`FROM`); pulled by `docker build` unless present or imported. */
    baseImage: string;
    /** A rootfs tarball (http/https) imported as `baseImage` when a host lacks it (no registry reachable). */
    baseImageUrl?: string;
    /** An http proxy for apt during the build (e.g. an apt-cacher-ng). */
    aptProxy?: string;
}

export interface RawWorkerImageConfig {
    name?: unknown; baseImage?: unknown; baseImageUrl?: unknown; aptProxy?: unknown;
}

export const defaultWorkerImage = { name: "twister2-worker", baseImage: "debian:bookworm-slim" };

// Docker's reference grammar (distribution/reference): [domain[:port]/]path[:tag][@digest].
const pathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const domain = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?";
const repository = `${domain}${pathComponent}(?:/${pathComponent})*`;
const repositoryPattern = new RegExp(`^(?=.{1,255}$)${repository}$`);
const referencePattern = new RegExp(`^${repository}(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`);

/**
 * Pure: checks `twister2-cluster:workerImage` and returns the typed config, adding each problem
 * (config path and fix) to `problems`.
 */
export function parseWorkerImageConfig(raw: RawWorkerImageConfig, problems: string[]): WorkerImageConfig {
    const name = raw.name ?? defaultWorkerImage.name;
    if (typeof name !== "string" || !repositoryPattern.test(name)) {
        problems.push(`workerImage.name: '${String(name)}' is not a Docker image name without a tag (lower-case letters, digits, ` +
            `'.', '_', '-', '/'); the tag is made from the build's content. Default: ${defaultWorkerImage.name}`);
    }
    const baseImage = raw.baseImage ?? defaultWorkerImage.baseImage;
    if (typeof baseImage !== "string" || !referencePattern.test(baseImage)) {
        problems.push(`workerImage.baseImage: '${String(baseImage)}' is not a Docker image reference such as ${defaultWorkerImage.baseImage}`);
    }
    const url = (value: unknown, where: string, pattern: RegExp, fix: string): string | undefined => {
        if (value === undefined || value === null || value === "") return undefined;
        if (typeof value !== "string" || !pattern.test(value)) {
            problems.push(`${where}: '${String(value)}' ${fix}`);
            return undefined;
        }
        return value;
    };
    const baseImageUrl = url(raw.baseImageUrl, "workerImage.baseImageUrl", /^https?:\/\/[^\s'"]+$/,
        "is not an http(s) URL of a rootfs tarball (imported with `docker import` when a host lacks baseImage)");
    if (baseImageUrl && typeof baseImage === "string" && baseImage.includes("@")) {
        problems.push(`workerImage.baseImage: ${baseImage} has a digest, and an imported image cannot; ` +
            "give a name:tag such as debian:bookworm to import baseImageUrl as");
    }
    const aptProxy = url(raw.aptProxy, "workerImage.aptProxy", /^http:\/\/[^\s'"\/]+(:\d+)?\/?$/,
        "is not an http proxy URL such as http://10.0.0.1:3142 (apt's Acquire::http::Proxy)");
    return { name: String(name), baseImage: String(baseImage), baseImageUrl, aptProxy };
}

/** The build context: the files of image/. */
const contextDir = path.join(__dirname, "image");

export interface Twister2WorkerImageArgs extends WorkerImageConfig {
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

        for (const { host, docker } of args.hosts) {
            const build = hostScript(`${name}-${host.name}`, {
                host,
                create: "worker-image-build.sh",
                createSettings: {
                    IMAGE: this.image,
                    IMAGE_REPO: args.name,
                    BASE_IMAGE: args.baseImage,
                    BASE_IMAGE_URL: args.baseImageUrl ?? "",
                    APT_PROXY: args.aptProxy ?? "",
                    DOCKERFILE: dockerfile,
                    INIT_SH: initSh,
                },
                delete: "worker-image-remove.sh",
                deleteSettings: { IMAGE_REPO: args.name, BASE_IMAGE: args.baseImage },
                // Another name or base image: the old builds (and an imported base) go before the new build.
                triggers: [args.name, args.baseImage, args.baseImageUrl ?? ""],
            }, { parent: this, dependsOn: [docker] });
            this.imageIds[host.name] = lastLine(build.stdout);
        }
        this.registerOutputs({ image: this.image, imageIds: this.imageIds });
    }
}
