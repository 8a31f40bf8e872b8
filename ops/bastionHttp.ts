// npm run check and smoke read the cluster's HTTP endpoints (the Mesos masters and agents, the uploader)
// from this machine. Hosts behind a bastion are reached the way their SSH is, one step further: through a
// SOCKS proxy that `ssh -D` opens on loopback for as long as the command runs, logged in (through the
// bastion, every key pinned: opensshOptions) to a host of the stack behind it, so each connection leaves
// from that host. The hosts' firewalls admit one another, and not the bastion (components/firewall). Every
// fetch of the process goes through it; with no bastion, nothing changes.
import { ChildProcess, spawn } from "node:child_process";
import * as net from "node:net";
import * as tls from "node:tls";
import { Agent, setGlobalDispatcher } from "undici";
import { bastionId, distinctBastions, Host } from "../framework/config/hosts";
import { opensshOptions, SshTarget } from "../framework/remote/ssh";
import { UsageError } from "./liveStack";

/** A host the proxy may log in to: any host of the stack. */
type ProxyHost = SshTarget & Pick<Host, "name">;

/** How long the ssh to a host behind the bastion may take to open its SOCKS port. */
const openTimeoutMs = 20_000;

/**
 * Routes this process's fetches to `hosts` behind a bastion through a host behind the same bastion (a
 * no-op when none has one); the function it returns closes the proxies and routes every fetch directly again.
 */
export async function routeHttpThroughBastions(hosts: readonly ProxyHost[], knownHostsFile: string): Promise<() => void> {
    const bastions = distinctBastions(hosts);
    if (bastions.length === 0) return () => undefined;
    const proxies = new Map<string, number>();
    const sshs: ChildProcess[] = [];
    for (const bastion of bastions) {
        const opened = await openSocksProxy(hosts.filter((h) => h.bastion && bastionId(h.bastion) === bastionId(bastion)), knownHostsFile);
        proxies.set(bastionId(bastion), opened.port);
        sshs.push(opened.ssh);
    }
    const byAddress = new Map(hosts.map((h) => [h.address, h.bastion && proxies.get(bastionId(h.bastion))]));
    // A name no host has (an agent Mesos knows by its hostname): the proxy's host resolves it, when there is only one.
    const only = proxies.size === 1 && hosts.every((h) => h.bastion) ? [...proxies.values()][0] : undefined;
    setGlobalDispatcher(new Agent({
        connect: (options, callback) => {
            const port = Number(options.port) || (options.protocol === "https:" ? 443 : 80);
            const proxy = byAddress.has(options.hostname) ? byAddress.get(options.hostname) : only;
            const opened = proxy === undefined ? direct(options.hostname, port) : throughSocks(proxy, options.hostname, port);
            opened.then((socket) => callback(null, options.protocol === "https:"
                ? tls.connect({ socket, servername: options.servername ?? options.hostname }) : socket), (err: Error) => callback(err, null));
        },
    }));
    return () => {
        setGlobalDispatcher(new Agent());
        for (const ssh of sshs) ssh.kill();
    };
}

/**
 * Starts `ssh -N -D` to the first of `candidates` (hosts behind one bastion) that opens its SOCKS port;
 * resolves to it and its loopback port. One that is down or refuses is passed over, and named if none opens.
 */
async function openSocksProxy(candidates: readonly ProxyHost[], knownHostsFile: string): Promise<{ ssh: ChildProcess; port: number }> {
    const failures: string[] = [];
    for (const host of candidates) {
        const port = await freePort();
        const ssh = spawn("ssh", [...opensshOptions(host, knownHostsFile, host.privateKeyFile), "-p", String(host.port ?? 22),
            "-o", "ExitOnForwardFailure=yes", "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3",
            "-N", "-D", `127.0.0.1:${port}`, `${host.user}@${host.address}`], { stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        ssh.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        let exited = false;
        ssh.on("exit", () => (exited = true));
        process.on("exit", () => ssh.kill());
        ssh.unref();
        (ssh.stderr as unknown as net.Socket).unref();
        const deadline = Date.now() + openTimeoutMs;
        while (!exited && Date.now() < deadline) {
            if (await accepts(port)) return { ssh, port };
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        ssh.kill();
        failures.push(`${host.name} (${host.address}): ${exited ? `ssh ended: ${stderr.trim().split("\n").pop() ?? ""}` : `its ssh opened no SOCKS port in ${openTimeoutMs / 1000} s`}`);
    }
    throw new UsageError(`cannot reach the cluster's HTTP endpoints through the bastion ${candidates[0].bastion!.address}: no host behind it ` +
        `opened a SOCKS proxy (an ssh -D, which needs AllowTcpForwarding on the host): ${failures.join("; ")}`);
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

const accepts = (port: number): Promise<boolean> => new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => { socket.destroy(); resolve(true); });
    socket.once("error", () => resolve(false));
});

function direct(host: string, port: number): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
        const socket = net.connect(port, host);
        socket.once("connect", () => { socket.off("error", reject); resolve(socket); });
        socket.once("error", reject);
    });
}

/** A connection to host:port through the SOCKS5 proxy on loopback `proxyPort` (RFC 1928, no authentication; the name resolved there). */
export function throughSocks(proxyPort: number, host: string, port: number): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
        const socket = net.connect(proxyPort, "127.0.0.1");
        const fail = (why: string) => socket.destroy(new Error(`through the bastion to ${host}:${port}: ${why}`));
        socket.setTimeout(10_000, () => fail("no answer in 10 s"));
        socket.once("error", reject);
        socket.once("connect", () => socket.write(Buffer.from([5, 1, 0])));
        let received = Buffer.alloc(0);
        let greeted = false;
        const onData = (chunk: Buffer) => {
            received = Buffer.concat([received, chunk]);
            if (!greeted) {
                if (received.length < 2) return;
                if (received[0] !== 5 || received[1] !== 0) return fail("the SOCKS proxy refuses a client without authentication");
                greeted = true;
                received = received.subarray(2);
                const name = Buffer.from(host);
                socket.write(Buffer.concat([Buffer.from([5, 1, 0, 3, name.length]), name, Buffer.from([port >> 8, port & 0xff])]));
            }
            if (received.length < 5) return;
            if (received[1] !== 0) return fail(received[1] === 5 ? "connection refused" : `the host behind it could not connect (SOCKS reply ${received[1]})`);
            const length = received[3] === 1 ? 10 : received[3] === 4 ? 22 : 7 + received[4];
            if (received.length < length) return;
            socket.off("data", onData);
            socket.off("error", reject);
            socket.setTimeout(0);
            if (received.length > length) socket.unshift(received.subarray(length));
            resolve(socket);
        };
        socket.on("data", onData);
    });
}
