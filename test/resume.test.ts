/**
 * A run killed with SIGKILL (twice, at different moments) and started again on the same folder ends exactly where
 * an uninterrupted run ends: the same metrics file, byte for byte, and the same final weights.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { requireBuilt } from "./built.js";
import { mixedSacTd3Group } from "./groups.js";

const CLI = "dist/cli/main.js";
const SINGLE = [
  "train",
  "--env",
  "CartPole-v1",
  "--steps",
  "8000",
  "--seed",
  "3",
  "--set",
  "checkpointFreq=1000",
  "--set",
  "evalFreq=2000",
  "--set",
  "evalEpisodes=3",
];
const GROUP = [
  "train",
  "--preset",
  "room-v21/peer-learning",
  "--steps",
  "4000",
  "--seed",
  "2",
  "--set",
  'env="Room-v6"',
  "--set",
  "evalFreq=500",
  "--set",
  "evalEpisodes=2",
  "--set",
  "dqn.netArch=[64,64]",
  "--set",
  "dqn.batchSize=64",
  "--set",
  "group.minEpochLength=500",
  "--set",
  "checkpointFreq=500",
];

function runToEnd(args: string[], out: string): void {
  const r = spawnSync(process.execPath, [CLI, ...args, "--out", out], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
}

/** Starts the run and kills it with SIGKILL `delayMs` after its checkpoint at `afterStep` or later is committed. */
function runAndKill(args: string[], out: string, afterStep: number, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, "--out", out], { stdio: "ignore" });
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

/** Starts the run, sends Ctrl-C (SIGINT) once its checkpoint at `afterStep` or later is committed; its exit. */
function runAndInterrupt(
  args: string[],
  out: string,
  afterStep: number,
): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args, "--out", out], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const pointer = join(out, "checkpoints", "latest.json");
    const timer = setInterval(() => {
      try {
        if ((JSON.parse(readFileSync(pointer, "utf8")) as { step: number }).step < afterStep) return;
      } catch {
        return; // not there yet, or being replaced right now
      }
      clearInterval(timer);
      child.kill("SIGINT");
    }, 5);
    child.on("exit", (code) => {
      clearInterval(timer);
      resolve({ code, err });
    });
  });
}

describe("Ctrl-C (needs `npm run build`)", () => {
  requireBuilt(CLI);
  it.each([
    ["a single agent", SINGLE, "steps", "model.safetensors"],
    ["a peer group", GROUP, "steps per peer", join("peer-0", "model.safetensors")],
  ])(
    "stops %s with a word and a checkpoint where it stood; the same command resumes it exactly",
    async (...c) => {
      const [, args, unit, weightsFile] = c;
      const whole = mkdtempSync(join(tmpdir(), "peerlearn-cwhole-"));
      runToEnd(args, whole);
      const stopped = mkdtempSync(join(tmpdir(), "peerlearn-ctrlc-"));
      const { code, err } = await runAndInterrupt(args, stopped, 1000);
      expect(code, err).toBe(130);
      const said = new RegExp(
        `peerlearn: stopped at (\\d+) of \\d+ ${unit}; saved there: the same command resumes from it`,
      ).exec(err);
      expect(said, err).not.toBeNull();
      runToEnd(args, stopped);
      const summary = JSON.parse(readFileSync(join(stopped, "summary.json"), "utf8"));
      expect(summary.resumedFrom).toBe(Number(said?.[1]));
      expect(readFileSync(join(stopped, "metrics.jsonl"), "utf8")).toBe(
        readFileSync(join(whole, "metrics.jsonl"), "utf8"),
      );
      const weights = (dir: string): Buffer => readFileSync(join(dir, "final", weightsFile));
      expect(weights(stopped).equals(weights(whole))).toBe(true);
    },
    120_000,
  );
});

