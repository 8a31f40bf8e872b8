// `twister2-cluster:registry`: the cluster's own registry of the worker image (ImageRegistry), checked when a
// host has the registry role.
import { z } from "zod";
import { wholeNumber } from "../../framework/config/settings";
import type { PackageNeed } from "../../framework/packages/packages";

export const defaultPort = 5000;
export const defaultPushPort = 5001;

const port = (what: string, fallback: number) => wholeNumber(1, 65535, (value) => `${String(value)} is not a TCP port (1-65535); the default is ${fallback}`)
    .default(fallback)
    .describe(what);

export const registrySettings = z.strictObject({
    port: port("The TCP port agents pull the worker image from (read only, TLS, the pull account)", defaultPort),
    pushPort: port("The TCP port the build pushes the worker image to (TLS, the push account)", defaultPushPort),
});
export type RegistrySettings = z.output<typeof registrySettings>;

/** Debian's registry (Distribution 2.8), htpasswd for its bcrypt accounts, openssl for the stack's certificates. */
export const registryPackages: PackageNeed = { thing: "registry", packages: ["docker-registry", "apache2-utils", "openssl"] };
