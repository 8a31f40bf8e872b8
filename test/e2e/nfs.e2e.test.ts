// The NFS share on the lab: NFS-Ganesha on h1 (the lab's kernel has no nfsd and no NFS client, so nothing
// mounts it: the other hosts speak NFSv4 with libnfs-utils). Only the nfs-server role is given, so nothing
// else deploys. Checked from the hosts: a file written from one client is read back from another, root is
// squashed to nobody, a client's ordinary user (an unprivileged port) is refused, a host outside `clients`
// is refused until it is added, and destroy removes the export
// and the packages (and keeps the data).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LabHost, labInventory, onHost, onHostAsync, PulumiStack, reportTimings } from "./harness";

let hosts: LabHost[];
let stack: PulumiStack;
let exportPath: string;
const host = (name: string) => hosts.find((h) => h.name === name)!;
const server = () => host("h1");

/** An nfs:// URL of a file (or the directory) in the share, NFSv4, optionally as another uid/gid. */
const nfsUrl = (file = "", ids = "") => `nfs://${server().address}${exportPath}${file ? `/${file}` : ""}?version=4${ids}`;

/** Runs libnfs-utils on a client host; returns the result without failing the test. */
const nfsOn = (name: string, command: string) => onHost(host(name), command, { check: false, timeoutMs: 60_000 });

beforeAll(async () => {
    hosts = labInventory();
    stack = new PulumiStack("e2e-nfs", "Pulumi.dev.yaml");
    await stack.init();
    // The NFS server only, on h1; h3 is left out of the clients at first.
    await stack.setConfig("roles", { h1: ["nfs-server"] });
    await stack.removeConfig("zookeeper");
    await stack.setConfig("nfs.clients", [host("h1").address, host("h2").address], { path: true });
    exportPath = String(((await stack.config()).nfs as { path?: string }).path);
    // The test's NFS client, on the client hosts (not something the program installs).
    for (const name of ["h2", "h3"]) {
        await onHostAsync(host(name), "command -v nfs-cp >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libnfs-utils >/dev/null; }");
    }
});

afterAll(async () => {
    await stack?.dispose();
    reportTimings("nfs-timings.json");
    // The data the test wrote: destroy keeps job data on purpose.
    if (hosts && exportPath) onHost(server(), `rm -rf '${exportPath}' && rmdir -p '${exportPath.replace(/\/[^/]+$/, "")}' 2>/dev/null || true`, { check: false });
});

describe("the NFS share on the lab (nfs-ganesha)", () => {
    it("pulumi up exports the share from h1 and gives its address and path", async () => {
        await stack.up();
        expect(await stack.output("nfsShare")).toEqual({ address: server().address, path: exportPath });
        expect((await stack.output("hosts")).find((h) => h.name === "h1")!.services["nfs-server"]).toMatch(/^nfs-ganesha \d/);
        // The exported directory: root's, mode 1777 (anyone may make a job directory, as in /tmp).
        expect(onHost(server(), `stat -c '%u:%g %a' '${exportPath}'`).stdout.trim()).toBe("0:0 1777");
    });

    it("reads back on h2 what h2 wrote over NFSv4, and squashes root to nobody", () => {
        const write = nfsOn("h2", `echo "job output from h2" >/tmp/t2-nfs-a.txt && nfs-cp /tmp/t2-nfs-a.txt '${nfsUrl("a.txt")}'`);
        expect(write.code, write.stderr).toBe(0);
        expect(nfsOn("h2", `nfs-cat '${nfsUrl("a.txt")}'`).stdout).toBe("job output from h2\n");
        // A user's write keeps its owner; root's (nfs-cp runs as root) becomes nobody:nogroup.
        expect(nfsOn("h2", `nfs-cp /tmp/t2-nfs-a.txt '${nfsUrl("b.txt", "&uid=1000&gid=1000")}'`).code).toBe(0);
        const owners = onHost(server(), `cd '${exportPath}' && stat -c '%n %u:%g' a.txt b.txt`).stdout.trim().split("\n");
        expect(owners).toEqual(["a.txt 65534:65534", "b.txt 1000:1000"]);
    });

    it("refuses a client host's ordinary user, who speaks NFS from an unprivileged port", () => {
        // libnfs binds a privileged port only for root: as nobody the same read is refused.
        const read = nfsOn("h2", `runuser -u nobody -- nfs-cat '${nfsUrl("a.txt")}'`);
        expect(read.code).not.toBe(0);
        expect(read.stdout).not.toContain("job output from h2");
    });

    it("refuses a host that is not among the clients", () => {
        const read = nfsOn("h3", `nfs-cat '${nfsUrl("a.txt")}'`);
        expect(read.code).not.toBe(0);
        expect(read.stdout).not.toContain("job output from h2");
    });

    it("lets the host in once clients lists it, re-running only the server step and its host's firewall", async () => {
        await stack.setConfig("nfs.clients[2]", host("h3").address, { path: true });
        const up = await stack.up();
        expect(up.stdout).toMatch(/2 updated/);
        // Written on h2, read on h3.
        expect(nfsOn("h3", `nfs-cat '${nfsUrl("a.txt")}'`).stdout).toBe("job output from h2\n");
        expect(nfsOn("h3", `echo "from h3" >/tmp/t2-nfs-c.txt && nfs-cp /tmp/t2-nfs-c.txt '${nfsUrl("c.txt")}'`).code).toBe(0);
        expect(nfsOn("h2", `nfs-cat '${nfsUrl("c.txt")}'`).stdout).toBe("from h3\n");
    });

    it("previews no changes when converged", async () => {
        const preview = await stack.preview({ expectNoChanges: true, check: false });
        expect(preview.ok, preview.stdout).toBe(true);
    });

    it("pulumi destroy removes the export and the packages it installed, and keeps the data", async () => {
        await stack.destroy();
        const after = onHost(server(), `set +e
            for p in nfs-ganesha nfs-ganesha-vfs nfs-common rpcbind; do
              dpkg-query -W -f='\${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' && echo "installed: $p"; done
            grep -rl twister2 /etc/ganesha 2>/dev/null | sed 's/^/config: /'
            ss -ltn | grep -q ':2049 ' && echo "listening: 2049"
            ls /var/lib/twister2-cluster 2>/dev/null | sed 's/^/marker: /'
            [ -e /var/lib/nfs/ganesha ] && echo "state: /var/lib/nfs/ganesha"
            ls '${exportPath}'`).stdout.trim().split("\n");
        expect(after).toEqual(["a.txt", "b.txt", "c.txt"]);
        expect(nfsOn("h2", `nfs-ls '${nfsUrl()}'`).code).not.toBe(0);
    });
});
