// Draws a stack's cluster: reads Pulumi.<stack>.yaml as the program does, adds live values from
// `pulumi stack output` when the stack is deployed, writes .twister2/<stack>/cluster.dot and renders
// cluster.svg with Graphviz. Prints the SVG's path. See scripts/diagram.sh.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { ConfigError, parseStackConfig, RawConfig } from "../src/config/stackConfig";
import { clusterDot, LiveValues, liveValues } from "./diagram";

const projectDir = path.resolve(__dirname, "..");
const configPrefix = "twister2-cluster:";

function readRawConfig(stack: string): RawConfig {
    const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const stacks = fs.readdirSync(projectDir).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter(Boolean);
        throw new Error(`no Pulumi.${stack}.yaml; stacks with a config file: ${stacks.join(", ") || "none"}`);
    }
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(doc?.config ?? {})) {
        if (key.startsWith(configPrefix)) raw[key.slice(configPrefix.length)] = value;
    }
    return raw as RawConfig;
}

/** `pulumi stack output --json`, or undefined when pulumi, the stack or its outputs are not there. */
function readLive(stack: string): LiveValues | undefined {
    try {
        const json = execFileSync("pulumi", ["stack", "output", "--json", "--non-interactive", "--stack", stack], {
            cwd: projectDir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000,
        });
        return liveValues(JSON.parse(json));
    } catch {
        return undefined;
    }
}

function main(): void {
    const args = process.argv.slice(2).filter((arg) => arg !== "--");
    const offline = args.includes("--no-live");
    const stack = args.find((arg) => !arg.startsWith("--"));
    if (!stack) throw new Error("usage: npm run diagram -- STACK [--no-live]");

    let config;
    try {
        config = parseStackConfig(readRawConfig(stack), projectDir);
    } catch (err) {
        if (err instanceof ConfigError) {
            console.error(`diagram: Pulumi.${stack}.yaml: ${err.message}`);
            process.exit(1);
        }
        throw err;
    }
    const live = offline ? undefined : readLive(stack);
    console.error(`diagram: ${live ? "with live values from `pulumi stack output`" : "from the config only (no stack outputs)"}`);

    const dir = path.join(projectDir, ".twister2", stack);
    fs.mkdirSync(dir, { recursive: true });
    const dotFile = path.join(dir, "cluster.dot");
    const svgFile = path.join(dir, "cluster.svg");
    fs.writeFileSync(dotFile, clusterDot(config, live, { stack }));
    try {
        execFileSync("dot", ["-Tsvg", "-o", svgFile, dotFile], { stdio: ["ignore", "inherit", "inherit"] });
    } catch (err) {
        throw new Error(`dot could not render ${dotFile} (${(err as Error).message}); is Graphviz installed (apt-get install graphviz)?`);
    }
    console.log(svgFile);
}

try {
    main();
} catch (err) {
    console.error(`diagram: ${(err as Error).message}`);
    process.exit(1);
}
