// The web host Twister2 uploads job packages to (rsync/ssh as a dedicated account) and its workers
// download them from (nginx, read-only HTTP). Its settings: config.ts.
import * as pulumi from "@pulumi/pulumi";
import { scriptText } from "../../framework/remote/hostScripts";
import { Host, Remote } from "../../framework/remote/remote";
import { uploadCommand, uploaderScripts } from "./component";
import type { UploaderConfig } from "./config";

export interface UploaderServerArgs extends UploaderConfig {
    /** The stack's context for steps on hosts (index.ts makes one). */
    remote: Remote;
    host: Host;
}

/**
 * nginx serving one directory read-only (GET/HEAD, no listings) on its own port, and a dedicated
 * account that uploads into it with rsync/ssh using the given public keys — the two halves of Twister2's
 * uploader (`uploader.directory`, `scp/ssh.command.connection`, `download.method: HTTP`, `HTTP.fetch.uri`).
 */
export class UploaderServer extends pulumi.ComponentResource {
    /** The directory's URL, e.g. `http://10.0.0.12:8082/twister2/mesos/`. */
    public readonly url: string;
    /** The web server's base URL: Twister2's `twister2.resource.HTTP.fetch.uri`. */
    public readonly fetchUri: string;
    /** Twister2's `twister2.resource.uploader.directory`. */
    public readonly directory: string;
    /** `user@host`: Twister2's `twister2.resource.uploader.scp.command.connection`. */
    public readonly scpConnection: string;
    /** `user@host`: Twister2's `twister2.resource.uploader.ssh.command.connection`. */
    public readonly sshConnection: string;
    /** The core package's URL when one is published. */
    public readonly corePackageUrl?: pulumi.Output<string>;

    constructor(name: string, args: UploaderServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("twister2:cluster:UploaderServer", name, {}, opts);
        const { host } = args;
        this.fetchUri = `http://${host.address}:${args.port}`;
        this.url = `${this.fetchUri}${args.urlPath}`;
        this.directory = args.directory;
        this.scpConnection = `${args.user}@${host.address}`;
        this.sshConnection = this.scpConnection;

        // The web server and the upload account are replaced (undone, then made again) when the account
        // or the directory changes, so an old account or directory never lingers; new keys only rewrite
        // authorized_keys, a new port or path the site.
        const server = args.remote.hostScript(`${name}-server`, {
            host,
            create: uploaderScripts.server,
            createSettings: {
                PORT: args.port, DIRECTORY: args.directory, URL_PATH: args.urlPath,
                UPLOAD_USER: args.user, PUBLIC_KEYS: args.publicKeys.join("\n"),
                UPLOAD_COMMAND: args.remote.hostFile("uploader-command", scriptText(uploadCommand)),
            },
            delete: uploaderScripts.serverRemove,
            deleteSettings: { UPLOAD_USER: args.user, DIRECTORY: args.directory },
            triggers: [args.user, args.directory],
        }, { parent: this });

        if (args.corePackage) {
            const { file, name: packageName, sha256 } = args.corePackage;
            // Copied (SFTP, as the SSH login) into the login's home, then checked and moved into the
            // directory by a root step. Only the file's path and hash are in the state: a new hash copies
            // and publishes again.
            const staged = `.twister2-cluster-${packageName}`;
            const upload = args.remote.copyToHost(`${name}-core-package-upload`, host, file, staged, { parent: this, dependsOn: [server] });
            const settings = { DIRECTORY: args.directory, NAME: packageName, UPLOAD_USER: args.user, STAGED: staged };
            const core = args.remote.hostScript(`${name}-core-package`, {
                host,
                create: uploaderScripts.publish,
                createSettings: { ...settings, SHA256: sha256 },
                delete: uploaderScripts.unpublish,
                deleteSettings: settings,
            }, { parent: this, dependsOn: [upload] });
            this.corePackageUrl = core.urn.apply(() => `${this.url}${packageName}`);
        }

        this.registerOutputs();
    }
}