describe("resuming after SIGKILL (needs `npm run build`)", () => {
  requireBuilt(CLI);
  it("a single agent ends with the same metrics and weights as an uninterrupted run", async () => {
    const whole = mkdtempSync(join(tmpdir(), "peerlearn-whole-"));
    runToEnd(SINGLE, whole);
    const broken = mkdtempSync(join(tmpdir(), "peerlearn-killed-"));
    await runAndKill(SINGLE, broken, 2000, 30);
    await runAndKill(SINGLE, broken, 5000, 0);
    runToEnd(SINGLE, broken);
    const summary = JSON.parse(readFileSync(join(broken, "summary.json"), "utf8"));
    expect(summary.resumedFrom).toBeGreaterThanOrEqual(5000);
    expect(readFileSync(join(broken, "metrics.jsonl"), "utf8")).toBe(
      readFileSync(join(whole, "metrics.jsonl"), "utf8"),
    );
    const weights = (dir: string): Buffer => readFileSync(join(dir, "final", "model.safetensors"));
    expect(weights(broken).equals(weights(whole))).toBe(true);
  }, 120_000);

  it.each([
    ["round-robin", "room-v21/peer-learning", []],
    [
      "lockstep with trainer threads",
      "room-v21/peer-learning",
      ["--set", 'group.schedule="lockstep"', "--set", "group.parallelTraining=true"],
    ],
    ["LeCTR, its advising policies and Phase I records", "room-v21/lectr", ["--set", "lectr.phaseLength=300"]],
    [
      "round-robin, killed inside its one long epoch",
      "room-v21/peer-learning",
      ["--set", "group.minEpochLength=10000", "--set", "checkpointFreq=250"],
    ],
    [
      "lockstep with trainer threads, killed inside its one long epoch",
      "room-v21/peer-learning",
      [
        "--set",
        'group.schedule="lockstep"',
        "--set",
        "group.parallelTraining=true",
        "--set",
        "group.minEpochLength=10000",
        "--set",
        "checkpointFreq=250",
      ],
    ],
  ])(
    "a peer group (%s) ends with the same metrics and weights as an uninterrupted run",
    async (_label, preset, extra) => {
      const args = [...GROUP.map((a) => (a === "room-v21/peer-learning" ? preset : a)), ...extra];
      const whole = mkdtempSync(join(tmpdir(), "peerlearn-gwhole-"));
      runToEnd(args, whole);
      const broken = mkdtempSync(join(tmpdir(), "peerlearn-gkilled-"));
      await runAndKill(args, broken, 1000, 20);
      await runAndKill(args, broken, 2500, 0);
      runToEnd(args, broken);
      expect(JSON.parse(readFileSync(join(broken, "summary.json"), "utf8")).resumedFrom).toBeGreaterThanOrEqual(2500);
      expect(readFileSync(join(broken, "metrics.jsonl"), "utf8")).toBe(
        readFileSync(join(whole, "metrics.jsonl"), "utf8"),
      );
      for (const peer of [0, 1]) {
        const weights = (dir: string): Buffer => readFileSync(join(dir, "final", `peer-${peer}`, "model.safetensors"));
        expect(weights(broken).equals(weights(whole))).toBe(true);
      }
    },
    120_000,
  );

  it("a mixed group of a SAC and a TD3 peer ends with the same metrics and weights as an uninterrupted run", async () => {
    const args = ["train", ...mixedSacTd3Group(3000), "--seed", "2", "--set", "checkpointFreq=500"];
    const whole = mkdtempSync(join(tmpdir(), "peerlearn-mwhole-"));
    runToEnd(args, whole);
    const broken = mkdtempSync(join(tmpdir(), "peerlearn-mkilled-"));
    await runAndKill(args, broken, 1000, 20);
    await runAndKill(args, broken, 2000, 0);
    runToEnd(args, broken);
    const summary = JSON.parse(readFileSync(join(broken, "summary.json"), "utf8"));
    expect(summary.resumedFrom).toBeGreaterThanOrEqual(2000);
    expect(summary.peers.map((p: { kind: string }) => p.kind)).toEqual(["sac", "td3"]);
    expect(readFileSync(join(broken, "metrics.jsonl"), "utf8")).toBe(
      readFileSync(join(whole, "metrics.jsonl"), "utf8"),
    );
    for (const peer of [0, 1]) {
      const weights = (dir: string): Buffer => readFileSync(join(dir, "final", `peer-${peer}`, "model.safetensors"));
      expect(weights(broken).equals(weights(whole))).toBe(true);
    }
  }, 180_000);
});
