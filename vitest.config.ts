import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 120_000,
    pool: "forks",
    // A large young generation keeps collections out of the allocation tests' measured windows.
    poolOptions: { forks: { execArgv: ["--expose-gc", "--max-semi-space-size=64"] } },
  },
});
