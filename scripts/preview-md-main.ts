// Previews a stack through the Automation API and prints the Markdown summary of its engine events;
// see scripts/preview-md.sh. The CLI's stderr (warnings, errors) is passed on as it comes; its progress
// display only when the preview fails, since it then holds the reason. The policy pack runs with it:
// when one of its rules blocks the preview, the summary still says which, and the command fails.
import { CommandError, EngineEvent } from "@pulumi/pulumi/automation";
import { openStack, policyPackDir, previewOf, previewStack } from "./automation";
import { renderPreview } from "./previewMarkdown";

async function main(): Promise<void> {
    const stackName = process.argv.slice(2).filter((arg) => arg !== "--")[0];
    if (!stackName) throw new Error("usage: npm run preview:md -- STACK");
    const stack = await openStack(stackName);
    let display = "";
    const events: EngineEvent[] = [];
    try {
        const preview = await previewStack(stack, {
            policyPacks: [policyPackDir],
            onEvent: (event) => events.push(event),
            onOutput: (out) => (display += out),
            onError: (err) => process.stderr.write(err),
        });
        process.stdout.write(renderPreview(stackName, preview));
    } catch (err) {
        if (!(err instanceof CommandError)) throw err;
        const blocked = previewOf(events, true);
        const blocking = [...new Set((blocked.violations ?? []).filter((v) => v.level === "mandatory").map((v) => v.rule))].sort();
        if (blocking.length > 0) {
            process.stdout.write(renderPreview(stackName, blocked));
            throw new Error(`the policy pack blocks stack ${stackName}: ${blocking.join(", ")}`);
        }
        process.stderr.write(display);
        throw new Error(`pulumi preview failed for stack ${stackName} (see above)`);
    }
}

main().catch((err: Error) => {
    console.error(`preview:md: ${err.message}`);
    process.exit(1);
});
