/**
 * Golden runs: short runs of every kind of training on the `js` backend, whose arithmetic is the same on every
 * machine, pinned by the hashes of their metrics and final weights (test/fixtures/golden.json). A change that
 * moves one must say so, and why, in its commit, and re-record them:
 *
 *   PEERLEARN_RECORD_GOLDEN=1 npx vitest run test/golden.test.ts
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { requireBuilt } from "./built.js";

const CLI = "dist/cli/main.js";
const FIXTURES = join(import.meta.dirname, "fixtures", "golden.json");
const RECORD = process.env.PEERLEARN_RECORD_GOLDEN === "1";

const TINY_DQN = [
  "--set",
  "dqn.netArch=[16,16]",
  "--set",
  "dqn.batchSize=16",
  "--set",
  "evalFreq=300",
  "--set",
  "evalEpisodes=2",
];
const TINY_GROUP = [...TINY_DQN, "--steps", "600", "--set", "group.minEpochLength=300"];
const TINY_SAC = [
  "--set",
  "sac.netArch=[16,16]",
  "--set",
  "sac.batchSize=16",
  "--set",
  "sac.learningStarts=100",
  "--set",
  "evalEpisodes=1",
];

/** Name -> the `peerlearn train` arguments of the run. */
const RUNS: Record<string, string[]> = {
  "single DQN, Room-v21": ["--env", "Room-v21", "--steps", "600", ...TINY_DQN],
  "peer learning, round-robin": ["--preset", "room-v21/peer-learning", ...TINY_GROUP],
  "peer learning, lockstep": [
    "--preset",
    "room-v21/peer-learning",
    ...TINY_GROUP,
    "--set",
    'group.schedule="lockstep"',
  ],
  "peer learning, corrected": ["--preset", "room-v21/peer-learning/corrected", ...TINY_GROUP],
  adversarial: ["--preset", "room-v21/adversarial", ...TINY_GROUP],
  "early advice": ["--preset", "room-v21/early-advice", ...TINY_GROUP],
  LeCTR: ["--preset", "room-v21/lectr", ...TINY_GROUP],
  "SAC group, Pendulum-v1": [
    "--preset",
    "pendulum-v1/peer-learning",
    "--steps",
    "400",
    "--set",
    "evalFreq=200",
    "--set",
    "group.minEpochLength=200",
    ...TINY_SAC,
  ],
  "TD3, Pendulum-v1": [
    "--env",
    "Pendulum-v1",
    "--algo",
    "td3",
    "--steps",
    "400",
    "--set",
    "td3.netArch=[16,16]",
    "--set",
    "td3.batchSize=16",
    "--set",
    "td3.learningStarts=100",
    "--set",
    "evalFreq=200",
    "--set",
    "evalEpisodes=1",
  ],
  "SAC with gSDE, Hopper-v4": [
    "--env",
    "Hopper-v4",
    "--algo",
    "sac",
    "--steps",
    "300",
    "--set",
    "evalFreq=150",
    ...TINY_SAC,
  ],
};

interface Golden {
  metrics: string;
  weights: Record<string, string>;
}

const sha256 = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Every model.safetensors under the run's final/ folder, by relative path. */
function finalWeights(out: string): Record<string, string> {
  const final = join(out, "final");
  const found: Record<string, string> = {};
  const walk = (dir: string, rel: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name), `${rel}${e.name}/`);
      else if (e.name === "model.safetensors") found[`${rel}${e.name}`] = sha256(join(dir, e.name));
    }
  };
  walk(final, "");
  return found;
}

const root = mkdtempSync(join(tmpdir(), "peerlearn-golden-"));
const recorded: Record<string, Golden> = {};
afterAll(() => {
  if (RECORD) writeFileSync(FIXTURES, `${JSON.stringify(recorded, null, 2)}\n`);
  rmSync(root, { recursive: true, force: true });
});

describe("golden runs on the js backend (needs `npm run build`)", () => {
  requireBuilt(CLI);
  const fixtures = existsSync(FIXTURES) ? (JSON.parse(readFileSync(FIXTURES, "utf8")) as Record<string, Golden>) : {};
  it.each(Object.keys(RUNS))("%s", async (name) => {
    const out = join(root, name.replace(/[^a-z0-9]+/gi, "-"));
    // Asynchronously, so that the test worker keeps answering the runner while a run trains.
    await promisify(execFile)(process.execPath, [CLI, "train", ...RUNS[name], "--seed", "3", "--out", out], {
      env: { ...process.env, PEERLEARN_BACKEND: "js" },
    });
    const got: Golden = { metrics: sha256(join(out, "metrics.jsonl")), weights: finalWeights(out) };
    expect(Object.keys(got.weights).length).toBeGreaterThan(0);
    if (RECORD) {
      recorded[name] = got;
      return;
    }
    expect(fixtures[name], `no fixture for "${name}": record with PEERLEARN_RECORD_GOLDEN=1`).toBeDefined();
    expect(got).toEqual(fixtures[name]);
  });
});
