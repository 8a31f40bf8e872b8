// No stack traces (T2_STACK_TRACES=1 gives the full ones, to debug the program itself). Imported first by
// index.ts, for its effect:
// - Pulumi's SDK keeps a stack trace of every promise it makes (to report leaks), and source-mapping them
//   was most of a 500-host preview (about 6 ms a resource). Errors keep their messages.
// - The SDK records every resource's call stack in the state (`sourcePosition`, `stackTrace`: for Pulumi
//   Cloud's "go to source"; the engine only stores them). Resource names here are unique and say where
//   they come from, and the positions were 8 % of the exported state (about 300 bytes a resource).
if (!process.env.T2_STACK_TRACES) {
    Error.stackTraceLimit = 0;
    // The SDK lifts the limit to read the call stack: what it reads then is the error line alone.
    Error.prepareStackTrace = (error: Error) => String(error);
}

export {};
