// `twister2-cluster:preflight`: what `pulumi up` checks on every host before it changes any (preflight.ts).
import { z } from "zod";
import { flag, number } from "../config/settings";

const defaultMinVarMb = 2048;

export const preflightSettings = z.strictObject({
    cgroupV2: flag().default(true).describe("Require cgroup v2 (the unified hierarchy) on every host"),
    minVarMb: number((value) => `${String(value)} is not a whole number of megabytes (default ${defaultMinVarMb})`)
        .int({ abort: true }).min(0).default(defaultMinVarMb)
        .describe("Free space (MB) every host needs under /var: packages, Docker images, Mesos sandboxes"),
});
export type PreflightConfig = z.output<typeof preflightSettings>;

/** What preflight checks when the config says nothing. */
export const defaultPreflight: PreflightConfig = preflightSettings.parse({});
