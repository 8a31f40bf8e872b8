// One lab for the whole end-to-end run: up before the first file, down after the last (also when a
// test fails). T2_KEEP_LAB=1 keeps it up for the next run while developing.
import { labDown, labUp } from "./harness";

export function setup(): void {
    const started = Date.now();
    labUp();
    console.log(`lab up: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export function teardown(): void {
    if (!process.env.T2_KEEP_LAB) labDown();
}
