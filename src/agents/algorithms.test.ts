import { describe, expect, it } from "vitest";
import { Random } from "../core/random.js";
import { make } from "../envs/registry.js";
import { getKernels } from "../nn/kernels/select.js";
import { validateGroupRunConfig } from "../peers/validate-config.js";
import { findPreset } from "../peers/presets.js";
import { resolvePeers } from "../peers/peer-settings.js";
import { ALGOS, REGISTERED, agentSpec, buildLearner } from "./algorithms.js";
import { defaultRunConfig, runSettings, validateRunConfig } from "./config.js";

/** A task of each action space. */
const TASK = { discrete: "CartPole-v1", continuous: "Pendulum-v1" } as const;

describe("the algorithm table: every entry reaches every config through its one registry line", () => {
  it("lists the registered entries, each under its own name", () => {
    expect(ALGOS).toEqual(REGISTERED.map((a) => a.algo));
    expect(new Set(ALGOS).size).toBe(ALGOS.length);
  });

  for (const entry of REGISTERED) {
    const env = TASK[entry.actions];

    it(`${entry.algo}: a run config with its section validates, and builds the agent a trainer thread would`, () => {
      const config = validateRunConfig(defaultRunConfig(env, "tuned", entry.algo));
      const settings = runSettings(config);
      expect(settings).toEqual({ algo: entry.algo, settings: entry.hyperparameters(env, "tuned") });
      const probe = make(env);
      const spec = agentSpec(settings, probe.observationSpace.dim, probe.actionSpace, entry.label, env);
      const learner = buildLearner(spec, getKernels("js"), new Random(1));
      expect(learner.algo).toBe(entry.algo);
      expect(learner.spec).toEqual(spec);
      // Another algorithm's section in its place is refused by name.
      const other = ALGOS.find((a) => a !== entry.algo) as string;
      expect(() => validateRunConfig({ ...config, [other]: {} })).toThrow(new RegExp(other));
    });

    it(`${entry.algo}: a group of its peers takes a group section and a peer's own section over it`, () => {
      const base = findPreset("room-v21/peer-learning").config;
      const section = { ...entry.hyperparameters(env, "tuned"), learningStarts: 7 };
      const config = validateGroupRunConfig({
        ...base,
        env,
        dqn: undefined,
        [entry.algo]: section,
        peers: [
          { kind: entry.algo },
          { kind: entry.algo, [entry.algo]: { gamma: 0.5 } },
          { kind: "novice", algo: entry.algo },
        ],
      });
      const resolved = resolvePeers(config).map((p) => p.learner);
      expect(resolved[0]).toEqual({ algo: entry.algo, settings: section });
      expect(resolved[1]).toEqual({ algo: entry.algo, settings: { ...section, gamma: 0.5 } });
      expect(resolved[2]?.algo).toBe(entry.algo);
      const other = ALGOS.find((a) => a !== entry.algo) as string;
      expect(() =>
        validateGroupRunConfig({ ...config, peers: [{ kind: entry.algo, [other]: { gamma: 0.5 } }] }),
      ).toThrow(new RegExp(`takes ${entry.algo} settings only, not ${other}`));
    });
  }
});
