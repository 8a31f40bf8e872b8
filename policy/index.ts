// The policy pack (CrossGuard): every rule of framework/policy/rules.ts and the components' contracts,
// run on the resources a preview or an up would leave. A rule the stack waives (twister2-cluster:policy)
// advises, with the stack's reason; every other rule blocks, naming what breaks it and what to change.
import { PolicyPack, PolicyResource as SdkResource } from "@pulumi/policy";
import { components } from "../components";
import { waiversFromCli } from "../framework/policy/config";
import { PolicyResource, StackView, stackView } from "../framework/policy/rule";
import { policyRulesOf } from "../framework/policy/rules";

const rules = policyRulesOf(components);
const waivers = waiversFromCli(rules, process.env.PULUMI_PROJECT ?? "twister2-cluster", process.env.PULUMI_CONFIG);

// What stands for an unknown value, of each type: the SDK's own sentinels (not in its typings).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkProxy = require("@pulumi/policy/proxy") as Record<string, unknown>;
const unknowns = new Set(Object.entries(sdkProxy).filter(([name]) => /^unknown\w*Value$/.test(name)).map(([, value]) => value));
/**
 * A resource's properties as plain data, with what a preview cannot know yet left out: the SDK's view
 * throws on the first unknown value, which would turn the whole rule into a "cannot run" advice.
 */
function plainProps(resource: SdkResource): PolicyResource {
    const raw: unknown = (resource.props as Record<string, unknown>)["__getSpecialProxyTarget"] ?? resource.props;
    const known = JSON.parse(JSON.stringify(raw, (_key, value: unknown) => unknowns.has(value) ? undefined : value)) as Record<string, unknown>;
    return { type: resource.type, name: resource.name, props: known ?? {} };
}

/** The view every rule reads, made once per evaluation of the stack (the SDK gives each rule the same resources). */
const views = new WeakMap<readonly SdkResource[], StackView>();
function viewOf(resources: readonly SdkResource[]): StackView {
    let view = views.get(resources);
    if (!view) {
        view = stackView(resources.map(plainProps));
        views.set(resources, view);
    }
    return view;
}

new PolicyPack("twister2-cluster", {
    policies: rules.map((rule) => ({
        name: rule.name,
        description: waivers[rule.name] === undefined ? rule.description : `${rule.description}. Waived by this stack: ${waivers[rule.name]}`,
        enforcementLevel: waivers[rule.name] === undefined ? "mandatory" : "advisory",
        validateStack: (args, reportViolation) => {
            for (const violation of rule.violations(viewOf(args.resources))) {
                reportViolation(`${violation}. To change: ${rule.fix}`);
            }
        },
    })),
});
