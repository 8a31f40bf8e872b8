// How a setting is checked: a zod schema per component (components/<component>/config.ts) built from the field
// types below, parsed by parseSetting into problems that name the setting and the fix.
import { z } from "zod";
import { isCidr, isHostAddress, opensToTheWorld } from "./addresses";

/** One thing wrong with the config: the setting (`hosts[1].address`) and what is wrong with it, with the fix. */
export interface Problem {
    where: string;
    message: string;
}

/** As ConfigError lists it. */
export const problemText = (problem: Problem): string => `${problem.where}: ${problem.message}`;

/** Whether `where` is `setting` or a part of it (`nfs.clients[0]` is part of `nfs.clients`). */
export const isWithin = (where: string, setting: string): boolean =>
    where === setting || where.startsWith(`${setting}.`) || where.startsWith(`${setting}[`);

/**
 * Those of `problems` (found by comparing settings) that are not about a setting `reported` has a problem
 * with already: that one is left out of the comparison, and what it would say of it is no news.
 */
export const apartFrom = (reported: readonly Problem[], problems: readonly Problem[]): Problem[] =>
    problems.filter((problem) => !reported.some((setting) => isWithin(problem.where, setting.where)));

/** `hosts` + [1, "address"] is `hosts[1].address`. */
export function settingPath(where: string, path: readonly PropertyKey[]): string {
    return path.reduce<string>((at, key) => typeof key === "number" ? `${at}[${key}]` : at ? `${at}.${String(key)}` : String(key), where);
}

const isMap = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A value as a message quotes it. */
export const describe = (value: unknown): string =>
    Array.isArray(value) ? "a list" : isMap(value) ? "a map" : typeof value === "string" ? `'${value}'` : String(value);

const typeNames: Record<string, string> = {
    string: "text", number: "a number", int: "a whole number", boolean: "true or false", object: "a map", record: "a map", array: "a list",
};

/** The message for a setting of the wrong type. */
export const typeProblem = (type: string, value: unknown): string => `give ${typeNames[type] ?? type} here, not ${describe(value)}`;

/**
 * The messages of the settings' own checks (`fix`). A value of the wrong type is left to typeMessages, so
 * every setting says its type the same way; a missing setting that must be given gets `fix` too.
 */
function fixedBy(isType: (value: unknown) => boolean, fix: (value: unknown) => string) {
    return { error: (issue: { input?: unknown }) => issue.input === undefined || isType(issue.input) ? fix(issue.input) : undefined };
}

/** The messages parseSetting gives what the settings do not say themselves: the wrong type, an unknown key. */
const typeMessages: z.core.$ZodErrorMap = (issue) => {
    switch (issue.code) {
        case "invalid_type": return typeProblem(issue.expected, issue.input);
        case "invalid_union": {
            // The message of the form the value has (a map's for a map), if one of the union's is of its type.
            const branches: readonly (readonly { code: string; path: readonly PropertyKey[]; message: string }[])[] = issue.errors;
            const ofItsType = branches.find((errors) => errors.length > 0 && !errors.some((e) => e.code === "invalid_type" && e.path.length === 0));
            return ofItsType?.[0]?.message ?? typeProblem("text or a number", issue.input);
        }
        case "invalid_value": return typeProblem(typeof issue.values[0], issue.input);
        case "invalid_key": return issue.issues[0]?.message;
        case "unrecognized_keys": {
            const known = issue.inst instanceof z.ZodObject ? Object.keys(issue.inst.shape) : [];
            return `no such setting; the settings here are ${known.join(", ")}`;
        }
        default: return undefined;
    }
};

type Fix = (value: unknown) => string;
const isText = (value: unknown) => typeof value === "string";
const isNumber = (value: unknown) => typeof value === "number";

/** Text; `fix` says what is wrong with a value that fails a check added to it (or is missing). */
export const text = (fix?: Fix) => z.string(fix && fixedBy(isText, fix));
/**
 * Who may reach something: an IP address, an IPv4 CIDR or a DNS name, never the world (a wildcard, any
 * address, a network shorter than /8); `world` says what to give instead ("'x' opens ... to the world; ...").
 */
export const addressOrNetwork = (world: Fix) => text((value) => `'${String(value)}' is not an IP address, IPv4 CIDR (e.g. 10.77.0.0/24) or DNS name`)
    .refine((entry) => !opensToTheWorld(entry), { abort: true, error: (issue) => world(issue.input) })
    .refine((entry) => (entry.includes("/") ? isCidr(entry) : isHostAddress(entry)));
