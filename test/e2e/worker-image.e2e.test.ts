// The Twister2 worker image on a small real cluster (h1: ZooKeeper, Mesos master, swarm manager, uploader;
// h2: Mesos agent, swarm worker): built on the agent from the lab's rootfs with apt through the lab's cache;
// then, h1 given the registry role, built once there, pushed to the cluster's registry (TLS, accounts) and
// pulled by digest on the agent, whose own build goes; the registry refuses a push without the account and any connection from a host outside the
// stack; a job compiled here, packed as Twister2 packs it and rsynced into the uploader from a third host,
// runs in the image on the overlay network; a wrong package URL fails fast and says which; a converged
// stack runs nothing; an agent added later pulls the image without a build; destroy removes the images,
// the base image this program imported, and the registry with what it stored.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LabHost, labDir, labInventory, onHost, onHostAsync, PulumiStack, reportTimings, stepSeconds } from "./harness";

let stack: PulumiStack;
let master: LabHost; // zookeeper, mesos-master, swarm-manager, uploader, registry: where the image is built
let agent: LabHost; // mesos-agent, swarm-worker: where the image runs
let client: LabHost; // where Twister2's submitting client would run (uploads with rsync); an agent later
let image: string; // <registry>/twister2-worker@sha256:...
let imageId: string;
let built: string; // twister2-worker:<content hash>, on the registry's host
let aptProxy: string; // this lab's apt cache
const baseImage = "twister2-lab/debian:bookworm";
const label = "org.twister2-cluster.worker-image";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "t2-e2e-worker-image-"));
const uploadKey = path.join(scratch, "id_ed25519");

/** Hello (prints its greeting) and Exit3 (exits 3), compiled here for Java 17, as a job jar. */
function buildPackages(): { core: Buffer; job: Buffer } {
    const src = path.join(scratch, "src");
    fs.mkdirSync(path.join(src, "twister2-job"), { recursive: true });
    fs.mkdirSync(path.join(src, "twister2-core", "lib"), { recursive: true });
    fs.writeFileSync(path.join(src, "Hello.java"),
        "public class Hello { public static void main(String[] a) { System.out.println(\"Hello from a Twister2 worker, Java \" + Runtime.version().feature()); } }\n");
    fs.writeFileSync(path.join(src, "Exit3.java"), "public class Exit3 { public static void main(String[] a) { System.exit(3); } }\n");
    fs.writeFileSync(path.join(src, "Core.java"), "public class Core { }\n");
    execFileSync("javac", ["--release", "17", "-d", path.join(src, "classes"), path.join(src, "Hello.java"), path.join(src, "Exit3.java")]);
    execFileSync("javac", ["--release", "17", "-d", path.join(src, "core-classes"), path.join(src, "Core.java")]);
    execFileSync("jar", ["cf", path.join(src, "twister2-job", "twister2-job-e2e.jar"), "-C", path.join(src, "classes"), "."]);
    execFileSync("jar", ["cf", path.join(src, "twister2-core", "lib", "twister2-core-e2e.jar"), "-C", path.join(src, "core-classes"), "."]);
    execFileSync("tar", ["-C", src, "-czf", path.join(scratch, "twister2-job.tar.gz"), "twister2-job"]);
    execFileSync("tar", ["-C", src, "-czf", path.join(scratch, "twister2-core.tar.gz"), "twister2-core"]);
    return { core: fs.readFileSync(path.join(scratch, "twister2-core.tar.gz")), job: fs.readFileSync(path.join(scratch, "twister2-job.tar.gz")) };
}

/** `docker run` of the worker image on the agent, on the overlay network; output and exit code. */
const runWorker = (env: Record<string, string>, command = "") => {
    const envArgs = Object.entries(env).map(([k, v]) => `-e ${k}='${v}'`).join(" ");
    return onHostAsync(agent, `set +e; timeout 300 docker run --rm --network mesos-overlay ${envArgs} ${image} ${command}; echo "exit=$?"`,
        { timeoutMs: 330_000 });
};

