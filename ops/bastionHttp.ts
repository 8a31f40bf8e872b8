// npm run check and smoke read the cluster's HTTP endpoints (the Mesos masters and agents, the uploader)
// from this machine. Hosts behind a bastion are reached the way their SSH is: through a SOCKS proxy that
// `ssh -D` opens on loopback for as long as the command runs, logged in to the bastion with its own key
// and pinned host key (opensshOptions). Every fetch of the process goes through it; with no bastion,
// nothing changes. The cluster's firewall admits the bastion as it admits the machine running pulumi up:
// by the address the steps' SSH came from.
import { ChildProcess, spawn } from "node:child_process";
import * as net from "node:net";
import * as tls from "node:tls";
import { Agent, setGlobalDispatcher } from "undici";
import { Bastion, bastionId, distinctBastions, Host } from "../framework/config/hosts";
import { opensshOptions } from "../framework/remote/ssh";
import { UsageError } from "./liveStack";

/** How long the bastion's ssh may take to open its SOCKS port. */
const openTimeoutMs = 20_000;

/**
 * Routes this process's fetches to `hosts` through their bastions (a no-op when none has one); the
 * function it returns closes the proxies and routes every fetch directly again.
 */
export async function routeHttpThroughBastions(hosts: readonly Pick<Host, "address" | "bastion">[], knownHostsFile: string): Promise<() => void> {
    const bastions = distinctBastions(hosts);
    if (bastions.length === 0) return () => undefined;
    const proxies = new Map<string, number>();
    const sshs: ChildProcess[] = [];
    for (const bastion of bastions) {
        const opened = await openSocksProxy(bastion, knownHostsFile);
        proxies.set(bastionId(bastion), opened.port);
        sshs.push(opened.ssh);
    }
    const byAddress = new Map(hosts.map((h) => [h.address, h.bastion && proxies.get(bastionId(h.bastion))]));
    // A name no host has (an agent Mesos knows by its hostname): the bastion resolves it, when there is only one.
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

/** Starts `ssh -N -D` to the bastion; resolves to it and its loopback port once that accepts connections. */
async function openSocksProxy(bastion: Bastion, knownHostsFile: string): Promise<{ ssh: ChildProcess; port: number }> {
    const port = await freePort();
    const ssh = spawn("ssh", [...opensshOptions(bastion, knownHostsFile, bastion.privateKeyFile), "-p", String(bastion.port),
        "-o", "ExitOnForwardFailure=yes", "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3",
        "-N", "-D", `127.0.0.1:${port}`, `${bastion.user}@${bastion.address}`], { stdio: ["ignore", "ignore", "pipe"] });
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
    throw new UsageError(`cannot reach the cluster's HTTP endpoints through the bastion ${bastion.address}:${bastion.port}: ` +
        (exited ? `ssh ended: ${stderr.trim().split("\n").pop() ?? ""}` : `its ssh opened no SOCKS port in ${openTimeoutMs / 1000} s`) +
        " (pulumi up's preflight names the fix)");
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
            if (received[1] !== 0) return fail(received[1] === 5 ? "connection refused" : `the bastion could not connect (SOCKS reply ${received[1]})`);
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
