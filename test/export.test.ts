import * as ort from "onnxruntime-web";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultRunConfig, runSettings, type RunConfig } from "../src/agents/config.js";
import { ALGORITHMS, agentSpec, buildLearner } from "../src/agents/algorithms.js";
import { toEnvAction } from "../src/agents/agent.js";
import { Random } from "../src/core/random.js";
import { train } from "../src/agents/train.js";
import { exportRunPolicy } from "../src/cli/export.js";
import { make } from "../src/envs/registry.js";
import { getKernels } from "../src/nn/kernels/select.js";
import { findPreset } from "../src/peers/presets.js";
import { trainGroup } from "../src/peers/train-group.js";
import { validateGroupRunConfig } from "../src/peers/validate-config.js";
import { OnnxPeer } from "../src/peers/onnx-peer.js";

ort.env.wasm.numThreads = 1;

describe("peerlearn export: a finished run's policy as ONNX", () => {
  const dir = mkdtempSync(join(tmpdir(), "peerlearn-export-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const kernels = getKernels("js");

  it("a single agent's run: the graph onnxruntime runs is the policy read back", async () => {
    const config = {
      ...defaultRunConfig("CartPole-v1"),
      steps: 600,
      evalFreq: 300,
      evalEpisodes: 1,
      checkpointFreq: 0,
    };
    const out = join(dir, "dqn");
    train({ ...config, dqn: { ...config.dqn, learningStarts: 100, netArch: [16] } }, { out, kernels });
    const file = exportRunPolicy(out);
    expect(file).toBe(join(out, "final", "policy.onnx"));
    const session = await ort.InferenceSession.create(file);
    expect(session.inputNames).toEqual(["obs"]);
    expect(session.outputNames).toEqual(["q_values", "action"]);
    const peer = new OnnxPeer(file, 4, make("CartPole-v1").actionSpace, kernels);
    const obs = Float32Array.of(0.1, -0.2, 0.03, 0.4, -0.1, 0.2, -0.03, -0.4);
    const r = await session.run({ obs: new ort.Tensor("float32", obs, [2, 4]) });
    const row = new Float32Array(1);
    for (let i = 0; i < 2; i++) {
      peer.suggest(obs.subarray(i * 4, i * 4 + 4), false, row, 0);
      expect(Number((r.action.data as BigInt64Array)[i])).toBe(row[0]);
    }
  });

  for (const [algo, useSde] of [
    ["sac", false],
    ["sac", true],
    ["td3", false],
  ] as const) {
    it(`a finished ${algo.toUpperCase()}${useSde ? " (gSDE)" : ""} run on Pendulum-v1: onnxruntime gives its learner's scaled actions`, async () => {
      const base = defaultRunConfig("Pendulum-v1", "tuned", algo);
      const settings = {
        ...ALGORITHMS[algo].hyperparameters("Pendulum-v1", "tuned"),
        learningStarts: 100,
        netArch: [32, 32],
      };
      const config = {
        ...base,
        steps: 400,
        evalFreq: 400,
        evalEpisodes: 1,
        checkpointFreq: 0,
        [algo]: algo === "sac" ? { ...settings, useSde } : settings,
      } as RunConfig;
      const out = join(dir, `${algo}-${useSde}`);
      train(config, { out, kernels });
      const file = exportRunPolicy(out);
      const env = make("Pendulum-v1");
      const learner = buildLearner(
        agentSpec(runSettings(config), 3, env.actionSpace, algo, "Pendulum-v1"),
        kernels,
        new Random(0),
      );
      learner.loadPolicy(join(out, "final", "model.safetensors"));
      const session = await ort.InferenceSession.create(file);
      const r = new Random(2);
      const obs = Float32Array.from({ length: 3 * 200 }, () => r.uniformIn(-2, 2));
      const action = (await session.run({ obs: new ort.Tensor("float32", obs, [200, 3]) })).action.data as Float32Array;
      const row = new Float32Array(1);
      const scaled = new Float32Array(1);
      let worst = 0;
      for (let i = 0; i < 200; i++) {
        learner.suggest(obs.subarray(i * 3, i * 3 + 3), true, row, 0);
        toEnvAction(env.actionSpace, row, scaled);
        worst = Math.max(worst, Math.abs(scaled[0] - action[i]));
      }
      expect(worst).toBeLessThanOrEqual(1e-5);
    });
  }

  it("a group's peer, chosen with --peer; a scripted peer is refused by name", () => {
    const base = findPreset("room-v21/peer-learning").config;
    const config = validateGroupRunConfig({
      ...base,
      steps: 300,
      evalFreq: 300,
      evalEpisodes: 1,
      checkpointFreq: 0,
      peers: [{ kind: "dqn" }, { kind: "expert" }],
      dqn: { ...base.dqn, netArch: [16] },
    });
    const out = join(dir, "group");
    trainGroup(config, { out, kernels });
    expect(exportRunPolicy(out)).toBe(join(out, "final", "peer-0.onnx"));
    expect(() => exportRunPolicy(out, { peer: 1 })).toThrow(
      /peer 1 .* is a scripted expert: it has no policy to export/,
    );
  });
});