beforeAll(async () => {
    const hosts = labInventory();
    [master, agent, client] = hosts;
    const inventory = JSON.parse(fs.readFileSync(path.join(labDir, "inventory.json"), "utf8"));
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "t2-e2e-worker-image", "-f", uploadKey]);

    stack = new PulumiStack("e2e-worker-image", "Pulumi.dev.yaml");
    await stack.init();
    // No registry at first: the agent builds its own image, as stacks deployed before the registry did.
    await stack.setConfig("roles", {
        [master.name]: ["zookeeper", "mesos-master", "swarm-manager", "uploader"],
        [agent.name]: ["mesos-agent", "swarm-worker"],
    });
    await stack.setConfig("zookeeper", { serverIds: { [master.name]: 1 } });
    await stack.setConfig("uploader", { publicKeys: [fs.readFileSync(`${uploadKey}.pub`, "utf8").trim()] });
    await stack.useLabServices();
    aptProxy = inventory.aptProxy;
    expect(inventory.aptProxy).toBe(`http://${inventory.gateway}:${process.env.LAB_APT_PORT ?? 3142}`);

    // The client gets the upload key, the uploader's pinned host key, rsync, and the two packages.
    const { core, job } = buildPackages();
    await onHostAsync(client, `install -d -m 0700 /root/t2-upload && install -d -m 0755 /root/t2-upload/packages
        cat >/root/t2-upload/key <<'KEY'
${fs.readFileSync(uploadKey, "utf8").trim()}
KEY
        chmod 0600 /root/t2-upload/key
        echo '${master.address} ${(master as LabHost & { hostKey: string }).hostKey}' >/root/t2-upload/known_hosts
        echo '${core.toString("base64")}' | base64 -d >/root/t2-upload/packages/twister2-core.tar.gz
        echo '${job.toString("base64")}' | base64 -d >/root/t2-upload/packages/twister2-job.tar.gz
        chmod 0644 /root/t2-upload/packages/*
        command -v rsync >/dev/null || { apt-get update -qq && apt-get install -y -qq rsync; } >/dev/null`);
});

afterAll(async () => {
    await stack?.dispose();
    if (client) onHost(client, "rm -rf /root/t2-upload", { check: false });
    reportTimings("worker-image-timings.json");
    fs.rmSync(scratch, { recursive: true, force: true });
});

