// A program of the official providers' resources only, driven by its stack config, so that
// test/e2e/providers.e2e.test.ts can try each behaviour this project relies on against the installed
// plugins (the official ones, or the lab's stand-ins).
import * as fs from "node:fs";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

interface Target { address: string; user: string; privateKeyFile: string; hostKey: string }
interface CommandCase {
    create?: string;
    update?: string;
    delete?: string;
    stdin?: string;
    triggers?: unknown[];
    logging?: "stdout" | "stderr" | "stdoutAndStderr" | "none";
    environment?: Record<string, string>;
    /** Connect to this address instead of the target (nothing listens there). */
    address?: string;
    /** Use this host key instead of the target's. */
    hostKey?: string;
    /** Go through this host (a bastion: the same login and key as the target's) with connection.proxy. */
    proxy?: { address: string; hostKey: string };
}

const config = new pulumi.Config();
const target = config.requireObject<Target>("target");
const connection = (c: CommandCase) => ({
    host: c.address ?? target.address,
    user: target.user,
    privateKey: pulumi.secret(fs.readFileSync(target.privateKeyFile, "utf8")),
    hostKey: c.hostKey ?? target.hostKey,
    dialErrorLimit: 2,
    perDialTimeout: 5,
    ...c.proxy ? {
        proxy: {
            host: c.proxy.address, user: target.user, privateKey: pulumi.secret(fs.readFileSync(target.privateKeyFile, "utf8")),
            hostKey: c.proxy.hostKey, dialErrorLimit: 2, perDialTimeout: 5,
        },
    } : {},
});

export const stdouts: Record<string, pulumi.Output<string>> = {};
for (const [name, c] of Object.entries(config.getObject<Record<string, CommandCase>>("commands") ?? {})) {
    const cmd = new command.remote.Command(name, {
        connection: connection(c),
        create: c.create,
        update: c.update,
        delete: c.delete,
        stdin: c.stdin === undefined ? undefined : pulumi.secret(c.stdin),
        triggers: c.triggers,
        logging: c.logging,
        environment: c.environment,
        addPreviousOutputInEnv: false,
    });
    stdouts[name] = cmd.stdout;
}

const copy = config.getObject<{ file: string; remotePath: string }>("copy");
if (copy) {
    new command.remote.CopyToRemote("copy", {
        connection: connection({}),
        source: new pulumi.asset.FileAsset(copy.file),
        remotePath: copy.remotePath,
    });
}

const password = config.getObject<{ length: number; keeper: string }>("password");
export const passwordResult = password && new random.RandomPassword("password", {
    length: password.length,
    special: false,
    keepers: { keeper: password.keeper },
}).result;

const network = config.getObject<{ internal?: boolean }>("network");
if (network) {
    const provider = new docker.Provider("docker", { host: `ssh://${target.user}@${target.address}:22` });
    new docker.Network("network", { name: "t2-contract", driver: "bridge", internal: network.internal }, { provider });
}
