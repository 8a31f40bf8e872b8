// The framework's own policy rules: how every step reaches its host, and where secrets may go. The
// components' rules are in their contracts (`policies`); policy/index.ts is the pack that runs them all.
import type { AnyComponent } from "../component";
import { PolicyResource, PolicyRule, StackView } from "./rule";

const commandTypes = ["command:remote:Command", "command:remote:CopyToRemote"];
const connections = (stack: StackView) => commandTypes.flatMap((type) => stack.ofType(type))
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    .flatMap((r) => (r.props.connection ? [{ resource: r, connection: r.props.connection as Record<string, any> }] : []));
const dockerProviders = (stack: StackView) => stack.ofType("pulumi:providers:docker").filter((p) => String(p.props.host ?? "").startsWith("ssh://"));
type Connected = ReturnType<typeof connections>[number];
/** The steps by the host they reach, in the hosts' order: one message per host, not per step. */
const byHost = (steps: Connected[], hostOf: (step: Connected) => string): [string, Connected[]][] => {
    const hosts = new Map<string, Connected[]>();
    for (const step of steps) hosts.set(hostOf(step), [...hosts.get(hostOf(step)) ?? [], step]);
    return [...hosts].sort(([a], [b]) => a.localeCompare(b));
};
/** Steps named for a message: `a`, `a and b`, or the first three and how many more. */
const listed = (steps: Connected[]): string => {
    const names = steps.map(({ resource }) => resource.name).sort();
    if (names.length === 1) return names[0];
    if (names.length <= 3) return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
    return `${names.slice(0, 3).join(", ")} and ${names.length - 3} more step${names.length === 4 ? "" : "s"}`;
};
/** A provider's list input, as the engine gives it: a list, or its JSON (provider inputs are strings). */
const words = (value: unknown): string[] => {
    if (Array.isArray(value)) return value.map(String);
    try { return typeof value === "string" ? (JSON.parse(value) as unknown[]).map(String) : []; } catch { return [String(value)]; }
};

export const hostKeysPinned: PolicyRule = {
    name: "host-keys-pinned",
    description: "Every SSH connection (each step's, its bastion's, the Docker providers') checks the host's key against a pinned one",
    fix: "hosts[].hostKey and bastion.hostKey (the program sets connection.hostKey and StrictHostKeyChecking=yes from them)",
    violations: (stack) => [
        ...byHost(connections(stack).filter(({ connection }) => !connection.hostKey), ({ connection }) => connection.host)
            .map(([host, steps]) => `${listed(steps)} connect${steps.length === 1 ? "s" : ""} to ${host} without a pinned host key`),
        ...byHost(connections(stack).filter(({ connection }) => connection.proxy && !connection.proxy.hostKey), ({ connection }) => connection.proxy.host)
            .map(([host, steps]) => `${listed(steps)} go${steps.length === 1 ? "es" : ""} through the bastion ${host} without a pinned host key`),
        ...dockerProviders(stack).filter((p) => !words(p.props.sshOpts).includes("StrictHostKeyChecking=yes"))
            .map((p) => `the Docker provider ${p.name} reaches ${p.props.host} without StrictHostKeyChecking=yes`),
    ],
};

export const noRootLogin: PolicyRule = {
    name: "no-root-login",
    description: "No step, bastion or Docker provider logs in as root: a login with sudo does, so that sudo logs each command",
    fix: "hosts[].user and bastion.user: an account with sudo, not root",
    violations: (stack) => [
        ...byHost(connections(stack).filter(({ connection }) => connection.user === "root"), ({ connection }) => connection.host)
            .map(([host, steps]) => `${listed(steps)} log${steps.length === 1 ? "s" : ""} in to ${host} as root`),
        ...byHost(connections(stack).filter(({ connection }) => connection.proxy?.user === "root"), ({ connection }) => connection.proxy.host)
            .map(([host, steps]) => `${listed(steps)} log${steps.length === 1 ? "s" : ""} in to the bastion ${host} as root`),
        ...dockerProviders(stack).filter((p) => String(p.props.host).startsWith("ssh://root@")).map((p) => `the Docker provider ${p.name} logs in as root (${p.props.host})`),
    ],
};

