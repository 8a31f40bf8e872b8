// schema/pulumi-stack.schema.json: what the zod schemas make (`npm run schema` writes it), and what the
// stack files are checked against in an editor.
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { components } from "../../components";
import { configurationReference, stackFileSchema, stackFileSchemaText } from "./jsonSchema";

const projectDir = path.join(__dirname, "..", "..");
const committed = path.join(projectDir, "schema", "pulumi-stack.schema.json");
const stackFiles = ["Pulumi.dev.yaml", "Pulumi.prod.yaml"].map((file) => path.join(projectDir, file));

/** Every `pattern` and patternProperties key in a JSON Schema. */
function patterns(schema: unknown): string[] {
    if (typeof schema !== "object" || schema === null) return [];
    const own = Object.entries(schema).flatMap(([key, value]) =>
        key === "pattern" && typeof value === "string" ? [value] : key === "patternProperties" ? Object.keys(value as object) : []);
    return [...own, ...Object.values(schema).flatMap(patterns)];
}

describe("the stack file's JSON Schema", () => {
    it("is what the schemas make: run `npm run schema` after changing a setting", () => {
        expect(fs.readFileSync(committed, "utf8")).toBe(stackFileSchemaText(components));
    });

    it("and docs/configuration.md, the reference of every setting, is too", () => {
        const reference = fs.readFileSync(path.join(projectDir, "docs", "configuration.md"), "utf8");
        expect(reference).toBe(configurationReference(components));
        // Every setting of every component is in it, with its default.
        expect(reference).toContain("| `zookeeper.tickTime` | a whole number of 1 or more | `2000` | ZooKeeper's tickTime, in milliseconds |");
        expect(reference).toContain("| `uploader.port` | a whole number from 1 to 65535 | `8082` |");
    });

    it("is named by each stack file's first line, and each passes it", () => {
        const fileSchema = z.fromJSONSchema(JSON.parse(fs.readFileSync(committed, "utf8")));
        for (const file of stackFiles) {
            const text = fs.readFileSync(file, "utf8");
            expect(text.split("\n")[0], file).toBe("# yaml-language-server: $schema=./schema/pulumi-stack.schema.json");
            expect(fileSchema.safeParse(YAML.parse(text)).error?.issues, file).toBeUndefined();
        }
    });

    it("holds no machine's encryptionsalt: a machine's first pulumi run adds its own, for its own passphrase (README)", () => {
        // Committed, it makes `npm run up` on any other machine fail: "incorrect passphrase".
        for (const file of stackFiles) expect(fs.readFileSync(file, "utf8"), file).not.toMatch(/^encryptionsalt:/m);
    });

    it("tells a wrong value from a right one", () => {
        const fileSchema = z.fromJSONSchema(stackFileSchema(components) as z.core.JSONSchema.JSONSchema);
        const prod = YAML.parse(fs.readFileSync(stackFiles[1], "utf8"));
        prod.config["twister2-cluster:roles"].node1.push("mesos-king");
        prod.config["twister2-cluster:uploader"].port = 70000;
        prod.config["twister2-cluster:nfs"].implementation = "samba";
        expect(fileSchema.safeParse(prod).error?.issues.map((issue) => issue.path.join("."))).toEqual([
            "config.twister2-cluster:roles.node1.4", "config.twister2-cluster:uploader.port", "config.twister2-cluster:nfs.implementation",
        ]);
    });

    it("refuses a twister2-cluster key that is no setting, and takes other namespaces' keys, secrets too", () => {
        const config = (stackFileSchema(components).properties as { config: { patternProperties: object; additionalProperties: boolean } }).config;
        expect(config.additionalProperties).toBe(false);
        const [otherNamespaces] = Object.keys(config.patternProperties).map((pattern) => new RegExp(pattern));
        expect(otherNamespaces.test("docker:host")).toBe(true);
        expect(otherNamespaces.test("twister2-cluster:hostfile")).toBe(false);
    });

    it("has only patterns an editor compiles (ECMAScript, unicode mode)", () => {
        const all = patterns(stackFileSchema(components));
        expect(all.length).toBeGreaterThan(10);
        for (const pattern of all) expect(() => new RegExp(pattern, "u"), pattern).not.toThrow();
    });
});
