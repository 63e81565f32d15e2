import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup/ranges.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Three files at a time on the 2-core CI machine: most e2e files wait on simulated node
    // latency, lease expiries and child processes rather than on a core, and vitest's default
    // (cores - 1 = one file at a time) made the suite take 22 minutes.
    maxWorkers: 3,
  },
});
