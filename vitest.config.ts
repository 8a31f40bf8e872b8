import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        // One lab, one stack at a time: end-to-end files never run side by side.
        fileParallelism: false,
        // The e2e teardown stops the lab (docker stop of five systemd hosts): more than vitest's default 10 s.
        teardownTimeout: 5 * 60_000,
        projects: [
            { test: { name: "unit", include: ["components/**/*.test.ts", "framework/**/*.test.ts", "ops/**/*.test.ts", "test/unit/**/*.test.ts"], testTimeout: 30_000 } },
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
