// Resources as this project's program declares them (the commands written by stepCommandLine, the
// components' scripts), each breaking rules of the policy pack (policy/) that no stack config can
// break: only a change to the program could. test/e2e/config.e2e.test.ts previews it with the pack,
// which must name every rule; nothing is created, and no host is contacted.
import * as crypto from "node:crypto";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import { mesosScripts } from "../../../components/mesos/component";
import { swarmScripts } from "../../../components/swarm/component";
import { uploaderScripts } from "../../../components/uploader/component";
import { stepCommandLine } from "../../../framework/remote/stepCommand";

const host = "10.77.0.11";
const hash = "0123456789abcdef";
// As root, with a login key that a command line repeats, and no pinned host key.
const loginKey = crypto.generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const connection = { host, user: "root", privateKey: loginKey };
const step = (name: string, script: string, settings: Record<string, string>, extra = "", address = host) =>
    new command.remote.Command(name, { connection: { ...connection, host: address }, create: `sudo ${stepCommandLine(settings, hash, address, script)}${extra}` });

step("swarm-init", swarmScripts.init.name, { ADVERTISE_ADDR: host }, ` && echo '${loginKey}'`);
step("swarm-join-manager", swarmScripts.join.name, { ROLE: "manager", JOIN_ADDRESS: `${host}:2377`, ADVERTISE_ADDR: "10.77.0.12" });
for (const address of [host, "10.77.0.12"]) {
    step(`mesos-master-${address}`, mesosScripts.daemon.name, { SERVICE: "mesos-master", FLAGS: `ip=${address}\nauthenticate_agents=false` }, "", address);
}
step("uploader-server", uploaderScripts.server.name, { UPLOAD_USER: "root", PORT: "8082" });

const provider = new docker.Provider("docker-as-root", { host: `ssh://root@${host}:22`, sshOpts: ["-o", "StrictHostKeyChecking=no"], disableDockerDaemonCheck: true });
new docker.Network("plain-overlay", { name: "breaker-overlay", driver: "overlay", attachable: true }, { provider });
