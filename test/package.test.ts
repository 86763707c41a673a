/**
 * The package as users get it: `npm pack`, the tarball installed into a fresh project, `import ... from "peerlearn"`
 * type-checked against the shipped declarations, and every example run against it. Offline: the project takes
 * peerlearn's dependencies from this checkout's node_modules (the same versions the lockfile pins), and the native
 * build is skipped, so the WebAssembly kernels serve.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { requireBuilt } from "./built.js";

const exec = promisify(execFile);
const root = join(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "peerlearn-package-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the packed package (needs `npm run build`)", () => {
  requireBuilt("dist/index.js");
  it("installs into a fresh project, and the examples run against it", async () => {
    // Packs the build already in dist/ (its prepare script would rebuild dist/ under the other suites' feet).
    await exec("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", work], { cwd: root });
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    expect(tarball).toBeDefined();
    const project = join(work, "project");
    cpSync(join(root, "examples"), join(project, "examples"), {
      recursive: true,
      filter: (src) => !src.includes(`${join("examples", "dist")}`),
    });
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const dependencies = Object.fromEntries(
      Object.keys(pkg.dependencies).map((d) => [d, `file:${join(root, "node_modules", d)}`]),
    );
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "uses-peerlearn", private: true, type: "module", dependencies }),
    );
    const env = { ...process.env, PEERLEARN_SKIP_NATIVE: "1" };
    await exec("npm", ["install", "--offline", "--no-audit", "--no-fund", join(work, tarball as string)], {
      cwd: project,
      env,
    });
    const r = await exec(process.execPath, [join(root, "scripts", "run-examples.mjs"), join(project, "examples")], {
      cwd: project,
      env,
    });
    expect(r.stdout).toMatch(/== examples\/config-object\.ts/);
    expect(r.stdout).toMatch(/a bad field is refused: invalid run config: evalEpisodes/);
    expect(r.stdout).toMatch(/== examples\/custom-env-group\.ts/);
    expect(r.stdout).toMatch(/peer 2 \(dqn\): last evaluation/);
  }, 300_000);
});
