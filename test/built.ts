/**
 * End-to-end suites run the built package, which `npm test` builds before running them. Without a build they
 * fail with one clear message instead of skipping, so that no run (CI above all) can pass them silently.
 */
import { existsSync } from "node:fs";
import { beforeAll } from "vitest";

/** Fails the surrounding suite when `path` (a file of the build) is missing. */
export function requireBuilt(path: string): void {
  beforeAll(() => {
    if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first (npm test does)`);
  });
}
