/**
 * scripts/compare-addons.mjs, the tool for measuring a kernel change on a machine whose speed drifts: two builds of
 * the addon in one process, timings interleaved. Checked with one build against itself (its own copy is loaded,
 * so that the two do not share a heap) and with bad arguments; no figure's value is checked (machine speed).
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { NATIVE_ADDON_PATH } from "../src/nn/kernels/native.js";
import { requireBuilt } from "./built.js";
import { HAS_NATIVE } from "./backends.js";
import { runsWith } from "./tools.js";

const run = (...args: string[]) =>
  spawnSync(process.execPath, ["scripts/compare-addons.mjs", ...args], { encoding: "utf8" });

describe("comparing two builds of the native addon (needs `npm run build`)", () => {
  requireBuilt("dist/nn/kernels/native.js");

  it("refuses a missing argument or file, saying what it takes", () => {
    const none = run();
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/usage: node scripts\/compare-addons\.mjs BEFORE\.node AFTER\.node/);
    const missing = run("no-such-before.node", "no-such-after.node");
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no such file no-such-before\.node/);
  });

  it.runIf(runsWith(HAS_NATIVE))("times every figure on both builds, with their ratio", () => {
    const r = run(NATIVE_ADDON_PATH, NATIVE_ADDON_PATH);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const rows = r.stdout.trim().split("\n").slice(1);
    expect(rows.map((row) => row.replace(/\s+[\d.]+\s+[\d.]+\s+[\d.]+$/, ""))).toEqual([
      "GEMM 256^3, B transposed",
      "GEMM 256^3, A transposed",
      "GEMM 256^3",
      "forward 256 -> 256, 10 rows",
      "forward 4 -> 256, batch 256",
      "DQN update",
      "SAC update [256, 256]",
      "SAC update [150, 200]",
    ]);
    for (const row of rows) expect(Number(row.split(/\s+/).pop())).toBeGreaterThan(0);
  });
});
