// `twister2-cluster:policy`: the policy pack's rules a stack knowingly breaks, each with its reason.
// The program checks the setting with the rest of the config; the pack (policy/) reads it from the
// stack's config, which the CLI gives it in PULUMI_CONFIG.
import { z } from "zod";
import { text } from "../config/settings";
import type { PolicyRule } from "./rule";

export function policySettings(rules: readonly PolicyRule[]) {
    const names = rules.map((rule) => rule.name) as [string, ...string[]];
    return z.strictObject({
        waive: z.record(z.string(), text(() => "give the reason the stack breaks the rule").min(1, "give the reason the stack breaks the rule"))
            .superRefine((waive, context) => {
                for (const name of Object.keys(waive).filter((key) => !names.includes(key))) {
                    context.addIssue({ code: "custom", path: [name], message: `'${name}' is no rule of the policy pack; its rules: ${names.join(", ")}` });
                }
            })
            .default({})
            .describe("Rules of the policy pack (policy/) this stack knowingly breaks, each with the reason: they then advise instead of blocking"),
    });
}

export type PolicySettings = z.output<ReturnType<typeof policySettings>>;

/**
 * The waivers of the stack the CLI runs the pack for: PULUMI_CONFIG (JSON: `project:key` to the value,
 * objects as JSON text) holds its config. Unreadable, none: every rule blocks.
 */
export function waiversFromCli(rules: readonly PolicyRule[], project: string, pulumiConfig: string | undefined): Record<string, string> {
    try {
        const raw = JSON.parse(pulumiConfig ?? "{}")[`${project}:policy`];
        const parsed = policySettings(rules).safeParse(typeof raw === "string" ? JSON.parse(raw) : raw ?? {});
        return parsed.success ? parsed.data.waive as Record<string, string> : {};
    } catch {
        return {};
    }
}