describe("the Twister2 worker image on the lab", () => {
    it("without a registry, pulumi up builds the image on the agent from the lab's rootfs, tagged with its content's hash", async () => {
        await stack.up();
        const out = await stack.output("workerImage");
        expect(out.image).toMatch(/^twister2-worker:[0-9a-f]{12}$/);
        expect(onHost(agent, `docker image inspect -f '{{.Id}} {{index .Config.Labels "${label}"}}' ${out.image}; docker image inspect -f ok ${baseImage}`).stdout.trim())
            .toBe(`${out.imageIds[agent.name]} twister2-worker\nok`);
        expect(onHost(master, `docker image ls -q --filter label=${label}`).stdout.trim()).toBe("");
    });

    it("given the registry role, builds the image once on the registry's host, and the agent's build is replaced by a pull by digest", async () => {
        await stack.setConfig(`roles.${master.name}`, ["zookeeper", "mesos-master", "swarm-manager", "uploader", "registry"], { path: true });
        const up = await stack.up();
        // The agent's build step is undone (its build and the imported base removed) before its pull step runs.
        const ops = up.events.flatMap((e) => e.resourcePreEvent?.metadata.urn.endsWith(`::worker-image-${agent.name}`) ? [e.resourcePreEvent.metadata.op] : []);
        expect(ops).toEqual(expect.arrayContaining(["delete-replaced", "create-replacement"]));
        const out = await stack.output("workerImage");
        image = out.image;
        imageId = out.imageIds[agent.name];
        expect(image).toMatch(new RegExp(`^${master.address.replace(/\./g, "\\.")}:5000/twister2-worker@sha256:[0-9a-f]{64}$`));
        expect(Object.keys(out.imageIds)).toEqual([agent.name]);
        expect(imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
        built = onHost(master, `docker image ls twister2-worker --filter label=${label} --format '{{.Repository}}:{{.Tag}}'`).stdout.trim();
        expect(built).toMatch(/^twister2-worker:[0-9a-f]{12}$/);
        const onMaster = onHost(master, `docker image inspect -f '{{.Id}}' ${built}
            docker image inspect -f '{{index .Config.Labels "${label}"}}' ${built}
            docker run --rm --entrypoint '' ${built} sh -c 'java -version 2>&1 | head -1; for c in sshd curl tar; do command -v $c; done'
            docker image inspect -f ok ${baseImage}`).stdout.trim().split("\n");
        // The same image, by id, on the host that built it and on the agent that pulled it.
        expect(onMaster[0]).toBe(imageId);
        expect(onMaster[1]).toBe("twister2-worker");
        expect(onMaster[2]).toMatch(/openjdk version "17\./);
        expect(onMaster.slice(3)).toEqual(["/usr/sbin/sshd", "/usr/bin/curl", "/usr/bin/tar", "ok"]);
        const onAgent = onHost(agent, `docker image inspect -f '{{.Id}} {{json .RepoDigests}}' ${image}
            docker image ls twister2-worker -q; docker image inspect ${baseImage} >/dev/null 2>&1 && echo base-image
            grep -l '${master.address}' /root/.docker/config.json /home/*/.docker/config.json 2>/dev/null || true`).stdout.trim();
        // Pulled, not built: no build's tag, no base image, and no registry credential left behind.
        expect(onAgent).toBe(`${imageId} ["${image}"]`);
    });

    it("the registry answers the cluster's hosts over TLS with the stack's CA, and refuses pushes and pulls without the accounts", async () => {
        const registry = await stack.output("imageRegistry");
        expect(registry).toMatchObject({ pullAddress: `${master.address}:5000`, pushAddress: `${master.address}:5001` });
        expect(registry.caCertificate).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
        const [repository, digest] = image.split("@");
        const name = repository.split("/").slice(1).join("/");
        const asked = (what: string) => onHost(agent, `curl -s -o /dev/null -w '%{http_code}\\n' --max-time 10 --cacert /etc/docker/certs.d/${master.address}:5000/ca.crt ${what}`).stdout.trim();
        // Every request without the account: the login challenge. The CA the agent trusts is the stack's, and nothing is insecure.
        expect(asked(`https://${master.address}:5000/v2/`)).toBe("401");
        expect(asked(`https://${master.address}:5000/v2/${name}/manifests/${digest}`)).toBe("401");
        expect(asked(`-X POST https://${master.address}:5001/v2/${name}/blobs/uploads/`)).toBe("401");
        expect(onHost(agent, "docker info --format '{{json .RegistryConfig.InsecureRegistryCIDRs}} {{len .RegistryConfig.IndexConfigs}}'").stdout).not.toContain(master.address);
        // A host outside the stack reaches neither port (the firewall), nor plain HTTP on the package's old port.
        const outside = onHost(client, `for port in 5000 5001; do timeout 5 bash -c "</dev/tcp/${master.address}/$port" 2>/dev/null && echo "open $port"; done; true`).stdout.trim();
        expect(outside).toBe("");
        expect(onHost(master, "systemctl is-active twister2-registry@pull twister2-registry@push; systemctl is-enabled docker-registry 2>&1 || true").stdout.trim().split("\n"))
            .toEqual(["active", "active", "disabled"]);
        // The keys are root's and the registry's; the accounts' lines are bcrypt hashes.
        expect(onHost(master, "cd /etc/twister2-registry && stat -c '%U:%G %a' ca.key registry.key && cut -d: -f1 pull.htpasswd push.htpasswd && cut -d: -f2 pull.htpasswd | cut -c1-4").stdout.trim().split("\n"))
            .toEqual(["root:root 600", "root:docker-registry 640", "twister2-pull", "twister2-push", "$2y$"]);
    });

    it("runs a job uploaded the way Twister2 uploads it: prints its output and exits 0", async () => {
        const sshOptions = "-i /root/t2-upload/key -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes " +
            "-o UserKnownHostsFile=/root/t2-upload/known_hosts -o ConnectTimeout=10";
        onHost(client, `rsync -a -e 'ssh ${sshOptions}' /root/t2-upload/packages/ twister2@${master.address}:/var/www/html/twister2/mesos/`);
        const run = await runWorker({ CLASS_NAME: "Hello", T2_FETCH_URI: `http://${master.address}:8082` });
        expect(run.stdout).toMatch(/^Hello from a Twister2 worker, Java 17$/m);
        expect(run.stdout).toMatch(/^exit=0$/m);
        expect(run.stderr).toContain(`fetching http://${master.address}:8082/twister2/mesos/twister2-core.tar.gz`);
    });

    it("writes the job's exit code to /dev/termination-log and exits with it; sshd listens on 2022", async () => {
        const env = { CLASS_NAME: "Exit3", T2_FETCH_URI: `http://${master.address}:8082/`, T2_JOB_PATH: "twister2/mesos" };
        const run = await runWorker(env, `bash -c '/init.sh; rc=$?; echo "rc=$rc log=$(cat /dev/termination-log)"
            awk '"'"'$2 ~ /:07E6$/ && $4 == "0A" { print "sshd-2022" }'"'"' /proc/net/tcp /proc/net/tcp6 | head -1; exit $rc'`);
        expect(run.stdout).toMatch(/^rc=3 log=3$/m);
        expect(run.stdout).toMatch(/^sshd-2022$/m);
        expect(run.stdout).toMatch(/^exit=3$/m);
    });

    it("fails at once, naming the URL, when a package cannot be downloaded", async () => {
        const started = Date.now();
        const run = await runWorker({ CLASS_NAME: "Hello", T2_FETCH_URI: `http://${master.address}:8082`, T2_JOB_PATH: "/twister2/nowhere/" });
        expect(run.stdout).toMatch(/^exit=1$/m);
        expect(run.stderr).toContain(`twister2-init: ERROR: could not download http://${master.address}:8082/twister2/nowhere/twister2-core.tar.gz (curl exit 22)`);
        expect(run.stdout).not.toMatch(/Hello from/);
        expect(Date.now() - started).toBeLessThan(60_000);
        const noClass = await runWorker({ T2_FETCH_URI: `http://${master.address}:8082` });
        expect(noClass.stdout).toMatch(/^exit=1$/m);
        expect(noClass.stderr).toContain("CLASS_NAME is not set");
    });

    it("previews no changes when converged", async () => {
        await stack.preview({ expectNoChanges: true });
    });

    it("re-runs on a changed setting without rebuilding or a new digest, and drops older builds of the image only", async () => {
        // A stale build of this image, and an image of someone else's that carries its label (as one built FROM it would).
        onHost(master, `docker tag ${built} twister2-worker:000000000000 && docker tag ${built} someone-else/derived:1`);
        await stack.setConfig("workerImage.aptProxy", `${aptProxy}/`, { path: true });
        const up = await stack.up();
        expect(up.stdout).toMatch(/1 updated/);
        const out = (await stack.outputs()).workerImage;
        expect(out).toEqual({ image, imageIds: { [agent.name]: imageId } });
        const tags = onHost(master, "docker image ls --format '{{.Repository}}:{{.Tag}}' | sort").stdout.trim().split("\n");
        expect(tags).toContain(built);
        expect(tags).toContain("someone-else/derived:1");
        expect(tags).not.toContain("twister2-worker:000000000000");
        onHost(master, "docker image rm someone-else/derived:1 >/dev/null");
    });

    it("an agent added later pulls the image in seconds, without a build, and runs the same bits", async () => {
        await stack.setConfig(`roles.${client.name}`, ["mesos-agent", "swarm-worker"], { path: true });
        const up = await stack.up();
        const out = (await stack.outputs()).workerImage;
        expect(out).toEqual({ image, imageIds: { [agent.name]: imageId, [client.name]: imageId } });
        expect(onHost(client, `docker image inspect -f '{{.Id}}' ${image}; docker image ls twister2-worker -q`).stdout.trim()).toBe(imageId);
        // The build on the registry's host ran no more, and the pull is a pull's time (a build is a minute or more).
        expect(up.events.some((e) => e.resourcePreEvent?.metadata.urn.endsWith("::worker-image-build") && e.resourcePreEvent.metadata.op !== "same")).toBe(false);
        expect(stepSeconds(up.events, `worker-image-${client.name}`)).toBeLessThan(30);
        await stack.setConfig("roles", {
            [master.name]: ["zookeeper", "mesos-master", "swarm-manager", "uploader", "registry"],
            [agent.name]: ["mesos-agent", "swarm-worker"],
        });
        await stack.up();
        // A removed agent's copy goes with it.
        expect(onHost(client, "if command -v docker >/dev/null; then docker image ls -q 2>/dev/null || true; fi; ls /etc/docker/certs.d 2>/dev/null || true").stdout.trim()).toBe("");
    });

    it("destroying the image's steps removes the builds, the pushed tags, the pulled copy and the imported base image, and keeps Docker", async () => {
        const state = await stack.exportState();
        const urns = state.deployment.resources.map((r: { urn: string }) => r.urn)
            .filter((u: string) => u.endsWith(`::worker-image-${agent.name}`) || u.endsWith("::worker-image-build"));
        expect(urns).toHaveLength(2);
        await stack.destroy({ target: urns });
        const leftOn = (host: LabHost) => onHost(host, `docker info >/dev/null && echo docker-running
            docker image ls -q --filter label=${label}
            docker image ls -q ${master.address}:5000/twister2-worker; docker image ls -q ${master.address}:5001/twister2-worker
            docker image inspect ${baseImage} >/dev/null 2>&1 && echo base-image || true
            ls /etc/docker/certs.d 2>/dev/null || true
            test -s /var/lib/twister2-cluster/worker-image-imported-bases && echo recorded || true`).stdout.trim();
        expect(leftOn(master)).toBe("docker-running");
        expect(leftOn(agent)).toBe("docker-running");
    });

    it("pulumi up builds and pushes it again (a new digest: builds are not reproducible), and pulumi destroy removes everything, the registry with its store", async () => {
        await stack.up();
        const rebuilt = (await stack.output("workerImage")).image;
        expect(rebuilt).toMatch(new RegExp(`^${master.address.replace(/\./g, "\\.")}:5000/twister2-worker@sha256:[0-9a-f]{64}$`));
        expect(onHost(agent, `docker image inspect -f ok ${rebuilt}`).stdout.trim()).toBe("ok");
        // The registry keeps only the image the stack runs: the first build's manifest (untagged by the rebuild,
        // which pushed the same tag) collected with it, on the registry's store.
        const store = "/var/lib/docker-registry/docker/registry/v2";
        const [first, now] = [image, rebuilt].map((ref) => ref.split("@sha256:")[1]);
        expect(first).not.toBe(now);
        expect(onHost(master, `ls ${store}/repositories/twister2-worker/_manifests/revisions/sha256`).stdout.trim().split("\n")).toEqual([now]);
        expect(onHost(master, `for d in ${first} ${now}; do test -e ${store}/blobs/sha256/\${d:0:2}/$d/data && echo "$d kept" || echo "$d gone"; done`).stdout.trim())
            .toBe(`${first} gone\n${now} kept`);
        await stack.destroy();
        for (const host of [master, agent]) {
            const left = onHost(host, `if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
                  docker image ls -q --filter label=${label}; docker image inspect ${baseImage} >/dev/null 2>&1 && echo base-image
                fi; true`).stdout.trim();
            expect(left, host.name).toBe("");
        }
        expect(onHost(master, "ls -d /etc/twister2-registry /var/lib/docker-registry /etc/systemd/system/twister2-registry@.service 2>/dev/null || true; " +
            "dpkg-query -W -f='${Status}\\n' docker-registry apache2-utils 2>/dev/null | grep -c ' installed' || true").stdout.trim()).toBe("0");
        // The locks (the steps', the build's, the package lock) go with the host scripts.
        expect(onHost(agent, "ls /run /run/lock | grep twister2 || true").stdout.trim()).toBe("");
    });
});
