// The JSON Schema of a whole Pulumi.<stack>.yaml, made from the zod schemas (schema.ts): `npm run schema`
// writes it to schema/pulumi-stack.schema.json, which editors with the YAML language server check the
// stack files against as they are typed. It says the types, formats (where a pattern says them), ranges
// and defaults; what only code can check (addresses, keys, files, how settings fit together) is left to
// the program, which checks everything before any resource exists.
import { z } from "zod";
import type { AnyComponent } from "../component";
import { stackSettings } from "./schema";

export const project = "twister2-cluster";

export function stackFileSchema(components: readonly AnyComponent[]): Record<string, unknown> {
    const settings = z.toJSONSchema(stackSettings(components), {
        io: "input",
        target: "draft-07",
        // zod leaves out the default of a setting it transforms (an output need not be an input); ours are inputs too.
        override: ({ zodSchema, jsonSchema }) => {
            if (zodSchema instanceof z.ZodDefault && jsonSchema.default === undefined) jsonSchema.default = zodSchema.def.defaultValue;
        },
    });
    const keys = Object.entries(settings.properties ?? {}).map(([key, schema]) => [`${project}:${key}`, schema]);
    return {
        $schema: "http://json-schema.org/draft-07/schema#",
        title: `Pulumi.<stack>.yaml of ${project}`,
        description: "Written by `npm run schema` from the zod schemas (the components' settings, framework/config/schema.ts); do not edit it by hand.",
        type: "object",
        properties: {
            config: {
                type: "object",
                properties: Object.fromEntries(keys),
                patternProperties: {
                    // No setting of this program is a secret (keys are files named by path): a `secure:` value of
                    // its own would reach the hosts as plain text. Other namespaces (providers) may hold secrets.
                    [`^(?!${project}:)[^:]+:`]: {
                        description: "Another namespace's setting (a provider's, e.g. docker:host); not checked here. " +
                            "A secret is { secure: ... } (pulumi config set --secret).",
                    },
                },
                additionalProperties: false,
            },
            encryptionsalt: { type: "string", description: "Pulumi's salt for the passphrase secrets provider (pulumi writes it)" },
            secretsprovider: { type: "string", description: "The stack's secrets provider, e.g. awskms://... (pulumi writes it)" },
            encryptedkey: { type: "string", description: "The data key, encrypted by a cloud secrets provider (pulumi writes it)" },
            environment: { description: "Pulumi ESC environments the stack imports" },
        },
        additionalProperties: false,
    };
}

/** The schema file's text, as `npm run schema` writes it. */
export const stackFileSchemaText = (components: readonly AnyComponent[]): string => `${JSON.stringify(stackFileSchema(components), null, 2)}\n`;

type JsonSchema = {
    type?: string | string[]; description?: string; default?: unknown; enum?: unknown[]; pattern?: string;
    minimum?: number; maximum?: number; minItems?: number; properties?: Record<string, JsonSchema>; required?: string[];
    items?: JsonSchema; additionalProperties?: JsonSchema | boolean; anyOf?: JsonSchema[]; oneOf?: JsonSchema[];
};

const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (value: unknown): string => `\`${JSON.stringify(value)}\``;

/** A setting's type as the reference says it: text, a whole number from 1 to 65535, one of ..., a list of ... */
function typeOf(schema: JsonSchema): string {
    if (schema.enum) return `one of ${schema.enum.map(code).join(", ")}`;
    const variants = schema.anyOf ?? schema.oneOf;
    if (variants) return variants.map(typeOf).join(" or ");
    const maximum = schema.maximum === undefined || schema.maximum >= Number.MAX_SAFE_INTEGER ? undefined : schema.maximum;
    const range = maximum !== undefined ? ` from ${schema.minimum ?? "-∞"} to ${maximum}` : schema.minimum !== undefined ? ` of ${schema.minimum} or more` : "";
    switch (Array.isArray(schema.type) ? schema.type.join(" or ") : schema.type) {
        case "string": return schema.pattern ? `text matching \`${schema.pattern}\`` : "text";
        case "integer": return `a whole number${range}`;
        case "number": return `a number${range}`;
        case "boolean": return "true or false";
        case "array": return schema.items?.properties ? "a list of maps (below)" : `a list of ${schema.items ? typeOf(schema.items) : "values"}`;
        case "object": return schema.properties ? "a map (below)"
            : typeof schema.additionalProperties === "object" ? `a map of names to ${typeOf(schema.additionalProperties)}` : "a map";
        default: return "any value";
    }
}

/** The rows of `schema`'s settings under `at`, nested maps flattened (`mesos.repository.url`). */
function rows(at: string, schema: JsonSchema, described = ""): string[] {
    const description = schema.description === described ? "" : schema.description ?? "";
    const own = `| \`${at}\` | ${cell(typeOf(schema))} | ${schema.default === undefined ? "" : cell(code(schema.default))} | ${cell(description)} |`;
    const item = schema.type === "array" && schema.items?.properties ? schema.items : undefined;
    const nested = Object.entries((item ?? schema).properties ?? {}).flatMap(([key, child]) => rows(`${at}${item ? "[]" : ""}.${key}`, child));
    return [own, ...nested];
}

/**
 * docs/configuration.md: every setting of Pulumi.<stack>.yaml with its type, default and description,
 * made from the same schemas as the JSON Schema (`npm run schema` writes both), so it cannot drift.
 */
export function configurationReference(components: readonly AnyComponent[]): string {
    const config = (stackFileSchema(components).properties as { config: { properties: Record<string, JsonSchema> } }).config.properties;
    const sections = Object.entries(config).map(([key, schema]) => [
        `## \`${key}\``, "", schema.description ?? "", "",
        "| setting | type | default | what it is |", "|---|---|---|---|",
        ...rows(key.slice(`${project}:`.length), schema, schema.description), "",
    ].join("\n"));
    return [
        "# Configuration reference", "",
        "Every setting of a stack file (`Pulumi.<stack>.yaml`), each under `config:` as `twister2-cluster:<key>`. " +
        "Written by `npm run schema` from the settings' schemas (each component's in `components/<name>/config.ts`, " +
        "the hosts' and the preflight's in `framework/`); do not edit it by hand. " +
        "What only code can check (addresses, keys, files, how settings fit together) is checked by the program before any host is touched.",
        "",
        ...sections,
    ].join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
}
