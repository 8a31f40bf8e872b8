// A generated secret kept in the stack's state (encrypted), like @pulumi/random's RandomPassword,
// whose provider plugin cannot be installed here (see README). It changes only when `keepers` change.
import * as pulumi from "@pulumi/pulumi";
import { same } from "./hostScriptProvider";

interface RandomSecretInputs {
    length: number;
    keepers?: unknown;
}

const randomSecretProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: RandomSecretInputs) {
        const crypto = require("node:crypto");
        // URL-safe characters: the secret travels in JSON files and never needs quoting.
        const result = crypto.randomBytes(inputs.length).toString("base64url").slice(0, inputs.length);
        return { id: crypto.randomUUID(), outs: { ...inputs, result } };
    },
    async diff(_id: string, olds: RandomSecretInputs, news: RandomSecretInputs) {
        const changed = olds.length !== news.length || !same(olds.keepers, news.keepers);
        return { changes: changed, replaces: changed ? ["length"] : [] };
    },
};

export interface RandomSecretArgs {
    /** Characters in the secret. */
    length: number;
    /** Values whose change makes a new secret. */
    keepers?: pulumi.Input<unknown>;
}

export class RandomSecret extends pulumi.dynamic.Resource {
    /** The secret (a Pulumi secret: encrypted in state, masked in output). */
    declare public readonly result: pulumi.Output<string>;

    constructor(name: string, args: RandomSecretArgs, opts?: pulumi.CustomResourceOptions) {
        super(randomSecretProvider, name, { ...args, result: undefined },
            { ...opts, additionalSecretOutputs: ["result"] }, "twister2", "RandomSecret");
    }
}
