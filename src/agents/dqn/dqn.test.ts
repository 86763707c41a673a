import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Random } from "../../core/random.js";
import { JsKernels } from "../../nn/kernels/js.js";
import { getKernels } from "../../nn/kernels/select.js";
import { DQN_DEFAULTS, Dqn, type DqnConfig } from "./dqn.js";
import { defaultRunConfig } from "../config.js";
import { train, type RunConfig } from "../train.js";
import { DivergenceError } from "../agent.js";

const small: DqnConfig = {
  ...DQN_DEFAULTS,
  netArch: [8],
  batchSize: 4,
  bufferSize: 100,
  learningStarts: 10,
  trainFreq: 2,
  gradientSteps: 1,
  targetUpdateInterval: 5,
};

describe("Dqn", () => {
  it("acts uniformly during warm-up, then epsilon-greedily, and greedily at epsilon 0", () => {
    const dqn = new Dqn(new JsKernels(), 3, 4, small, new Random(1));
    const obs = Float32Array.of(0.1, 0.2, 0.3);
    const greedy = dqn.greedyAction(obs);
    const warm = new Set(Array.from({ length: 200 }, () => dqn.act(obs, 0)));
    expect(warm.size).toBe(4);
    dqn.explorationRate = 0;
    expect(new Set(Array.from({ length: 50 }, () => dqn.act(obs, 100)))).toEqual(new Set([greedy]));
    dqn.explorationRate = 1;
    expect(new Set(Array.from({ length: 200 }, () => dqn.act(obs, 100))).size).toBe(4);
    const q = new Float32Array(4);
    dqn.qValues(obs, q);
    expect(q.indexOf(Math.max(...q))).toBe(greedy);
  });

  it("trains every trainFreq steps only after learningStarts, and updates the target every targetUpdateInterval", () => {
    const dqn = new Dqn(new JsKernels(), 2, 2, small, new Random(2));
    const o = Float32Array.of(0, 1);
    const target = (): number[] => [...dqn.networks.qTarget.params.data];
    const trained: number[] = [];
    for (let t = 1; t <= 14; t++) {
      dqn.observe(o, o, t % 2, 1, false, t, 100);
      if (dqn.maybeTrain(t)) trained.push(t);
    }
    expect(trained).toEqual([12, 14]); // even steps, strictly after 10
    const before = target();
    dqn.observe(o, o, 0, 1, false, 15, 100); // 15th call: a target update (tau 1: a copy of the online net)
    expect(target()).not.toEqual(before);
    expect(target()).toEqual([...dqn.networks.qNet.params.data]);
    expect(dqn.explorationRate).toBe(0.05); // 15% of training done, past the 10% decay
  });

  it("says the loss is finite exactly when lastLoss is, without computing it", () => {
    const dqn = new Dqn(new JsKernels(), 2, 2, { ...small, learningStarts: 0 }, new Random(4));
    const o = Float32Array.of(0.5, -1);
    for (let t = 1; t <= 8; t++) dqn.observe(o, o, t % 2, 1, false, t, 100);
    dqn.trainNow();
    expect(Number.isFinite(dqn.lastLoss)).toBe(true);
    expect(dqn.networks.lossFinite()).toBe(true);
    const params = dqn.networks.qNet.params.data;
    params[params.length - 1] = Number.NaN; // an output bias (a NaN before a ReLU would be cut to 0)
    dqn.trainNow();
    expect(Number.isNaN(dqn.lastLoss)).toBe(true);
    expect(dqn.networks.lossFinite()).toBe(false);
    expect(dqn.nonFinite()).toBe("the DQN loss");
  });

  it("skips a hard target update (tau 1) that would copy an unchanged online network, and no other", () => {
    for (const tau of [1, 0.5]) {
      const kernels = new JsKernels();
      let passes = 0;
      const polyak = kernels.polyak.bind(kernels);
      kernels.polyak = (target, source, n) => {
        passes += 1;
        polyak(target, source, n);
      };
      const dqn = new Dqn(kernels, 2, 2, { ...small, tau, targetUpdateInterval: 1 }, new Random(3));
      const o = Float32Array.of(0, 1);
      const passesOver = (from: number, to: number): number => {
        const before = passes;
        for (let t = from; t <= to; t++) dqn.observe(o, o, t % 2, 1, false, t, 100);
        return passes - before;
      };
      expect(passesOver(1, 12)).toBe(tau === 1 ? 1 : 12); // the first copy (its state unknown), then nothing new
      dqn.trainNow();
      expect(passesOver(13, 20)).toBe(tau === 1 ? 1 : 8);
      expect(
        [...dqn.networks.qTarget.params.data].every((w, i) => tau !== 1 || w === dqn.networks.qNet.params.data[i]),
      ).toBe(true);
    }
  });
});

