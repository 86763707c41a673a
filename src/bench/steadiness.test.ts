import { describe, expect, it } from "vitest";
import { timePerCall } from "./nn-bench.js";
import { steadinessWarning, unsteadyFigures } from "./steadiness.js";
import { medianBreakdown } from "./peer-breakdown.js";

describe("figures that hold still", () => {
  it("a figure is the median of its repetitions, with their range around it", () => {
    let calls = 0;
    const t = timePerCall(() => void (calls += 1), 0.01);
    expect(t.low).toBeLessThanOrEqual(t.value);
    expect(t.value).toBeLessThanOrEqual(t.high);
    expect(calls).toBeGreaterThan(5);
  });

  it("flags a figure whose repetitions spread wider than 10% of it, and keeps the steady ones quiet", () => {
    const values = { steady: 100, wobbly: 100 };
    const spreads = { steady: { low: 97, high: 104 }, wobbly: { low: 80, high: 103 } };
    expect(unsteadyFigures(values, spreads)).toEqual(["wobbly (80.0-103 around 100)"]);
    expect(steadinessWarning([], 200, 204)).toBeNull();
  });

  it("flags an FMA peak that moved by more than 5% between the start and the end", () => {
    expect(steadinessWarning([], 200, 180)).toMatch(/the FMA peak moved from 200.0 to 180.0 GFLOP\/s/);
    expect(steadinessWarning(["x (1-2 around 1.5)"], null, null)).toMatch(/1 figure\(s\) varied by more than 10%/);
  });
});

describe("the step breakdown over repeated runs", () => {
  const run = (updates: number, rest: number) => ({
    updates,
    adviceForwards: 0.01,
    trustAndAgentValues: 0.05,
    env: 0.001,
    rest,
    total: updates + 0.061 + rest,
  });

  it("is the run with the median total, whose parts add up, with each part's range", () => {
    const runs = [run(0.9, 0.02), run(0.7, 0.05), run(0.8, 0.01)];
    const { breakdown, spread } = medianBreakdown(runs);
    expect(breakdown).toBe(runs[2]);
    expect(spread.updates).toEqual({ low: 0.7, high: 0.9 });
    expect(spread.rest).toEqual({ low: 0.01, high: 0.05 });
    expect(spread.total.low).toBeCloseTo(0.811, 12);
    expect(spread.total.high).toBeCloseTo(0.981, 12);
  });
});
