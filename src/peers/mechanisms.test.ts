/** Each mechanism of the paper against values worked out by hand from its equation. */
import { describe, expect, it } from "vitest";
import { Random } from "../core/random.js";
import { AgentValues } from "./agent-values.js";
import { FollowState, PeerPolicy, temperatureAt } from "./peer-policy.js";
import { SoloEpochs, planEpochs } from "./schedule.js";
import { SuggestionBuffer, WARMUP } from "./suggestion-buffer.js";
import type { ValueFunction } from "./targets.js";
import { TrustValues } from "./trust.js";
import { addNormalized, moveTowardsMeanTargets } from "./values.js";

/** V(s) = 10 * s[0]: states are 1-dimensional, so hand-computed targets stay readable. */
const linearValue: ValueFunction = {
  values(obs, k, out) {
    for (let r = 0; r < k; r++) out[r] = 10 * obs[r];
  },
};

/** A buffer of exactly these entries, (reward, followed, s', s), and a batch size that takes them all. */
function bufferOf(entries: [number, number, number, number][]): SuggestionBuffer {
  const b = new SuggestionBuffer(100, 1);
  for (const [r, j, next, obs] of entries) b.add(r, j, Float32Array.of(next), Float32Array.of(obs));
  return b;
}

describe("value combination (Eq. 9, footnote 7)", () => {
  it("divides each term by its own max |value| and sums the terms", () => {
    const out = new Float64Array(3);
    addNormalized([2, -4, 1], 3, out); // -> 0.5, -1, 0.25
    addNormalized([200, 100, 50], 3, out); // -> 1, 0.5, 0.25
    expect([...out]).toEqual([1.5, -0.5, 0.5]);
    addNormalized([0, 0, 0], 3, out); // an all-zero term adds nothing
    expect([...out]).toEqual([1.5, -0.5, 0.5]);
  });

  it("moves only the values that have samples", () => {
    const v = Float64Array.of(200, 200);
    moveTowardsMeanTargets(v, Float64Array.of(10, 0), Float64Array.of(2, 0), 0.5);
    expect([...v]).toEqual([102.5, 200]); // 200 + 0.5 (5 - 200)
  });
});

describe("trust values (Eq. 4 with targets of Eq. 5 / Eq. 8)", () => {
  // 11 entries (the buffer must hold more than the batch of 10): the batch is a random 10 of them, so the 11th is
  // a copy that does not change the per-peer means.
  const entries: [number, number, number, number][] = [
    ...Array.from({ length: 6 }, () => [1, 0, 0.5, 0.2] as [number, number, number, number]),
    ...Array.from({ length: 5 }, () => [0, 1, 0.1, 0.3] as [number, number, number, number]),
  ];

  it("without advantage: target r + gamma V(s')", () => {
    const trust = new TrustValues(2, 200, 10, 1);
    trust.update(linearValue, bufferOf(entries), { gamma: 0.9 }, false, { trustLr: 0.001 }, new Random(1));
    // peer 0: 1 + 0.9 * 5 = 5.5; peer 1: 0 + 0.9 * 1 = 0.9
    expect(trust.values[0]).toBeCloseTo(200 + 0.001 * (5.5 - 200), 6);
    expect(trust.values[1]).toBeCloseTo(200 + 0.001 * (0.9 - 200), 6);
  });

  it("with advantage: target r + gamma V(s') - V(s)", () => {
    const trust = new TrustValues(2, 200, 10, 1);
    trust.update(linearValue, bufferOf(entries), { gamma: 0.9 }, true, { trustLr: 0.5 }, new Random(1));
    // peer 0: 5.5 - 2 = 3.5; peer 1: 0.9 - 3 = -2.1
    expect(trust.values[0]).toBeCloseTo(200 + 0.5 * (3.5 - 200), 6); // states are float32: 0.2 is not exact
    expect(trust.values[1]).toBeCloseTo(200 + 0.5 * (-2.1 - 200), 6);
  });

  it("waits until the buffer holds more than a batch, and counts warm-up entries for every peer", () => {
    const trust = new TrustValues(2, 200, 10, 1);
    const ten = bufferOf(Array.from({ length: 10 }, () => [1, 0, 0, 0] as [number, number, number, number]));
    trust.update(linearValue, ten, { gamma: 0.9 }, false, { trustLr: 0.5 }, new Random(1));
    expect([...trust.values]).toEqual([200, 200]);
    const warm = bufferOf(Array.from({ length: 11 }, () => [1, WARMUP, 0, 0] as [number, number, number, number]));
    trust.update(linearValue, warm, { gamma: 0.9 }, false, { trustLr: 0.5 }, new Random(1));
    expect([...trust.values]).toEqual([100.5, 100.5]); // both move towards 1
  });
});

