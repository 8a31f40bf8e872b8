// Draws a stack's cluster: reads the stack's config through Pulumi's Automation API (scripts/automation.ts)
// and checks it as the program does, adds live values from the stack's outputs when it is deployed,
// writes .twister2/<stack>/cluster.dot and renders cluster.svg with Graphviz. Prints the SVG's path.
// See scripts/diagram.sh.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { clusterDot, parseStackConfig } from "../components";
import { ConfigError } from "../framework/config/stackConfig";
import { openStack, projectDir, readOutputs, readProgramConfig, readProgramSecretKeys } from "./automation";

async function main(): Promise<void> {
    const args = process.argv.slice(2).filter((arg) => arg !== "--");
    const offline = args.includes("--no-live");
    const stack = args.find((arg) => !arg.startsWith("--"));
    if (!stack) throw new Error("usage: npm run diagram -- STACK [--no-live]");

    const pulumiStack = await openStack(stack);
    let config;
    try {
        config = parseStackConfig(await readProgramConfig(pulumiStack), projectDir, await readProgramSecretKeys(pulumiStack));
    } catch (err) {
        if (err instanceof ConfigError) {
            console.error(`diagram: stack ${stack}: ${err.message}`);
            process.exit(1);
        }
        throw err;
    }
    // Outputs exist once the stack is deployed; before that the picture is the config's alone.
    const outputs = offline ? {} : await readOutputs(pulumiStack);
    const live = Object.keys(outputs).length > 0 ? outputs : undefined;
    console.error(`diagram: ${live ? "with live values from the stack's outputs" : "from the config only (no stack outputs)"}`);

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

main().catch((err: Error) => {
    console.error(`diagram: ${err.message}`);
    process.exit(1);
});
