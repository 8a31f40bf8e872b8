import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { opensshOptions } from "../../framework/remote/ssh";
import { Host, lastLine, Remote } from "../../framework/remote/remote";
import { dockerScripts } from "./component";
import type { DockerSource } from "./config";


export interface DockerHostArgs {
    /** The stack's context for steps on hosts (index.ts makes one). */
    remote: Remote;
    host: Host;
    /** `docker-ce` from Docker's apt repository (real clusters) or the distribution's `docker.io`. */
    source: DockerSource;
    /** Contents of /etc/docker/daemon.json. */
    daemonJson: Record<string, unknown>;
    /** Users who may use the Docker socket (the SSH user, for the Docker provider over SSH). */
    socketUsers: string[];
}

/** The Docker engine on one host: installed, configured, running and answering `docker info`. */
export class DockerHost extends pulumi.ComponentResource {
    public readonly host: Host;
    /** The step that installs and configures the engine: steps that need Docker on the host wait for it. */
    public readonly engine: command.remote.Command;
    /** The engine's server version, as the host reports it. */
    public readonly engineVersion: pulumi.Output<string>;
    private readonly knownHostsFile: string;

    constructor(name: string, args: DockerHostArgs, opts?: pulumi.ComponentResourceOptions) {
        super("twister2:cluster:DockerHost", name, {}, opts);
        this.host = args.host;
        this.knownHostsFile = args.remote.knownHostsFile;

        const engine = this.engine = args.remote.hostScript(`${name}-engine`, {
            host: args.host,
            create: dockerScripts.install,
            createSettings: {
                DOCKER_SOURCE: args.source,
                DAEMON_JSON: JSON.stringify(args.daemonJson, null, 2),
                DOCKER_USERS: args.socketUsers.join(" "),
            },
            delete: dockerScripts.uninstall,
        }, { parent: this });

        this.engineVersion = lastLine(engine.stdout);
        this.registerOutputs();
    }

    /**
     * A Docker provider for this engine, over SSH (`docker system dial-stdio` on the host) as the host's
     * SSH user (in the `docker` group, above), with the stack's key and the pinned host key only. The
     * engine is not asked for anything until a resource needs it, so a preview contacts no host.
     */
    provider(name: string, opts?: pulumi.CustomResourceOptions): docker.Provider {
        return new docker.Provider(name, {
            host: `ssh://${this.host.user}@${this.host.address}:${this.host.port}`,
            sshOpts: opensshOptions(this.host, this.knownHostsFile),
            disableDockerDaemonCheck: true,
        }, opts);
    }
}
