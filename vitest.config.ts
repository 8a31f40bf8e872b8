import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        // One lab, one stack at a time: end-to-end files never run side by side.
        fileParallelism: false,
        projects: [
            { test: { name: "unit", include: ["test/unit/**/*.test.ts"], testTimeout: 30_000 } },
            {
                test: {
                    name: "e2e",
                    include: ["test/e2e/**/*.test.ts"],
                    globalSetup: ["test/e2e/globalSetup.ts"],
                    testTimeout: 45 * 60_000,
                    hookTimeout: 45 * 60_000,
                },
            },
        ],
    },
});