/** Text matching `pattern`, else `fix`. */
export const textMatching = (pattern: RegExp, fix: Fix) => text(fix).regex(pattern);
/** Text matching `pattern`; else the value, quoted, and `fix` ("'x' is not a ..."). */
export const quotedMatching = (pattern: RegExp, fix: string) => textMatching(pattern, (value) => `'${String(value)}' ${fix}`);
/** A number; `fix` says what is wrong with one that fails a check added to it. */
export const number = (fix?: Fix) => z.number(fix && fixedBy(isNumber, fix));
/** A whole number from `min` to `max`, else `fix` (once). */
export const wholeNumber = (min: number, max: number, fix: Fix) =>
    number(fix).int({ abort: true }).min(min, { abort: true }).max(max, { abort: true });
/** true or false. */
export const flag = () => z.boolean();
/** Text, a number or true/false, as text (YAML reads `rack: 1` as a number). */
export const scalar = () => z.union([text(), number(), flag()]).transform(String);
/** One of `values` (text), else `fix`. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T, fix: Fix) =>
    z.enum(values, fixedBy(isText, fix));
/** For a setting whose every problem, its type included, gets `fix` (where the fix says more than the type would). */
export const alwaysSaying = (fix: Fix) => ({ error: (issue: { input?: unknown }) => fix(issue.input) });

/** What parseSetting makes of a setting: its value, when there is one to go on with, and its problems. */
export interface Parsed<T> {
    value: T | undefined;
    problems: Problem[];
}

/**
 * Parses `value` (the setting at `where`) with `schema`. Every problem is reported; then what failed is left
 * out, as if it were not given (its default applies), and the rest parsed again, so that the checks that
 * compare settings (rules.ts) still see every setting that is right. `value` is undefined only when nothing
 * could be kept (a required setting is wrong).
 */
export function parseSetting<S extends z.ZodType>(schema: S, value: unknown, where: string): Parsed<z.output<S>> {
    let problems: Problem[] | undefined;
    let input = value;
    for (;;) {
        const result = schema.safeParse(input, { error: typeMessages });
        if (result.success) return { value: result.data, problems: problems ?? [] };
        problems ??= distinct(result.error.issues.flatMap((issue) => issue.code === "unrecognized_keys"
            ? issue.keys.map((key) => ({ where: settingPath(where, [...issue.path, key]), message: issue.message }))
            : [{ where: settingPath(where, issue.path), message: issue.message }]));
        if (input === undefined) return { value: undefined, problems };
        input = leftOut(input, result.error.issues);
    }
}

const distinct = (problems: Problem[]) =>
    problems.filter((p, i) => problems.findIndex((q) => q.where === p.where && q.message === p.message) === i);

const removed = Symbol("removed");

/**
 * `value` without what each issue is about: the value at its path, or, where that is missing already (a
 * required setting), the map or list that holds it.
 */
function leftOut(value: unknown, issues: readonly z.core.$ZodIssue[]): unknown {
    const copy: unknown = structuredClone(value);
    const paths = issues.flatMap((issue) => issue.code === "unrecognized_keys" ? issue.keys.map((key) => [...issue.path, key]) : [issue.path]);
    let whole = false;
    for (const path of paths) {
        let at = path.length;
        while (at > 0 && valueAt(copy, path.slice(0, at)) === undefined) at--;
        if (at === 0) {
            whole = true;
            continue;
        }
        const parent = valueAt(copy, path.slice(0, at - 1)) as Record<PropertyKey, unknown>;
        parent[path[at - 1]] = removed;
    }
    return whole ? undefined : withoutRemoved(copy);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
    return path.reduce<unknown>((at, key) => (typeof at === "object" && at !== null ? (at as Record<PropertyKey, unknown>)[key] : undefined), value);
}

function withoutRemoved(value: unknown): unknown {
    if (Array.isArray(value)) return value.filter((item) => item !== removed).map(withoutRemoved);
    if (isMap(value)) return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== removed).map(([key, item]) => [key, withoutRemoved(item)]));
    return value;
}

/**
 * What a stack's YAML may hold before it is checked: its maps and lists of maps as the settings have them,
 * any value in each setting (tests give wrong types on purpose).
 */
export type Unchecked<T> = T extends readonly (infer Item)[] ? (Item extends object ? Unchecked<Item>[] : unknown)
    : T extends object ? { [K in keyof T]?: Unchecked<Exclude<T[K], undefined>> }
    : unknown;

/** YAML's `key:` with nothing after it is null: as if the setting were not there. */
export function withoutNulls(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(withoutNulls);
    if (isMap(value)) return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== null).map(([key, item]) => [key, withoutNulls(item)]));
    return value;
}
