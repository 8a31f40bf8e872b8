import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
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

    constructor(name: string, args: DockerHostArgs, opts?: pulumi.ComponentResourceOptions) {
        super("twister2:cluster:DockerHost", name, {}, opts);
        this.host = args.host;

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
}
