// `twister2-cluster:workerImage`: the Twister2 worker image built on every Mesos agent (Twister2WorkerImage).
import { z } from "zod";
import { alwaysSaying, textMatching } from "../../framework/config/settings";

const defaultName = "twister2-worker";
const defaultBaseImage = "debian:bookworm-slim";

// Docker's reference grammar (distribution/reference): [domain[:port]/]path[:tag][@digest].
const pathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const domain = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?";
const repository = `${domain}${pathComponent}(?:/${pathComponent})*`;
const repositoryPattern = new RegExp(`^(?=.{1,255}$)${repository}$`);
const referencePattern = new RegExp(`^${repository}(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`);

/** An optional URL: empty text is none (`pulumi config set --path ... ""` takes one out). */
const optionalUrl = (pattern: RegExp, fix: string) =>
    textMatching(new RegExp(`^(${pattern.source})?$`), (value) => `'${String(value)}' ${fix}`)
        .transform((url) => url || undefined)
        .optional();

export const workerImageSettings = z.strictObject({
    name: textMatching(repositoryPattern, (value) => `'${String(value)}' is not a Docker image name without a tag (lower-case letters, digits, ` +
        `'.', '_', '-', '/'); the tag is made from the build's content. Default: ${defaultName}`)
        .default(defaultName)
        .describe("The image's name, without a tag: the tag is a hash of the build's content"),
    baseImage: z.string(alwaysSaying((value) => `'${String(value)}' is not a Docker image reference such as ${defaultBaseImage}`))
        .regex(referencePattern)
        .default(defaultBaseImage)
        .describe("A Debian 12 image to build on (FROM); docker build pulls it unless present or imported"),
    baseImageUrl: optionalUrl(/https?:\/\/[^\s'"]+/,
        "is not an http(s) URL of a rootfs tarball (imported with `docker import` when a host lacks baseImage)")
        .describe("A rootfs tarball (http/https) imported as baseImage where a host lacks it (no registry reachable)"),
    aptProxy: optionalUrl(/http:\/\/[^\s'"\/]+(:\d+)?\/?/, "is not an http proxy URL such as http://10.0.0.1:3142 (apt's Acquire::http::Proxy)")
        .describe("An http proxy for apt during the build (e.g. an apt-cacher-ng)"),
});
export type WorkerImageSettings = z.output<typeof workerImageSettings>;
/** `twister2-cluster:workerImage`, checked, with defaults: Twister2WorkerImage's settings. */
export type WorkerImageConfig = WorkerImageSettings;
