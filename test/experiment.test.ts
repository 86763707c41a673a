/**
 * `peerlearn experiment` killed with SIGKILL twice at different moments and started again ends with the same
 * results as an uninterrupted run: the same learning curves and scores for every run.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { requireBuilt } from "./built.js";

const CLI = "dist/cli/main.js";
const ARGS = ["experiment", "fig4", "--budget", "0.002", "--seeds", "2", "--workers", "2"];

function runToEnd(out: string): string {
  const r = spawnSync(process.execPath, [CLI, ...ARGS, "--out", out], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** The run folders of the plan (fig4: two methods, two seeds). */
const RUN_DIRS = ["adversarial", "single-agent"].flatMap((m) =>
  [0, 1].map((seed) => join("Room-v21", m, `seed-${seed}`)),
);

/** How many runs under `dir` have `file` (a path inside the run folder) yet; the runs write and prune as we look. */
function countFiles(dir: string, file: string): number {
  return RUN_DIRS.filter((r) => existsSync(join(dir, r, file))).length;
}

/** Starts the experiment and kills it with SIGKILL once `ready()` holds, after `delayMs`. */
function runAndKill(out: string, ready: () => boolean, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...ARGS, "--out", out], { stdio: "ignore" });
    const timer = setInterval(() => {
      if (!ready()) return;
      clearInterval(timer);
      setTimeout(() => child.kill("SIGKILL"), delayMs);
    }, 10);
    child.on("exit", (code, signal) => {
      clearInterval(timer);
      if (signal === "SIGKILL") resolve();
      else reject(new Error(`the experiment ended (code ${code}) before it could be killed; make it longer`));
    });
  });
}

/** runs.csv without the timing columns, and curves.csv. */
function results(out: string): { runs: string[]; curves: string } {
  const runs = readFileSync(join(out, "runs.csv"), "utf8")
    .trim()
    .split("\n")
    .map((line) => line.split(",").slice(0, 7).join(","));
  return { runs: runs.sort(), curves: readFileSync(join(out, "curves.csv"), "utf8") };
}

describe("experiment runner (needs `npm run build`)", () => {
  requireBuilt(CLI);
  it("killed twice with SIGKILL and rerun, it ends with the uninterrupted run's results", async () => {
    const whole = mkdtempSync(join(tmpdir(), "peerlearn-exp-whole-"));
    const stdout = runToEnd(whole);
    expect(stdout).toMatch(/Room-v21 +peer learning with an adversary +2 /);
    const broken = mkdtempSync(join(tmpdir(), "peerlearn-exp-killed-"));
    await runAndKill(broken, () => countFiles(broken, join("checkpoints", "latest.json")) >= 1, 40);
    await runAndKill(broken, () => countFiles(broken, "summary.json") >= 1, 0);
    const rerun = spawnSync(process.execPath, [CLI, ...ARGS, "--out", broken], { encoding: "utf8" });
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(/\(([1-3]) already complete\)/);
    expect(results(broken)).toEqual(results(whole));
    // The report is a function of the folder: rewriting it changes nothing.
    const report = readFileSync(join(broken, "report.md"), "utf8");
    expect(spawnSync(process.execPath, [CLI, "report", broken]).status).toBe(0);
    expect(readFileSync(join(broken, "report.md"), "utf8")).toBe(report);
    expect(report).toMatch(/!\[Room-v21 learning curves\]\(curves-Room-v21.svg\)/);
    expect(report).toMatch(/whose advice the learners followed/);
  }, 600_000);
});
