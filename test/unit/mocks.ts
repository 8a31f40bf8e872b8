// Pulumi mocks for unit tests: every resource the program declares is recorded with its inputs, and
// remote commands answer like the host scripts would.
import * as pulumi from "@pulumi/pulumi";

export interface RecordedResource {
    type: string;
    name: string;
    /** Inputs with secrets unwrapped. */
    inputs: Record<string, any>;
    /** Paths of the inputs that arrived as secrets (e.g. `stdin`, `connection.privateKey`). */
    secretPaths: string[];
}

const secretSig = "4dabf18193072939515e22adb298388d";
const secretMarker = "1b47061264138c4ac30d75fd1eb44270";

function unwrapSecrets(value: any, at: string, secretPaths: string[]): any {
    if (value && typeof value === "object" && value[secretSig] === secretMarker) {
        secretPaths.push(at);
        return unwrapSecrets(value.value, at, secretPaths);
    }
    if (Array.isArray(value)) return value.map((v, i) => unwrapSecrets(v, `${at}[${i}]`, secretPaths));
    // Plain objects only: assets (and their promised paths) stay as the SDK made them.
    if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v, at ? `${at}.${k}` : k, secretPaths)]));
    }
    return value;
}

/** Every host step is a command.remote.Command. */
export const hostScriptType = "command:remote:Command";

export const fakeAgentSecret = "mock-random-agent-secret-0123456789";

export const fakeTokens = { worker: "SWMTKN-1-fake-worker-token", manager: "SWMTKN-1-fake-manager-token" };

export function installMocks(stack = "unit"): RecordedResource[] {
    const recorded: RecordedResource[] = [];
    pulumi.runtime.setMocks({
        newResource(args) {
            const secretPaths: string[] = [];
            const inputs = unwrapSecrets(args.inputs, "", secretPaths);
            recorded.push({ type: args.type, name: args.name, inputs, secretPaths });
            const state = { ...inputs };
            if (args.type === hostScriptType) {
                const create = String(inputs.create ?? "");
                state.stdout = create.includes("swarm-init.sh") ? `${JSON.stringify(fakeTokens)}\nnode-${args.name}`
                    : create.includes("swarm-") ? `node-${args.name}`
                    : create.includes("docker-install.sh") ? "26.1.5" : "";
                state.stderr = "";
            }
            if (args.type === "random:index/randomPassword:RandomPassword") state.result = fakeAgentSecret;
            if (args.type === "docker:index/network:Network") state.id = `${args.name}-id`;
            return { id: `${args.name}-id`, state };
        },
        call: (args) => args.inputs,
    // As a preview: the program contacts no host (no preflight), as `pulumi preview` does.
    }, "twister2-cluster", stack, true);
    return recorded;
}

/** Resolves an Output in a mocked program. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}
