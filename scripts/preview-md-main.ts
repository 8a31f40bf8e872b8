// Reads `pulumi preview --json` on stdin and prints the Markdown summary; see scripts/preview-md.sh.
import { PreviewJson, renderPreview } from "./previewMarkdown";

async function main(): Promise<void> {
    const stack = process.argv.slice(2).filter((arg) => arg !== "--")[0] ?? "(stack)";
    let input = "";
    for await (const chunk of process.stdin) input += chunk;
    process.stdout.write(renderPreview(stack, JSON.parse(input) as PreviewJson));
}

main().catch((err: Error) => {
    console.error(`preview:md: ${err.message}`);
    process.exit(1);
});
