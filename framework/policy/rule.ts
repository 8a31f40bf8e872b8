// The contract of a policy rule (CrossGuard, policy/): what a team enforces on every stack, read from
// the resources a preview or an up would leave, not from the config that made them, so that a change to
// the program is held to it as a change to the config is. The framework's own rules are in rules.ts; a
// component's, about what only it knows, are in its contract (`policies`). A stack waives a rule by name,
// with a reason, in `twister2-cluster:policy` (the rule then only advises).
import { StepCall, stepsIn } from "../remote/stepCommand";

/** A resource as the policy pack sees it: its type, name and properties (secrets shown, unknowns absent). */
export interface PolicyResource {
    type: string;
    name: string;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    props: Record<string, any>;
}

/** A script a step runs on a host, the step (a resource's name) and the account it logs in as. */
export type StepRun = StepCall & { resource: string; login?: string };

/** What the rules read: every resource, and every script the steps run (their create and update commands; not their undo). */
export interface StackView {
    resources: readonly PolicyResource[];
    steps: readonly StepRun[];
    /** The resources of one type (`command:remote:Command`). */
    ofType(type: string): PolicyResource[];
    /** The steps that run `script` (a component's host script's name). */
    running(script: string): StepRun[];
}

export interface PolicyRule {
    /** Its name in the pack, in waivers and in messages: kebab-case. */
    name: string;
    /** What it asks, for the pack's listing. */
    description: string;
    /** What to change when it is broken: the setting, or the program's file. */
    fix: string;
    /** Each thing that breaks it, named; none: kept. */
    violations(stack: StackView): string[];
}

/** The resources' steps, read once: what each command runs. */
export function stackView(resources: readonly PolicyResource[]): StackView {
    const steps = resources.filter((r) => r.type === "command:remote:Command").flatMap((r) => [r.props.create, r.props.update]
        .flatMap((line) => stepsIn(line).map((call) => ({ ...call, resource: r.name, login: r.props.connection?.user as string | undefined }))));
    return {
        resources,
        steps,
        ofType: (type) => resources.filter((r) => r.type === type),
        running: (script) => steps.filter((step) => step.script === script),
    };
}

/**
 * A group kept by a majority of its members (swarm managers, ZooKeeper servers, Mesos masters) must have
 * an odd number of them: an even one survives no more failures than one fewer. The config allows four
 * while a dead host is being replaced (framework/component.ts: quorumRule); a team's stacks keep to odd ones.
 */
export function oddQuorumRule(name: string, what: string, fix: string, count: (stack: StackView) => number): PolicyRule {
    return {
        name,
        description: `${what}: an odd number (1, 3, 5)`,
        fix,
        violations: (stack) => {
            const n = count(stack);
            return n > 0 && n % 2 === 0 ? [`${n} ${what}, which survive no more failures than ${n - 1} would`] : [];
        },
    };
}
