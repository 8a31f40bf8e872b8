// Pulumi's Automation API for this project's tools: opens a stack of this project (or of another Pulumi
// program) with a LocalWorkspace, and reads what the tools need of it: its config as the program reads
// it, its outputs as plain values, and the engine's events of a preview. Used by `npm run preview:md`
// (scripts/preview-md-main.ts), `npm run diagram` and the end-to-end harness (test/e2e/harness.ts).
//
//   const stack = await openStack("dev");             // this project's dev stack, which must exist
//   const config = await readProgramConfig(stack);    // { hostsFile: ".lab/inventory.json", roles: {...}, ... }
//   const outputs = await readOutputs(stack);         // { mesosMasters: [...], ... }; {} before the first up
//   const preview = await previewStack(stack);        // { steps, changeSummary, events, stdout, stderr }
//
// Every operation runs the Pulumi CLI in the program's directory with this process's environment plus
// `envVars`: the backend (PULUMI_BACKEND_URL) and passphrase come from there, as for `pulumi` by hand
// (scripts/env.sh). openStack rejects with NoSuchStackError when the backend has no such stack; any
// other command that fails rejects with the Automation API's CommandError.
import * as fs from "node:fs";
import * as path from "node:path";
import {
    ConfigValue, EngineEvent, LocalWorkspace, OpMap, PreviewOptions, PulumiCommand, Stack, StackNotFoundError, StepEventMetadata,
} from "@pulumi/pulumi/automation";
import { CliConfigEntry, RawConfig, rawConfigFromCli, secretKeysFromCli } from "../framework/config/stackConfig";

export const projectDir = path.resolve(__dirname, "..");
/** The policy pack (policy/PulumiPolicy.yaml): `policyPacks: [policyPackDir]` runs it with an operation. */
export const policyPackDir = path.join(projectDir, "policy");

export interface OpenStackOptions {
    /** The program's directory (where its Pulumi.yaml is): this project's unless given. */
    workDir?: string;
    /** Environment for every `pulumi` command of the stack, over this process's own. */
    envVars?: Record<string, string>;
    /** Create the stack when its backend has none of that name (otherwise it must exist). */
    create?: boolean;
    /** The secrets provider of a stack that `create` makes: passphrase unless given. */
    secretsProvider?: string;
}

/** The backend has no stack of that name (and `create` was not asked for). */
export class NoSuchStackError extends Error {}

/**
 * Opens the stack `name` of the program in `workDir`. It becomes the workspace's selected stack, as
 * `pulumi stack select` would make it.
 */
export async function openStack(name: string, options: OpenStackOptions = {}): Promise<Stack> {
    const workDir = options.workDir ?? projectDir;
    const envVars = options.envVars ?? {};
    const workspace = {
        workDir,
        envVars,
        pulumiCommand: await pulumiCli(envVars.T2_TOOLCHAIN_BIN ?? process.env.T2_TOOLCHAIN_BIN),
        secretsProvider: options.secretsProvider ?? "passphrase",
    };
    if (options.create) return LocalWorkspace.createOrSelectStack({ stackName: name, workDir }, workspace);
    try {
        return await LocalWorkspace.selectStack({ stackName: name, workDir }, workspace);
    } catch (err) {
        if (!(err instanceof StackNotFoundError)) throw err;
        const stacks = (await (await LocalWorkspace.create(workspace)).listStacks()).map((stack) => stack.name);
        throw new NoSuchStackError(`no stack named ${name} in this backend; its stacks: ${stacks.join(", ") || "none"}`);
    }
}

/** The Pulumi CLI of each toolchain directory (one `pulumi version` per process, not one per stack). */
const cliByRoot = new Map<string, Promise<PulumiCommand>>();

/**
 * The Pulumi CLI that scripts/toolchain.sh built (in $T2_TOOLCHAIN_BIN, which scripts/pulumi-env.sh
 * sets) when it is there, else `pulumi` on PATH (as in CI, where pulumi/actions installs it). That
 * build reports the version of its module (`pulumi version`: v3.246.0), so the Automation API's check
 * of the CLI's version (major 3, at least 3.2) accepts it: no PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK.
 */
