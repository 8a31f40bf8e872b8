// Writes what is generated from the code: schema/pulumi-stack.schema.json, the JSON Schema of
// Pulumi.<stack>.yaml, and docs/configuration.md, the reference of every setting, from the settings'
// zod schemas; docs/cluster.svg, the picture of Pulumi.prod.yaml, from the components' drawings. See
// scripts/schema.sh.
import * as fs from "node:fs";
import * as path from "node:path";
import { components } from "../components";
import { configurationReference, stackFileSchemaText } from "../framework/config/jsonSchema";
import { exampleDot, svgOf } from "./exampleDiagram";

const root = path.resolve(__dirname, "..");
for (const [file, text] of [
    [path.join(root, "schema", "pulumi-stack.schema.json"), stackFileSchemaText(components)],
    [path.join(root, "docs", "configuration.md"), configurationReference(components)],
    [path.join(root, "docs", "cluster.svg"), svgOf(exampleDot())],
]) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    console.log(file);
}
