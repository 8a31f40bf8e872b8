// Writes schema/pulumi-stack.schema.json, the JSON Schema of Pulumi.<stack>.yaml, and
// docs/configuration.md, the reference of every setting, from the settings' zod schemas; see
// scripts/schema.sh.
import * as fs from "node:fs";
import * as path from "node:path";
import { components } from "../components";
import { configurationReference, stackFileSchemaText } from "../framework/config/jsonSchema";

const root = path.resolve(__dirname, "..");
for (const [file, text] of [
    [path.join(root, "schema", "pulumi-stack.schema.json"), stackFileSchemaText(components)],
    [path.join(root, "docs", "configuration.md"), configurationReference(components)],
]) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    console.log(file);
}
