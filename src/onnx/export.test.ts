import * as ort from "onnxruntime-web";
import { describe, expect, it } from "vitest";
import { Random } from "../core/random.js";
import { make } from "../envs/registry.js";
import { toEnvAction } from "../agents/agent.js";
import { ALGORITHMS, agentSpec, buildLearner, type AlgoSettings } from "../agents/algorithms.js";
import type { Learner } from "../agents/learner.js";
import type { DenseLayer } from "../agents/policy-description.js";
import { getKernels } from "../nn/kernels/select.js";
import { exportOnnx } from "./export.js";

ort.env.wasm.numThreads = 1;

const ROWS = 1000;

function learnerOn(
  env: string,
  settings: AlgoSettings,
): {
  learner: Learner;
  obsDim: number;
  space: ReturnType<typeof make>["actionSpace"];
  observation: ReturnType<typeof make>["observationSpace"];
} {
  const probe = make(env);
  const spec = agentSpec(settings, probe.observationSpace.dim, probe.actionSpace, settings.algo, env);
  const learner = buildLearner(spec, getKernels("js"), new Random(7));
  return { learner, obsDim: probe.observationSpace.dim, space: probe.actionSpace, observation: probe.observationSpace };
}

/** ROWS observations, uniform in [-2, 2]. */
function observations(obsDim: number): Float32Array {
  const r = new Random(11);
  return Float32Array.from({ length: ROWS * obsDim }, () => r.uniformIn(-2, 2));
}

async function runOnnx(
  model: Uint8Array,
  obs: Float32Array,
  obsDim: number,
): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(model);
  return session.run({ obs: new ort.Tensor("float32", obs, [ROWS, obsDim]) });
}

/** Dense layers in float64 (a reference for the outputs peerlearn computes only inside its actor). */
function reference(layers: readonly DenseLayer[], x: Float64Array): Float64Array {
  let v = x;
  for (const l of layers) {
    const y = new Float64Array(l.outSize);
    for (let o = 0; o < l.outSize; o++) {
      let s = l.bias[o];
      for (let i = 0; i < l.inSize; i++) s += l.weight[o * l.inSize + i] * v[i];
      y[o] = l.activation === "relu" ? Math.max(0, s) : l.activation === "tanh" ? Math.tanh(s) : s;
    }
    v = y;
  }
  return v;
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe("ONNX export, run in onnxruntime (WebAssembly) against peerlearn's own forward on 1,000 observations", () => {
  it("DQN: the Q-values within 1e-5, the greedy actions identical", async () => {
    const settings = { ...ALGORITHMS.dqn.hyperparameters("CartPole-v1", "tuned"), netArch: [64, 64] };
    const { learner, obsDim, space, observation } = learnerOn("CartPole-v1", { algo: "dqn", settings } as AlgoSettings);
    if (space.kind !== "discrete") throw new Error("CartPole has discrete actions");
    const obs = observations(obsDim);
    const out = await runOnnx(exportOnnx(learner, { observation, action: space }, "test"), obs, obsDim);
    const q = out.q_values.data as Float32Array;
    const actions = out.action.data as BigInt64Array;
    const all = Float32Array.from({ length: space.n }, (_, a) => a);
    const mine = new Float64Array(space.n);
    const row = new Float32Array(1);
    let worst = 0;
    for (let i = 0; i < ROWS; i++) {
      const s = obs.subarray(i * obsDim, (i + 1) * obsDim);
      learner.critic(s, all, space.n, mine);
      worst = Math.max(worst, maxAbs(mine, q.subarray(i * space.n, (i + 1) * space.n)));
      learner.suggest(s, true, row, 0);
      expect(Number(actions[i])).toBe(row[0]);
    }
    expect(worst).toBeLessThanOrEqual(1e-5);
  });

  for (const [algo, useSde] of [
    ["sac", false],
    ["sac", true],
    ["td3", false],
  ] as const) {
    it(`${algo.toUpperCase()}${useSde ? " with gSDE" : ""}: the scaled deterministic action within 1e-5${algo === "sac" ? ", mean and log std too" : ""}`, async () => {
      const base = ALGORITHMS[algo].hyperparameters("Pendulum-v1", "tuned");
      const settings = { ...base, netArch: [64, 64], ...(algo === "sac" ? { useSde } : {}) };
      const { learner, obsDim, space, observation } = learnerOn("Pendulum-v1", { algo, settings } as AlgoSettings);
      if (space.kind !== "box") throw new Error("Pendulum has continuous actions");
      const obs = observations(obsDim);
      const out = await runOnnx(exportOnnx(learner, { observation, action: space }, "test"), obs, obsDim);
      const action = out.action.data as Float32Array;
      const A = space.dim;
      const row = new Float32Array(A);
      const scaledRow = new Float32Array(A);
      let worst = 0;
      for (let i = 0; i < ROWS; i++) {
        learner.suggest(obs.subarray(i * obsDim, (i + 1) * obsDim), true, row, 0);
        toEnvAction(space, row, scaledRow);
        worst = Math.max(worst, maxAbs(scaledRow, action.subarray(i * A, (i + 1) * A)));
      }
      expect(worst).toBeLessThanOrEqual(1e-5);
      const p = learner.describePolicy();
      if (p.kind !== "squashed-gaussian") return;
      const mean = out.mean.data as Float32Array;
      const logStd = out.log_std.data as Float32Array;
      let worstStats = 0;
      for (let i = 0; i < ROWS; i++) {
        const latent = reference(p.trunk, Float64Array.from(obs.subarray(i * obsDim, (i + 1) * obsDim)));
        const mu = reference([p.mean], latent).map((m) =>
          p.clipMean > 0 ? Math.min(Math.max(m, -p.clipMean), p.clipMean) : m,
        );
        const ls = p.logStd
          ? reference([p.logStd], latent).map((l) => Math.min(Math.max(l, -20), 2))
          : Float64Array.from({ length: A }, (_, j) => {
              let v = 1e-6;
              for (let k = 0; k < latent.length; k++)
                v += latent[k] ** 2 * Math.exp(2 * (p.gsdeLogStd as Float32Array)[k * A + j]);
              return 0.5 * Math.log(v);
            });
        worstStats = Math.max(
          worstStats,
          maxAbs(mu, mean.subarray(i * A, (i + 1) * A)),
          maxAbs(ls, logStd.subarray(i * A, (i + 1) * A)),
        );
      }
      expect(worstStats).toBeLessThanOrEqual(1e-5);
    });
  }
});
