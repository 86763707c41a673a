/**
 * The package as a library: `import ... from "peerlearn"` (the built entry point) gives the public API, and an env
 * of the user's own, registered with registerEnv, is learned by a group of DQN peers through trainGroup.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requireBuilt } from "./built.js";

type Lib = typeof import("peerlearn");

/** A corridor of `length` cells: start at 0, action 1 steps right, 0 left; -1 a step until the last cell is reached. */
function corridor(lib: Lib, length: number): import("peerlearn").Env {
  const obs = new Float32Array(1);
  const result = { obs, reward: 0, terminated: false, truncated: false };
  let pos = 0;
  return {
    id: "Corridor-v0",
    observationSpace: lib.box(0, 1, 1),
    actionSpace: lib.discrete(2),
    maxEpisodeSteps: Infinity,
    reset: () => {
      pos = 0;
      obs[0] = 0;
      return obs;
    },
    step: (action) => {
      pos = Math.max(0, Math.min(length - 1, pos + (action === 1 ? 1 : -1)));
      obs[0] = pos / (length - 1);
      result.terminated = pos === length - 1;
      result.truncated = false; // every field, every step: the TimeLimit sets truncated on this object
      result.reward = result.terminated ? 0 : -1;
      return result;
    },
    getState: () => ({ pos }),
    setState: (s) => {
      pos = s.pos as number;
      obs[0] = pos / (length - 1);
    },
    close: () => {},
  };
}

const out = mkdtempSync(join(tmpdir(), "peerlearn-library-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("peerlearn as a library (needs `npm run build`)", () => {
  requireBuilt("dist/index.js");

  it("exports the public API from the package's entry point", async () => {
    const lib: Lib = await import("peerlearn");
    for (const name of [
      "make",
      "registerEnv",
      "train",
      "trainGroup",
      "findPreset",
      "validateGroupRunConfig",
      "Dqn",
      "Sac",
      "Td3",
      "getKernels",
      "runExperiment",
      "EXPERIMENTS",
    ]) {
      expect(lib, name).toHaveProperty(name);
    }
    expect(lib.findPreset("room-v21/peer-learning").config.peers).toHaveLength(2);
  });

  it("a group of DQN peers learns an env registered by the user", async () => {
    const lib: Lib = await import("peerlearn");
    lib.registerEnv({
      id: "Corridor-v0",
      description: "6 cells, -1 a step until the far end",
      maxEpisodeSteps: 20,
      options: { maxEpisodeSteps: { kind: "integer", default: 20, min: 1 } },
      create: () => corridor(lib, 6),
    });
    expect(() => lib.make("Corridor-v0", { length: 3 })).toThrow(/Corridor-v0 has no option "length"/);
    const base = lib.findPreset("room-v21/peer-learning").config;
    const config = lib.validateGroupRunConfig({
      ...base,
      env: "Corridor-v0",
      envOptions: {},
      steps: 2000,
      seed: 1,
      evalFreq: 1000,
      evalEpisodes: 2,
      dqn: { ...base.dqn, netArch: [16, 16], batchSize: 32 },
      group: { ...base.group, minEpochLength: 500 },
    });
    const summary = lib.trainGroup(config, { out, kernels: lib.getKernels("js") });
    // Walking straight right returns -4 (four steps of -1, then the goal); a walk that never gets there, -20.
    for (const peer of summary.peers) expect(peer.lastEval?.mean).toBe(-4);
  });
});
