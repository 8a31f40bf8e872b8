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
