/**
 * The native kernels' own test program (native/kernel_test.cc), built with the C++ compiler and run for every
 * instruction-set path of this CPU, then cross-compiled for arm64 and run under qemu-user so that the NEON path is
 * tested on any machine. The tools are optional for a user's `npm test`; in CI (.ci/run installs them) a missing
 * tool fails the suite instead of skipping it.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasTool, runsWith } from "./tools.js";

const NATIVE = join(import.meta.dirname, "..", "native");
const SOURCES = [
  "kernel_test.cc",
  "gemm.cc",
  "gemm_blocked.cc",
  "gemm_x86.cc",
  "gemm_neon.cc",
  "gemm_bf16.cc",
  "elementwise.cc",
].map((f) => join(NATIVE, f));
// As binding.gyp: no contraction of a * b + c into one FMA, so that fused and unfused element-wise work agree to the bit.
const FLAGS = ["-O2", "-std=c++17", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off"];

const dir = mkdtempSync(join(tmpdir(), "peerlearn-kernels-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the test program, fails on any failed case, and returns its output. */
function runProgram(cmd: string, args: string[]): string {
  const run = spawnSync(cmd, args, { encoding: "utf8", timeout: 120_000 });
  const out = `${run.stdout}${run.stderr}`;
  expect(out).not.toMatch(/FAIL/);
  expect(run.status, out).toBe(0);
  expect(out.trim().split("\n").at(-1)).toMatch(/^\d+ passed, 0 failed$/);
  return out;
}

describe("native kernels' test program", () => {
  const cxx = process.env.CXX ?? "g++";
  const haveCxx = hasTool(cxx);
  it.runIf(runsWith(haveCxx))("passes on this CPU, every instruction-set path", () => {
    expect(haveCxx, `${cxx} is needed (Debian: g++)`).toBe(true);
    const exe = join(dir, "kernel_test");
    execFileSync(cxx, [...FLAGS, "-o", exe, ...SOURCES]);
    expect(runProgram(exe, [])).toContain("path generic");
  });

  const armCxx = "aarch64-linux-gnu-g++";
  const haveArm = hasTool(armCxx) && hasTool("qemu-aarch64");
  it.runIf(runsWith(haveArm))(
    "passes on arm64 under qemu-user, NEON path included",
    () => {
      expect(haveArm, `${armCxx} and qemu-aarch64 are needed (Debian: g++-aarch64-linux-gnu, qemu-user)`).toBe(true);
      const exe = join(dir, "kernel_test_arm64");
      execFileSync(armCxx, [...FLAGS, "-static", "-o", exe, ...SOURCES]);
      const out = runProgram("qemu-aarch64", [exe]);
      expect(out).toContain("path neon");
      expect(out).toContain("best path: neon");
    },
    180_000,
  );
});
