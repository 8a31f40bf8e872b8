// The cluster's registry of Twister2's worker image: Debian's docker-registry on the registry host, a pull
// service (read only) and a push service, each TLS with the stack's own CA and an account of its own.
// Its settings: config.ts.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Host, lastLine, Remote } from "../../framework/remote/remote";
import { registryScripts } from "./component";
import type { RegistrySettings } from "./config";

export interface ImageRegistryArgs extends RegistrySettings {
    /** The stack's context for steps on hosts (index.ts makes one). */
    remote: Remote;
    /** The host with the registry role. */
    host: Host;
}

/** An account of the registry: what `docker login` takes (a secret). */
export interface RegistryAccount {
    user: string;
    password: pulumi.Output<string>;
}

/**
 * The registry the worker image is pushed to once and pulled from by every agent: `pullAddress` for
 * image references (`<pullAddress>/twister2-worker@sha256:...`), `pushAddress` for the one build. A
 * Docker engine trusts it once `caCertificate` is its `/etc/docker/certs.d/<address>/ca.crt`: nothing is
 * configured as an insecure registry. Destroy removes it with every image it held.
 */
export class ImageRegistry extends pulumi.ComponentResource {
    /** `host:port` of the pull service (read only). */
    public readonly pullAddress: string;
    /** `host:port` of the push service. */
    public readonly pushAddress: string;
    /** The PEM certificate of the CA that signed the registry's certificate (made on the registry host). */
    public readonly caCertificate: pulumi.Output<string>;
    /** The account that may only pull (the pull service is read only). */
    public readonly pullAccount: RegistryAccount;
    /** The account that pushes the worker image. */
    public readonly pushAccount: RegistryAccount;
    /** The registry's step: what uses the registry waits for it. */
    public readonly server: pulumi.Resource;
    /** docker-registry's version, as the host reports it. */
    public readonly version: pulumi.Output<string>;
    private readonly remote: Remote;
    private readonly host: Host;
    private readonly name: string;

    constructor(name: string, args: ImageRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("twister2:cluster:ImageRegistry", name, {}, opts);
        const { host } = args;
        this.remote = args.remote;
        this.host = host;
        this.name = name;
        this.pullAddress = `${host.address}:${args.port}`;
        this.pushAddress = `${host.address}:${args.pushPort}`;
        // Letters and digits: they go into htpasswd and docker login on stdin, never quoted.
        const account = (use: "pull" | "push"): RegistryAccount => ({
            user: `twister2-${use}`,
            password: new random.RandomPassword(`${name}-${use}-password`, { length: 32, special: false }, { parent: this }).result,
        });
        this.pullAccount = account("pull");
        this.pushAccount = account("push");

        const server = args.remote.hostScript(`${name}-${host.name}`, {
            host,
            create: registryScripts.server,
            createSettings: { ADDRESS: host.address, PORT: args.port, PUSH_PORT: args.pushPort },
            stdin: pulumi.secret(pulumi.all([this.pullAccount.password, this.pushAccount.password])
                .apply(([pull, push]) => `pull ${this.pullAccount.user} ${pull}\npush ${this.pushAccount.user} ${push}`)),
            delete: registryScripts.remove,
        }, { parent: this });
        this.server = server;
        this.caCertificate = server.stdout.apply((out) => {
            const line = /^ca (\S+)$/m.exec(out)?.[1];
            return line ? Buffer.from(line, "base64").toString("utf8") : "";
        });
        this.version = lastLine(server.stdout);
        this.registerOutputs();
    }

    /**
     * Keeps only `images` (`<address>/<repository>@sha256:...`) in the registry, after `after` (their build
     * and pulls): every other tagged image is deleted and its blobs collected, each time the images change.
     */
    keepOnly(images: pulumi.Input<string>[], after: pulumi.Resource[]): pulumi.Resource {
        return this.remote.hostScript(`${this.name}-prune`, {
            host: this.host,
            create: registryScripts.prune,
            createSettings: { PUSH_ADDRESS: this.pushAddress, KEEP: pulumi.all(images).apply((list) => list.join(" ")) },
            stdin: loginStdin(this.pushAccount),
        }, { parent: this, dependsOn: [this.server, ...after] });
    }
}

/** `docker login`'s standard input for `account`: "<user> <password>" (a secret). */
export const loginStdin = (account: RegistryAccount): pulumi.Output<string> =>
    pulumi.secret(account.password.apply((password) => `${account.user} ${password}`));
