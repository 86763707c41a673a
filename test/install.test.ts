/**
 * `npm install` must succeed on a machine without a C++ compiler: the install script reports that the native build
 * failed and that the WebAssembly kernels will be used, and exits 0. Checked on a copy of the native sources with
 * the compiler replaced by /bin/false.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";

it("the install script survives a failing compiler and falls back to WebAssembly", () => {
  const dir = mkdtempSync(join(tmpdir(), "peerlearn-install-"));
  for (const entry of ["binding.gyp", "native", "scripts", "package.json"])
    cpSync(entry, join(dir, entry), { recursive: true });
  const r = spawnSync(process.execPath, ["scripts/build-native.mjs"], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, CC: "/bin/false", CXX: "/bin/false" },
  });
  expect(r.status).toBe(0);
  expect(r.stderr).toMatch(/native kernels not built \(.+\); the WebAssembly kernels will be used instead/);
  expect(existsSync(join(dir, "build"))).toBe(false);
});
