// Reads a `pulumi up --json` event stream, each line prefixed with its arrival in milliseconds since the
// run started (scripts/bench.sh stamps them; empty when there was no up), and the `pulumi stack export`
// after it; prints the figures.
import * as fs from "node:fs";
import { formatFigures, runFigures, StackExport, StampedEvent } from "./benchRun";

const [stack, eventsFile, stateFile] = process.argv.slice(2).filter((arg) => arg !== "--");
const events: StampedEvent[] = [];
for (const line of fs.readFileSync(eventsFile, "utf8").split("\n")) {
    const match = /^(\d+) (\{.*\})\s*$/.exec(line);
    if (!match) continue;
    try {
        events.push({ ms: Number(match[1]), event: JSON.parse(match[2]) });
    } catch {
        // a line of the CLI's own output, not an event
    }
}
const stateText = fs.readFileSync(stateFile, "utf8");
console.log(formatFigures(stack, runFigures(events, JSON.parse(stateText) as StackExport, Buffer.byteLength(stateText))));
