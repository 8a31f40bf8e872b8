// Stack traces, kept short (T2_STACK_TRACES=1 gives the full ones, to debug the program itself). Imported
// first by index.ts, for its effect:
// - Errors carry none. Pulumi's SDK keeps a stack trace of every promise it makes (to report leaks), and
//   source-mapping them was most of a 500-host preview (about 6 ms a resource); errors keep their messages.
// - The SDK records every resource's call stack in the state (Resource.callsites, which lifts the limit
//   for it): of the frames after the five it skips (its own and the resource class's constructor), only
//   this program's are kept, and not the remote-command helper's, which makes every step. The SDK's,
//   ts-node's and Node's were three quarters of it, a tenth of the state.
import * as path from "node:path";

const projectDir = path.join(__dirname, "..");
const remoteDir = path.join(__dirname, "remote") + path.sep;
const skippedBySdk = 5;
const ours = (frame: NodeJS.CallSite) => {
    const file = frame.getFileName() ?? "";
    return file.startsWith(projectDir + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`) && !file.startsWith(remoteDir);
};

if (!process.env.T2_STACK_TRACES) {
    Error.stackTraceLimit = 0;
    const format = Error.prepareStackTrace;
    Error.prepareStackTrace = (error, frames) => {
        const kept = [...frames.slice(0, skippedBySdk), ...frames.slice(skippedBySdk).filter(ours)];
        return format ? format(error, kept) : [String(error), ...kept.map((frame) => `    at ${frame.toString()}`)].join("\n");
    };
}
