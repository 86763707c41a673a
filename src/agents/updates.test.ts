import { describe, expect, it } from "vitest";
import { Random } from "../core/random.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import { DqnNetworks } from "./dqn/update.js";
import { SacNetworks } from "./sac/update.js";
import { BACKENDS } from "../../test/backends.js";
import { randomSacBatch } from "../bench/nn-bench.js";

/** Largest difference between two vectors relative to the largest magnitude of the first. */
function relativeDiff(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return diff / scale;
}

function dqnStep(k: Kernels): { loss: number; grads: Float32Array; delta: Float32Array } {
  const rng = new Random(31);
  const n = 64;
  const net = new DqnNetworks(
    k,
    { obsDim: 4, nActions: 3, hidden: [32, 32], batchSize: n, learningRate: 1e-3, gamma: 0.99, maxGradNorm: 0.5 },
    rng,
  );
  const obs = k.heap.alloc(n * 4);
  const nextObs = k.heap.alloc(n * 4);
  for (let i = 0; i < n * 4; i++) {
    obs.data[i] = rng.normal();
    nextObs.data[i] = rng.normal();
  }
  const actions = new Int32Array(n);
  rng.fillIntegers(actions, 3);
  const rewards = Float32Array.from({ length: n }, () => rng.normal() * 3);
  const dones = Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 1 : 0));
  const before = net.qNet.params.data.slice();
  net.trainStep({ obs, nextObs, actions, rewards, dones });
  const loss = net.lastLoss;
  const delta = net.qNet.params.data.map((p, i) => p - before[i]);
  return { loss, grads: net.qNet.grads.data.slice(), delta };
}

function sacStep(k: Kernels): {
  critic: number;
  actor: number;
  alpha: number;
  actorGrads: Float32Array;
  criticGrads: Float32Array;
} {
  const rng = new Random(32);
  const n = 32;
  const [obsDim, actDim] = [5, 2];
  const net = new SacNetworks(
    k,
    { obsDim, actDim, hidden: [24, 16], batchSize: n, learningRate: 3e-4, gamma: 0.99, tau: 0.005 },
    rng,
  );
  net.trainStep(randomSacBatch(k, rng, n, obsDim, actDim));
  const s = net.lastStats;
  return {
    critic: s.criticLoss,
    actor: s.actorLoss,
    alpha: s.alpha,
    actorGrads: net.actorTrunk.grads.data.slice(),
    criticGrads: net.critics[0].grads.data.slice(),
  };
}

describe("backends agree on whole updates", () => {
  const reference = { dqn: dqnStep(BACKENDS[0].make()), sac: sacStep(BACKENDS[0].make()) };

  it.each(BACKENDS.slice(1))("DQN update on $label equals the js backend's to ~1e-5", ({ make }) => {
    const got = dqnStep(make());
    expect(Math.abs(got.loss - reference.dqn.loss) / reference.dqn.loss).toBeLessThan(1e-5);
    expect(relativeDiff(reference.dqn.grads, got.grads)).toBeLessThan(1e-5);
    expect(relativeDiff(reference.dqn.delta, got.delta)).toBeLessThan(1e-4); // Adam divides by sqrt(v): less exact
  });

  it.each(BACKENDS.slice(1))("SAC update on $label equals the js backend's to ~1e-5", ({ make }) => {
    const got = sacStep(make());
    expect(Math.abs(got.critic - reference.sac.critic) / Math.abs(reference.sac.critic)).toBeLessThan(1e-5);
    expect(Math.abs(got.actor - reference.sac.actor) / Math.abs(reference.sac.actor)).toBeLessThan(1e-5);
    expect(got.alpha).toBe(reference.sac.alpha);
    expect(relativeDiff(reference.sac.actorGrads, got.actorGrads)).toBeLessThan(1e-5);
    expect(relativeDiff(reference.sac.criticGrads, got.criticGrads)).toBeLessThan(1e-5);
  });
});