function pulumiCli(toolchainBin: string | undefined): Promise<PulumiCommand> {
    const root = toolchainBin && fs.existsSync(path.join(toolchainBin, "pulumi")) ? path.dirname(toolchainBin) : "";
    let cli = cliByRoot.get(root);
    if (!cli) {
        cli = PulumiCommand.get(root ? { root } : undefined);
        cliByRoot.set(root, cli);
    }
    return cli;
}

/** The name of the stack's project (Pulumi.yaml's `name`): the namespace of its own config keys. */
export async function projectName(stack: Stack): Promise<string> {
    return (await stack.workspace.projectSettings()).name;
}

/**
 * The stack's config as the program reads it with `new pulumi.Config()`: the keys of the project's own
 * namespace without their `<project>:` prefix, structured values (maps, lists) parsed, other values as
 * the text `config.get` returns. Secrets come decrypted, so the stack's passphrase must be at hand.
 */
export async function readProgramConfig(stack: Stack): Promise<RawConfig> {
    // `pulumi config --json` gives a structured value as objectValue beside its text; the SDK's type leaves it out.
    const config = await stack.getAllConfig() as Record<string, ConfigValue & CliConfigEntry>;
    return rawConfigFromCli(config, await projectName(stack));
}

/** The keys of the project's own namespace (without the prefix) that the stack holds as secrets. */
export async function readProgramSecretKeys(stack: Stack): Promise<Set<string>> {
    return secretKeysFromCli(await stack.getAllConfig(), await projectName(stack));
}

/** The stack's outputs as plain values, secrets decrypted; {} when the stack was never deployed. */
export async function readOutputs(stack: Stack): Promise<Record<string, unknown>> {
    return Object.fromEntries(Object.entries(await stack.outputs()).map(([name, output]) => [name, output.value]));
}

/** What a preview would do, from its engine events. */
export interface StackPreview {
    /**
     * Each step the engine planned, in its order: the metadata of its `resourcePreEvent` (op, urn, type,
     * old and new state with inputs, diffs, detailedDiff). Unchanged resources have a "same" step; a
     * replacement has its replace step and the create-replacement and delete-replaced steps it is made of.
     * A step without an old or a new state (a create, a delete) has null there, whatever the SDK's type says.
     */
    steps: StepEventMetadata[];
    /** How many resources each operation would touch ("same" included), from the engine's summary. */
    changeSummary: OpMap;
    /** When a policy pack ran with the preview, what it reported: each rule broken, how hard it blocks ("advisory": the engine's "warning"), and what it said. */
    violations?: PolicyViolation[];
}

export interface PolicyViolation {
    rule: string;
    level: "mandatory" | "advisory";
    message: string;
}

/** The steps and the summary among a preview's engine events, and the policy packs' verdict when `policyRan`. Pure. */
export function previewOf(events: readonly EngineEvent[], policyRan = false): StackPreview {
    return {
        steps: events.flatMap((event) => (event.resourcePreEvent ? [event.resourcePreEvent.metadata] : [])),
        changeSummary: events.find((event) => event.summaryEvent)?.summaryEvent?.resourceChanges ?? {},
        violations: !policyRan ? undefined : events.flatMap(({ policyEvent }) => policyEvent ? [{
            rule: policyEvent.policyName,
            level: policyEvent.enforcementLevel === "mandatory" ? "mandatory" as const : "advisory" as const,
            message: policyEvent.message,
        }] : []),
    };
}

/**
 * `pulumi preview` of the stack, with what it would do and every engine event. `options` are the
 * Automation API's (onOutput gets the progress display, onError the CLI's stderr, as they come).
 */
export async function previewStack(
    stack: Stack, options: PreviewOptions = {},
): Promise<StackPreview & { events: EngineEvent[]; stdout: string; stderr: string }> {
    const events: EngineEvent[] = [];
    const result = await stack.preview({
        ...options,
        onEvent: (event) => {
            events.push(event);
            options.onEvent?.(event);
        },
    });
    return { ...previewOf(events, (options.policyPacks ?? []).length > 0), events, stdout: result.stdout, stderr: result.stderr };
}
