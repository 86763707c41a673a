import { describe, expect, it } from "vitest";
import { Random } from "../core/random.js";
import { ReplayBuffer } from "./replay-buffer.js";
import { linearSchedule } from "./schedules.js";

describe("ReplayBuffer", () => {
  it("stores transitions circularly, overwriting the oldest, and keeps terminated apart from truncation", () => {
    const b = new ReplayBuffer(3, 2, 1);
    for (let i = 0; i < 4; i++) b.add(Float32Array.of(i, i), Float32Array.of(i + 1, i + 1), i % 2, i * 10, i === 2);
    expect(b.size).toBe(3);
    expect(b.full).toBe(true);
    expect(b.pos).toBe(1);
    expect([...b.obs]).toEqual([3, 3, 1, 1, 2, 2]); // row 0 overwritten by the 4th transition
    expect([...b.actions]).toEqual([1, 1, 0]);
    expect([...b.rewards]).toEqual([30, 10, 20]);
    expect([...b.terminated]).toEqual([0, 0, 1]);
    expect(b.bytes).toBe(3 * 2 * 4 * 2 + 3 * 4 + 3 * 4 + 3);
  });

  it("samples uniformly with replacement from the stored rows only, and gathers them", () => {
    const b = new ReplayBuffer(100, 1, 1);
    for (let i = 0; i < 10; i++) b.add(Float32Array.of(i), Float32Array.of(-i), 0, 0, false);
    const idx = new Int32Array(5000);
    b.sampleIndices(new Random(1), 5000, idx);
    const counts = new Array(10).fill(0);
    for (const i of idx) counts[i]++;
    expect(Math.max(...idx)).toBe(9);
    for (const c of counts) expect(Math.abs(c - 500)).toBeLessThan(100);
    const out = new Float32Array(6);
    b.gatherObs(b.nextObs, Int32Array.of(3, 7), 2, out, 1, 3);
    expect([...out]).toEqual([0, -3, 0, 0, -7, 0]);
    expect(() => new ReplayBuffer(10, 1, 1).sampleIndices(new Random(1), 1, idx)).toThrow(/empty/);
  });
});

describe("linearSchedule (SB3 get_linear_fn)", () => {
  it("falls linearly over the first fraction of training, then stays", () => {
    const eps = linearSchedule(1, 0.05, 0.1);
    expect(eps(1)).toBe(1);
    expect(eps(0.95)).toBeCloseTo(0.525, 12);
    expect(eps(0.9)).toBeCloseTo(0.05, 12);
    expect(eps(0.5)).toBe(0.05);
  });
});
