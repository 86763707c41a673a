import { describe, expect, it } from "vitest";
import { ratioToTorchAtPeak, shareCeiling, trainerThreadsLimitOverRoundRobin } from "./ceilings.js";
import { trainerThreadsLimit } from "./peer-breakdown.js";

describe("the targets' ceilings", () => {
  it("updateShareCeiling: the update's GEMM FLOPs at the GEMM rate over the time of its product calls", () => {
    // 0.2 GFLOP at 200 GFLOP/s is 1 ms; product calls taking 1.25 ms cap the share at 0.8.
    expect(shareCeiling(0.2, 200, 1.25)).toBeCloseTo(0.8, 12);
  });

  it("ratioToTorchAtPeak: the products at the FMA peak over PyTorch's time, or null without either", () => {
    const torch = { dqnUpdateMs: 1.5, sacUpdateMs: 10 };
    const r = ratioToTorchAtPeak({ dqn: 0.138, sac: 0.6 }, 200, torch);
    expect(r?.dqn).toBeCloseTo(0.69 / 1.5, 12);
    expect(r?.sac).toBeCloseTo(3 / 10, 12);
    expect(ratioToTorchAtPeak({ dqn: 0.138, sac: 0.6 }, null, torch)).toBeNull();
    expect(ratioToTorchAtPeak({ dqn: 0.138, sac: 0.6 }, 200, null)).toBeNull();
  });

  it("the trainer threads' limit over round-robin: over lockstep, times lockstep's rate over round-robin's", () => {
    const b = { updates: 0.8, adviceForwards: 0.01, trustAndAgentValues: 0.06, env: 0.001, rest: 0.02, total: 0.891 };
    const overLockstep = trainerThreadsLimit(b, 2); // 2 t / (2 (t - u) + u)
    expect(overLockstep).toBeCloseTo((2 * 0.891) / (2 * 0.091 + 0.8), 12);
    expect(trainerThreadsLimitOverRoundRobin(b, 1100, 1200)).toBeCloseTo((overLockstep * 1100) / 1200, 12);
  });
});
