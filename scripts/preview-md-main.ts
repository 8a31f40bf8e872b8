// Previews a stack through the Automation API and prints the Markdown summary of its engine events;
// see scripts/preview-md.sh. The CLI's stderr (warnings, errors) is passed on as it comes; its progress
// display only when the preview fails, since it then holds the reason.
import { CommandError } from "@pulumi/pulumi/automation";
import { openStack, previewStack } from "./automation";
import { renderPreview } from "./previewMarkdown";

async function main(): Promise<void> {
    const stackName = process.argv.slice(2).filter((arg) => arg !== "--")[0];
    if (!stackName) throw new Error("usage: npm run preview:md -- STACK");
    const stack = await openStack(stackName);
    let display = "";
    try {
        const preview = await previewStack(stack, {
            onOutput: (out) => (display += out),
            onError: (err) => process.stderr.write(err),
        });
        process.stdout.write(renderPreview(stackName, preview));
    } catch (err) {
        if (!(err instanceof CommandError)) throw err;
        process.stderr.write(display);
        throw new Error(`pulumi preview failed for stack ${stackName} (see above)`);
    }
}

main().catch((err: Error) => {
    console.error(`preview:md: ${err.message}`);
    process.exit(1);
});
