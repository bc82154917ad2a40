import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Server-backed files start their own servers; two cores, so keep parallelism modest.
    maxWorkers: 2,
    pool: "forks",
  },
});