/**
 * The secrets the pack can see, each with what it is (never its value): generated passwords, login keys,
 * sudo passwords. One value that is several things (a key that logs in to every host) is said once, with
 * every host, in their order.
 */
function secretsOf(stack: StackView): { what: string; value: string; neverOutput: boolean }[] {
    const seen = new Map<string, { kind: string; of: Set<string>; neverOutput: boolean }>();
    const add = (kind: string, of: string, value: unknown, neverOutput: boolean) => {
        // Shorter values would match by chance; the config refuses such passwords anyway.
        if (typeof value !== "string" || value.length < 8) return;
        const known = seen.get(value) ?? { kind, of: new Set<string>(), neverOutput };
        known.of.add(of);
        seen.set(value, known);
    };
    for (const password of stack.ofType("random:index/randomPassword:RandomPassword")) add("the generated secret", password.name, password.props.result, false);
    for (const { resource, connection } of connections(stack)) {
        for (const [login, where] of [[connection, connection.host], [connection.proxy ?? {}, connection.proxy?.host]]) {
            add("the login key for", where, login.privateKey, true);
            add("the login password for", where, login.password, true);
            add("the login key's passphrase for", where, login.privateKeyPassword, true);
        }
        // A sudo password is the first line of the step's standard input (framework/remote/sudo.ts).
        if (typeof resource.props.stdin === "string" && String(resource.props.create ?? "").startsWith("IFS= read -r ")) {
            add("the sudo password of", connection.host, resource.props.stdin.split("\n")[0], true);
        }
    }
    return [...seen].map(([value, { kind, of, neverOutput }]) => ({ what: `${kind} ${[...of].sort().join(", ")}`, value, neverOutput }));
}

/** Where the engine shows a value in plain text: a step's command lines, environment and triggers; every other resource's inputs. */
function openPlaces(resource: PolicyResource): [string, unknown][] {
    if (resource.type === "command:remote:Command") {
        return ["create", "update", "delete", "environment", "triggers"].map((key) => [key, resource.props[key]]);
    }
    if (resource.type === "command:remote:CopyToRemote") return [["remotePath", resource.props.remotePath]];
    if (resource.type === "random:index/randomPassword:RandomPassword" || resource.type === "pulumi:pulumi:Stack") return [];
    return Object.entries(resource.props);
}

export const noSecretInTheOpen: PolicyRule = {
    name: "no-secret-in-the-open",
    description: "No secret (a generated password, a login key, a sudo password) in a command line, an environment, a trigger or another " +
        "resource's plain inputs, where logs, process lists and diffs show it; no login key or sudo password in a stack output",
    fix: "pass secrets on a step's stdin (Remote.hostScript's stdin), never in its settings; export credentials only as secrets",
    violations: (stack) => {
        const secrets = secretsOf(stack);
        const holds = (value: unknown, secret: string) => value !== undefined && JSON.stringify(value).includes(JSON.stringify(secret).slice(1, -1));
        const found: string[] = [];
        for (const resource of stack.resources) {
            for (const [place, value] of openPlaces(resource)) {
                for (const secret of secrets.filter((s) => holds(value, s.value))) found.push(`${secret.what} is in ${resource.name}'s ${place}`);
            }
        }
        // The pack cannot tell a secret output from a plain one (its SDK shows both): it looks for what no output may hold.
        for (const root of stack.ofType("pulumi:pulumi:Stack")) {
            for (const [output, value] of Object.entries(root.props)) {
                for (const secret of secrets.filter((s) => s.neverOutput && holds(value, s.value))) found.push(`${secret.what} is in the stack output ${output}`);
            }
        }
        return [...new Set(found)];
    },
};

/** Every rule of the pack: the framework's, then each component's, in the components' order. */
export const policyRulesOf = (components: readonly AnyComponent[]): PolicyRule[] =>
    [hostKeysPinned, noRootLogin, noSecretInTheOpen, ...components.flatMap((component) => component.policies ?? [])];