describe("agent values (Eq. 6-7)", () => {
  it("pools batch // n samples from every peer, each valued by its own peer", () => {
    const av = new AgentValues(2, 200, 10, 1); // 5 samples per peer
    const halfValue: ValueFunction = {
      values: (obs, k, out) => {
        for (let r = 0; r < k; r++) out[r] = 5 * obs[r];
      },
    };
    const a = bufferOf(Array.from({ length: 6 }, () => [1, 1, 0.4, 0] as [number, number, number, number])); // 1 + 0.9*4 = 4.6
    const b = bufferOf(Array.from({ length: 6 }, () => [2, 1, 0.4, 0] as [number, number, number, number])); // 2 + 0.9*2 = 3.8
    av.update(
      [
        { peer: linearValue, buffer: a },
        { peer: halfValue, buffer: b },
      ],
      { gamma: 0.9 },
      false,
      { trustLr: 0.1 },
      new Random(2),
    );
    expect(av.values[0]).toBe(200); // nobody followed peer 0
    expect(av.values[1]).toBeCloseTo(200 + 0.1 * ((4.6 + 3.8) / 2 - 200), 6);
  });

  it("skips the update until every buffer can give its share", () => {
    const av = new AgentValues(2, 200, 10, 1);
    const full = bufferOf(Array.from({ length: 6 }, () => [1, 1, 0, 0] as [number, number, number, number]));
    const short = bufferOf(Array.from({ length: 5 }, () => [1, 1, 0, 0] as [number, number, number, number]));
    av.update(
      [
        { peer: linearValue, buffer: full },
        { peer: linearValue, buffer: short },
      ],
      { gamma: 0.9 },
      false,
      { trustLr: 0.1 },
      new Random(2),
    );
    expect([...av.values]).toEqual([200, 200]);
  });
});

describe("peer policies", () => {
  it("decays the temperature as T0 exp(-lambda m)", () => {
    const o = { kind: "softmax" as const, temperature: 2, temperatureDecay: 0.1, epsilon: 0 };
    expect(temperatureAt(o, 0)).toBe(2);
    expect(temperatureAt(o, 10)).toBeCloseTo(2 * Math.exp(-1), 12);
  });

  it("samples the softmax of Eq. 2", () => {
    const p = new PeerPolicy({ kind: "softmax", temperature: 0.5, temperatureDecay: 0, epsilon: 0 }, 2);
    const rng = new Random(3);
    let first = 0;
    for (let i = 0; i < 40_000; i++) if (p.choose(Float64Array.of(1, 0.5), 0, 0, rng) === 0) first++;
    const want = Math.exp(2) / (Math.exp(2) + Math.exp(1));
    expect(Math.abs(first / 40_000 - want)).toBeLessThan(0.01);
  });

  it("epsilon-greedy takes the best value, and a random peer with probability epsilon", () => {
    const p = new PeerPolicy({ kind: "epsilonGreedy", temperature: 0, temperatureDecay: 0, epsilon: 0.2 }, 3);
    const rng = new Random(4);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[p.choose(Float64Array.of(0, 2, 1), 0, 0, rng)]++;
    expect(Math.abs(counts[1] / 30_000 - (0.8 + 0.2 / 3))).toBeLessThan(0.01);
    expect(Math.abs(counts[0] / 30_000 - 0.2 / 3)).toBeLessThan(0.01);
  });

  it("only-others never chooses the asking peer, and covers all the others", () => {
    const p = new PeerPolicy({ kind: "onlyOthers", temperature: 0, temperatureDecay: 0, epsilon: 0 }, 4);
    const rng = new Random(5);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(p.choose(new Float64Array(4), 2, 0, rng));
    expect([...seen].sort()).toEqual([0, 1, 3]);
  });

  it("follows the chosen peer for followSteps steps in all, then chooses again", () => {
    const f = new FollowState(3);
    expect(Array.from({ length: 7 }, () => f.nextStepChooses())).toEqual([
      true,
      false,
      false,
      true,
      false,
      false,
      true,
    ]);
  });
});

describe("schedule", () => {
  it("cuts round-robin epochs as the original: max(minEpochLength, episode limit), whole rollouts", () => {
    expect(planEpochs(1_000_000, 10_000, 100, 8)).toEqual({
      epochLength: 10_000,
      epochs: 100,
      lastEpochLength: 10_000,
    });
    // Early Advising on Room: an epoch is one 100-step episode, run as 13 rollouts of 8 steps.
    // (the budget is honoured: 9,615 epochs of 104 steps and a last one of 40, where the original ran 1.04M steps)
    expect(planEpochs(1_000_000, 0, 100, 8)).toEqual({ epochLength: 104, epochs: 9616, lastEpochLength: 40 });
    expect(planEpochs(3000, 10_000, 100, 8)).toEqual({ epochLength: 3000, epochs: 1, lastEpochLength: 3000 }); // shorter than one epoch
    expect(planEpochs(300, 10_000, 100, 8)).toEqual({ epochLength: 304, epochs: 1, lastEpochLength: 300 });
    expect(planEpochs(1, 10_000, 100, 8)).toEqual({ epochLength: 8, epochs: 1, lastEpochLength: 1 });
    expect(planEpochs(600, 300, 100, 8)).toEqual({ epochLength: 304, epochs: 2, lastEpochLength: 296 });
  });

  it("spends the Early Advising budget, then trains solo", () => {
    const s = new SoloEpochs(0, 3);
    expect([0, 1, 2, 3, 4].map((i) => s.isSolo(i))).toEqual([false, false, false, true, true]);
    expect(s.getState()).toBe(3); // peer epochs spent
  });

  it("alternates solo and peer epochs with a switch ratio", () => {
    const s = new SoloEpochs(1, 1e9);
    expect([0, 1, 2, 3].map((i) => s.isSolo(i))).toEqual([false, true, false, true]);
  });
});
