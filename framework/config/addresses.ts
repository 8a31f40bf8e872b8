// Address checks shared by the config schemas and rules (is it an address, a DNS name, a CIDR; is an address in a CIDR).
import * as net from "node:net";

const hostNamePattern = /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/**
 * A DNS name: labels of letters, digits and '-', at most 253 characters, the last one not all
 * digits (RFC 3696: so 10.0.0.300 is a broken address, not a name).
 */
export function isDnsName(value: string): boolean {
    return hostNamePattern.test(value) && !/^\d+$/.test(value.split(".").pop()!);
}

/** An IP address or a DNS name: what a host can be reached at. */
export function isHostAddress(value: string): boolean {
    return net.isIP(value) !== 0 || isDnsName(value);
}

/** An IPv4 CIDR such as 10.78.0.0/24. */
export function isCidr(value: string): boolean {
    const [address, bits, extra] = value.split("/");
    return extra === undefined && net.isIPv4(address) && /^\d+$/.test(bits ?? "") && Number(bits) <= 32;
}

function ipv4ToNumber(address: string): number {
    return address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** Whether the IPv4 `address` lies in `cidr` (a valid CIDR). */
export function inCidr(address: string, cidr: string): boolean {
    const [base, bits] = cidr.split("/");
    const size = 2 ** (32 - Number(bits));
    const start = Math.floor(ipv4ToNumber(base) / size) * size;
    const n = ipv4ToNumber(address);
    return n >= start && n < start + size;
}

/** The first address of the IPv4 `cidr` (a valid CIDR of /30 or wider): where Docker puts a network's gateway. */
export function firstAddress(cidr: string): string {
    const [base, bits] = cidr.split("/");
    const size = 2 ** (32 - Number(bits));
    const first = Math.floor(ipv4ToNumber(base) / size) * size + 1;
    return [24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256).join(".");
}

/** A source that lets everyone in: a wildcard, any address, or a network shorter than /8. */
export function opensToTheWorld(source: string): boolean {
    const [base, bits] = source.split("/");
    return source.includes("*") || source.includes("?") || ["0.0.0.0", "::", "::/0"].includes(source) ||
        (bits !== undefined && net.isIPv4(base) && /^\d+$/.test(bits) && Number(bits) < 8);
}