function tinyRoomConfig(overrides: { seed?: number } = {}): RunConfig {
  const c = defaultRunConfig("Room-v6");
  return {
    ...c,
    steps: 3000,
    evalFreq: 1000,
    evalEpisodes: 3,
    checkpointFreq: 1000,
    dqn: { ...c.dqn, netArch: [32, 32], batchSize: 32, trainFreq: 4, gradientSteps: 1 },
    ...overrides,
  };
}

describe("training runs", () => {
  it("gives byte-identical metrics for the same seed", () => {
    const kernels = getKernels();
    const outs = [0, 1].map(() => mkdtempSync(join(tmpdir(), "peerlearn-run-")));
    for (const out of outs) train(tinyRoomConfig({ seed: 5 }), { out, kernels });
    const [a, b] = outs.map((o) => readFileSync(join(o, "metrics.jsonl"), "utf8"));
    expect(a.split("\n").length).toBe(4);
    expect(a).toBe(b);
    const weights = (o: string): Buffer => readFileSync(join(o, "final", "model.safetensors"));
    expect(weights(outs[0]).equals(weights(outs[1]))).toBe(true);
    const other = mkdtempSync(join(tmpdir(), "peerlearn-run-"));
    train(tinyRoomConfig({ seed: 6 }), { out: other, kernels });
    expect(weights(other).equals(weights(outs[0]))).toBe(false);
  });

  it("stops a diverging run with the step and the quantity, leaving the last checkpoint intact", () => {
    const c = defaultRunConfig("CartPole-v1");
    const o = mkdtempSync(join(tmpdir(), "peerlearn-diverge-"));
    const config = { ...c, steps: 5000, evalFreq: 1000, checkpointFreq: 1000, dqn: { ...c.dqn, learningRate: 1e30 } };
    let error: unknown;
    try {
      train(config, { out: o, kernels: getKernels() });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as DivergenceError).message).toMatch(
      /diverged at env step \d+: the (DQN loss|Q-network's weights) is NaN or infinite/,
    );
    const latest = JSON.parse(readFileSync(join(o, "checkpoints", "latest.json"), "utf8")) as {
      step: number;
      dir: string;
    };
    expect(latest.step).toBeLessThan((error as DivergenceError).step);
    const dqn = new Dqn(getKernels(), 4, 2, config.dqn, new Random(0));
    dqn.load(join(o, "checkpoints", latest.dir)); // loads: the weights there are finite
    expect(dqn.nonFinite()).toBeNull();
  });

  it("learns CartPole: a seeded short run gets well above a random policy's ~22", () => {
    const c = defaultRunConfig("CartPole-v1");
    const out = mkdtempSync(join(tmpdir(), "peerlearn-cartpole-"));
    const summary = train(
      { ...c, steps: 20_000, seed: 0, evalFreq: 5000, evalEpisodes: 5, checkpointFreq: 0 },
      { out, kernels: getKernels() },
    );
    const evals = readFileSync(join(out, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).evalMean as number);
    expect(evals).toHaveLength(4);
    expect(Math.max(...evals)).toBeGreaterThan(100);
    expect(summary.averageRewardOverTime).toBeCloseTo(evals.reduce((a, b) => a + b) / 4, 9);
  });
});
