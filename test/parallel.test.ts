/**
 * Peers that train in parallel (lockstep, one trainer thread per learning peer) give exactly the results of the
 * same lockstep run trained in one thread: the same metrics file and the same final weights.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const CLI = "dist/cli/main.js";

function run(parallel: boolean): string {
  const out = mkdtempSync(join(tmpdir(), `peerlearn-parallel-${parallel}-`));
  const args = [CLI, "train", "--preset", "room-v21/peer-learning", "--steps", "1500", "--out", out,
    "--set", "env=\"Room-v6\"", "--set", "evalFreq=500", "--set", "evalEpisodes=2", "--set", "dqn.netArch=[32,32]", "--set", "dqn.batchSize=32",
    "--set", "group.schedule=\"lockstep\"", "--set", "group.minEpochLength=500", "--set", `group.parallelTraining=${parallel}`];
  const r = spawnSync(process.execPath, args, { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return out;
}

describe.skipIf(!existsSync(CLI))("parallel training (needs `npm run build`)", () => {
  it("matches single-threaded lockstep exactly", () => {
    const one = run(false);
    const two = run(true);
    expect(readFileSync(join(two, "metrics.jsonl"), "utf8")).toBe(readFileSync(join(one, "metrics.jsonl"), "utf8"));
    for (const peer of [0, 1]) {
      const w = (dir: string): Buffer => readFileSync(join(dir, "final", `peer-${peer}`, "model.safetensors"));
      expect(w(two).equals(w(one))).toBe(true);
    }
  }, 120_000);

  it("refuses parallel training with the round-robin schedule", () => {
    const r = spawnSync(process.execPath, [CLI, "train", "--preset", "room-v21/peer-learning", "--set", "group.parallelTraining=true", "--print-config"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/group.parallelTraining: got true, needs the lockstep schedule/);
  });
});
