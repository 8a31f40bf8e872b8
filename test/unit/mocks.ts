// Pulumi mocks for unit tests: every resource the program declares is recorded with its inputs, and
// remote commands answer like the host scripts would (found by their scripts' handles).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { components } from "../../components";
import { dockerScripts } from "../../components/docker/component";
import { registryScripts } from "../../components/registry/component";
import { swarmScripts } from "../../components/swarm/component";
import { workerImageScripts } from "../../components/worker-image/component";
import { scriptsOf } from "../../framework/component";
import { Remote, runsScript } from "../../framework/remote/remote";

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

/** What the mocked registry step prints (its CA's certificate), and the digest the mocked push gets. */
export const fakeRegistryCa = "-----BEGIN CERTIFICATE-----\nMOCK\n-----END CERTIFICATE-----\n";
export const fakeDigest = `sha256:${"d".repeat(64)}`;

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
                const runs = (script: Parameters<typeof runsScript>[1]) => runsScript(inputs.create, script);
                state.stdout = runs(swarmScripts.init) ? `${JSON.stringify(fakeTokens)}\nnode-${args.name}`
                    : runs(swarmScripts.join) || runs(swarmScripts.members) ? `node-${args.name}`
                    : runs(dockerScripts.install) ? "26.1.5"
                    : runs(dockerScripts.roll) && args.name === "docker-h1-roll" ? "restarted\nengine 27.0.1"
                    : runs(registryScripts.server) ? `ca ${Buffer.from(fakeRegistryCa).toString("base64")}\n2.8.2+ds1-1`
                    : runs(workerImageScripts.build) && String(inputs.create).includes("PUSH_TO=") ? fakeDigest : "";
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

/** Resolves once no resource has been registered for a while: chains of steps register one link at a time. */
export async function settled(recorded: RecordedResource[]): Promise<void> {
    for (let seen = -1; seen !== recorded.length;) {
        seen = recorded.length;
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

/** A stack's context for a component's unit test, as index.ts makes one; call writeBundle once its steps are declared. */
export function testRemote(stack: string): Remote {
    const projectDir = path.join(__dirname, "..", "..");
    const knownHostsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "t2-unit-")), "known_hosts");
    return new Remote({ stack, projectDir, knownHostsFile, scripts: scriptsOf(components) });
}

/**
 * The resource options each resource of a component was declared with, by name, in the order declared:
 * pass `logOptions` as the component's transformation (it sees its children's), then ask what a step
 * waits for by name (the mocks record inputs only).
 */
export function optionsRecorder() {
    const declared = new Map<string, pulumi.CustomResourceOptions>();
    const logOptions: pulumi.ResourceTransformation = ({ name, opts }) => {
        declared.set(name, opts);
        return undefined;
    };
    const nameOf = async (resource: pulumi.Resource) => (await valueOf(resource.urn)).split("::").pop();
    const dependsOnNames = (name: string) => {
        const on = declared.get(name)?.dependsOn;
        const list = on === undefined ? [] : Array.isArray(on) ? on : [on];
        return Promise.all(list.map((r) => nameOf(r as pulumi.Resource)));
    };
    return { declared, logOptions, nameOf, dependsOnNames };
}
