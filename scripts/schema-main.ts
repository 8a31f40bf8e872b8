// Writes schema/pulumi-stack.schema.json, the JSON Schema of Pulumi.<stack>.yaml, from the zod schemas;
// see scripts/schema.sh.
import * as fs from "node:fs";
import * as path from "node:path";
import { components } from "../components";
import { stackFileSchemaText } from "../framework/config/jsonSchema";

const file = path.resolve(__dirname, "..", "schema", "pulumi-stack.schema.json");
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, stackFileSchemaText(components));
console.log(file);
