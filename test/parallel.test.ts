/**
 * Peers that train in parallel (lockstep, one trainer thread per learning peer) give exactly the results of the
 * same lockstep run trained in one thread: the same metrics file and the same final weights. The one-thread
 * lockstep schedule is pinned on its own by the golden runs (test/golden.test.ts) and by group.test.ts (a peer
 * alone steps exactly as in round-robin), so both sides of this comparison are checked independently.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { requireBuilt } from "./built.js";
import { mixedSacTd3Group } from "./groups.js";

const CLI = "dist/cli/main.js";

const ROOM = [
  "--preset",
  "room-v21/peer-learning",
  "--steps",
  "1500",
  "--set",
  'env="Room-v6"',
  "--set",
  "evalFreq=500",
  "--set",
  "evalEpisodes=2",
  "--set",
  "dqn.netArch=[32,32]",
  "--set",
  "dqn.batchSize=32",
  "--set",
  "group.minEpochLength=500",
];
// Four SAC peers with gSDE (the paper's MuJoCo settings), small networks.
const HOPPER = [
  "--preset",
  "hopper-v4/peer-learning",
  "--steps",
  "600",
  "--set",
  "evalFreq=300",
  "--set",
  "evalEpisodes=1",
  "--set",
  "sac.netArch=[32,32]",
  "--set",
  "sac.batchSize=32",
  "--set",
  "sac.learningStarts=100",
  "--set",
  "group.minEpochLength=300",
];

// A mixed group: a SAC and a TD3 peer on Pendulum-v1.
const MIXED = mixedSacTd3Group(1500);

function run(base: string[], parallel: boolean): string {
  const out = mkdtempSync(join(tmpdir(), `peerlearn-parallel-${parallel}-`));
  const args = [
    CLI,
    "train",
    ...base,
    "--out",
    out,
    "--set",
    'group.schedule="lockstep"',
    "--set",
    `group.parallelTraining=${parallel}`,
  ];
  const r = spawnSync(process.execPath, args, { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return out;
}

function expectSameRuns(one: string, two: string, peers: number): void {
  expect(readFileSync(join(two, "metrics.jsonl"), "utf8")).toBe(readFileSync(join(one, "metrics.jsonl"), "utf8"));
  for (let peer = 0; peer < peers; peer++) {
    const w = (dir: string): Buffer => readFileSync(join(dir, "final", `peer-${peer}`, "model.safetensors"));
    expect(w(two).equals(w(one)), `peer ${peer}'s final weights`).toBe(true);
  }
}

describe("parallel training (needs `npm run build`)", () => {
  requireBuilt(CLI);
  it("matches single-threaded lockstep exactly: DQN peers", () => {
    expectSameRuns(run(ROOM, false), run(ROOM, true), 2);
  }, 120_000);

  it("matches single-threaded lockstep exactly: SAC peers with gSDE on Hopper-v4", () => {
    expectSameRuns(run(HOPPER, false), run(HOPPER, true), 4);
  }, 120_000);

  it("matches single-threaded lockstep exactly: a SAC and a TD3 peer", () => {
    expectSameRuns(run(MIXED, false), run(MIXED, true), 2);
  }, 120_000);

  it("refuses parallel training with the round-robin schedule", () => {
    const r = spawnSync(
      process.execPath,
      [CLI, "train", "--preset", "room-v21/peer-learning", "--set", "group.parallelTraining=true", "--print-config"],
      { encoding: "utf8" },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/group.parallelTraining: got true, needs the lockstep schedule/);
  });
});
