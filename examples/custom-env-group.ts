/**
 * A group of three DQN peers learns an environment of your own, choosing whom to follow with a value term of your
 * own beside the paper's critic, trust and agent values.
 *
 *   npm run examples            (or, in a project that installed peerlearn: tsc, then node custom-env-group.js)
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  box,
  discrete,
  findPreset,
  getKernels,
  listedIn,
  registerEnv,
  registerValueTerm,
  trainGroup,
  validateGroupRunConfig,
  type Env,
} from "peerlearn";

/**
 * A corridor of `length` cells: start in cell 0, action 1 steps right and 0 left, -1 a step until the last cell.
 * The best return is -(length - 2): length - 2 steps of -1 and a last step of 0 onto the goal.
 */
function corridor(length: number): Env {
  const obs = new Float32Array(1);
  // One result object, refilled every step: no allocation per step (every field is set each time).
  const result = { obs, reward: 0, terminated: false, truncated: false };
  let pos = 0;
  return {
    id: "Corridor-v0",
    observationSpace: box(0, 1, 1),
    actionSpace: discrete(2),
    maxEpisodeSteps: Infinity, // the registry wraps it in a TimeLimit of maxEpisodeSteps
    reset: () => {
      pos = 0;
      obs[0] = 0;
      return obs;
    },
    step: (action) => {
      pos = Math.max(0, Math.min(length - 1, pos + (action === 1 ? 1 : -1)));
      obs[0] = pos / (length - 1);
      result.terminated = pos === length - 1;
      result.truncated = false;
      result.reward = result.terminated ? 0 : -1;
      return result;
    },
    // Checkpoints save and restore the env, so that a killed run resumes exactly.
    getState: () => ({ pos }),
    setState: (s) => {
      pos = s.pos as number;
      obs[0] = pos / (length - 1);
    },
    close: () => {},
  };
}

registerEnv({
  id: "Corridor-v0",
  description: "8 cells, -1 a step until the far end",
  maxEpisodeSteps: 30,
  options: { maxEpisodeSteps: { kind: "integer", default: 30, min: 1 } },
  create: () => corridor(8),
});

/**
 * "Agreement": a suggestion is worth 1 when it is the action the asking peer would take itself, else 0. It reads
 * only the suggestions of the moment, so it has no update and no state to checkpoint.
 */
registerValueTerm({
  name: "agreement",
  enabled: listedIn("agreement"),
  create: ({ width }) => ({
    name: "agreement",
    values(m, actions, n, out) {
      const own = m.index * width;
      for (let j = 0; j < n; j++) {
        let same = true;
        for (let q = 0; q < width; q++) if (actions[j * width + q] !== actions[own + q]) same = false;
        out[j] = same ? 1 : 0;
      }
    },
    update: () => {},
    logged: () => null,
    getState: () => null,
    setState: () => {},
  }),
});

// The paper's peer learning settings, on the corridor, with three peers and the new term switched on.
const paper = findPreset("room-v21/peer-learning").config;
const config = validateGroupRunConfig({
  ...paper,
  env: "Corridor-v0",
  envOptions: {},
  peers: [{ kind: "dqn" }, { kind: "dqn" }, { kind: "dqn" }],
  steps: 3000,
  seed: 1,
  evalFreq: 1000,
  evalEpisodes: 2,
  dqn: { ...paper.dqn!, netArch: [32, 32], batchSize: 32 },
  group: { ...paper.group, minEpochLength: 500, terms: ["agreement"] },
});

const out = mkdtempSync(join(tmpdir(), "peerlearn-example-"));
const summary = trainGroup(config, { out, kernels: getKernels() });
for (const peer of summary.peers) {
  console.log(
    `peer ${peer.index} (${peer.kind}): last evaluation ${peer.lastEval?.mean}, followed ${peer.followShare?.map((s) => s.toFixed(2)).join(" / ")}`,
  );
}
console.log(`best possible: -6; run folder: ${out}`);
