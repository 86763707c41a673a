/**
 * A run killed with SIGKILL (twice, at different moments) and started again on the same folder ends exactly where
 * an uninterrupted run ends: the same metrics file, byte for byte, and the same final weights.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const CLI = "dist/cli/main.js";
const ARGS = ["train", "--env", "CartPole-v1", "--steps", "8000", "--seed", "3", "--set", "checkpointFreq=1000", "--set", "evalFreq=2000", "--set", "evalEpisodes=3"];

function runToEnd(out: string): void {
  const r = spawnSync(process.execPath, [CLI, ...ARGS, "--out", out], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
}

/** Starts the run and kills it with SIGKILL `delayMs` after its checkpoint at `afterStep` or later is committed. */
function runAndKill(out: string, afterStep: number, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...ARGS, "--out", out], { stdio: "ignore" });
    const pointer = join(out, "checkpoints", "latest.json");
    const timer = setInterval(() => {
      if (!existsSync(pointer)) return;
      try {
        if ((JSON.parse(readFileSync(pointer, "utf8")) as { step: number }).step < afterStep) return;
      } catch {
        return; // being replaced right now
      }
      clearInterval(timer);
      setTimeout(() => child.kill("SIGKILL"), delayMs);
    }, 5);
    child.on("exit", (code, signal) => {
      clearInterval(timer);
      if (signal === "SIGKILL") resolve();
      else reject(new Error(`the run ended (code ${code}) before it could be killed; make it longer`));
    });
  });
}

describe.skipIf(!existsSync(CLI))("resuming after SIGKILL (needs `npm run build`)", () => {
  it("ends with the same metrics and weights as an uninterrupted run", async () => {
    const whole = mkdtempSync(join(tmpdir(), "peerlearn-whole-"));
    runToEnd(whole);
    const broken = mkdtempSync(join(tmpdir(), "peerlearn-killed-"));
    await runAndKill(broken, 2000, 30);
    await runAndKill(broken, 5000, 0);
    runToEnd(broken);
    const summary = JSON.parse(readFileSync(join(broken, "summary.json"), "utf8"));
    expect(summary.resumedFrom).toBeGreaterThanOrEqual(5000);
    expect(readFileSync(join(broken, "metrics.jsonl"), "utf8")).toBe(readFileSync(join(whole, "metrics.jsonl"), "utf8"));
    const weights = (dir: string): Buffer => readFileSync(join(dir, "final", "model.safetensors"));
    expect(weights(broken).equals(weights(whole))).toBe(true);
  }, 120_000);
});
