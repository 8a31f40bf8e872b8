// A secret setting's value once read (a host's sudoPassword): whatever shows it (JSON, a log line, an error
// message, util.inspect, a resource input that took the object holding it) shows "[secret]"; only
// reveal() gives the text, and only the code that hands it to a host calls it (framework/remote/sudo.ts).
export class SecretText {
    readonly #text: string;

    constructor(text: string) {
        this.#text = text;
    }

    reveal(): string {
        return this.#text;
    }

    toJSON(): string {
        return "[secret]";
    }

    toString(): string {
        return "[secret]";
    }

    [Symbol.for("nodejs.util.inspect.custom")](): string {
        return "[secret]";
    }
}
