import { describe, expect, it } from "vitest";
import { Random } from "./random.js";

describe("Random", () => {
  it("gives the same stream for the same seed and different streams for different seeds", () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const sa = Array.from({ length: 5 }, () => a.uint32());
    expect(Array.from({ length: 5 }, () => b.uint32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.uint32())).not.toEqual(sa);
  });

  it("pins the first outputs of seed 0 (a change here breaks reproducibility of saved runs)", () => {
    const r = new Random(0);
    const first = [r.uint32(), r.uint32(), r.uint32()];
    expect(first).toMatchInlineSnapshot(`
      [
        3809008728,
        1133695204,
        53579671,
      ]
    `);
  });

  it("restores its exact state, including the spare normal deviate", () => {
    const r = new Random(7);
    r.normal(); // leaves a spare
    const state = r.getState();
    const next = [r.normal(), r.uniform(), r.integer(0, 10)];
    r.uint32();
    r.setState(state);
    expect([r.normal(), r.uniform(), r.integer(0, 10)]).toEqual(next);
  });

  it("fills normals with exactly the draws of as many normal() calls, the spare deviate carried both ways", () => {
    for (const [before, count] of [
      [0, 6],
      [0, 7],
      [1, 6],
      [1, 5],
      [3, 1],
      [2, 0],
    ]) {
      const [a, b] = [new Random(9), new Random(9)];
      for (let i = 0; i < before; i++) expect(b.normal()).toBe(a.normal());
      const filled = new Float64Array(count + 1).fill(42);
      b.fillNormals(filled, count);
      expect([...filled]).toEqual([...Array.from({ length: count }, () => a.normal()), 42]);
      expect(b.getState()).toEqual(a.getState());
      expect(b.normal()).toBe(a.normal());
    }
  });

  it("fills integers with exactly the draws of as many integer(0, n) calls", () => {
    for (const n of [1, 7, 1000, 2 ** 31]) {
      const [a, b] = [new Random(11), new Random(11)];
      const filled = new Int32Array(9).fill(-1);
      b.fillIntegers(filled, n, 8);
      expect([...filled]).toEqual([...Array.from({ length: 8 }, () => a.integer(0, n)), -1]);
      expect(b.getState()).toEqual(a.getState());
    }
    expect(() => new Random(1).fillIntegers(new Int32Array(2), 0)).toThrow(/fillIntegers/);
  });

  it("draws integers in [low, high) with the upper bound excluded, each value about equally often", () => {
    const r = new Random(1);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 50_000; i++) counts[r.integer(0, 5)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    expect(() => r.integer(3, 3)).toThrow(RangeError);
  });

  it("has uniform in [0, 1) and standard normal moments", () => {
    const r = new Random(2);
    let s = 0;
    let s2 = 0;
    let umin = 1;
    let umax = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
      const u = r.uniform();
      umin = Math.min(umin, u);
      umax = Math.max(umax, u);
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
    expect(umin).toBeGreaterThanOrEqual(0);
    expect(umax).toBeLessThan(1);
  });

  it("samples categories in proportion to their weights and never a zero-weight one", () => {
    const r = new Random(3);
    const counts = [0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[r.categorical([1, 0, 3])]++;
    expect(counts[1]).toBe(0);
    expect(Math.abs(counts[0] / 40_000 - 0.25)).toBeLessThan(0.01);
    expect(() => r.categorical([0, 0])).toThrow(/not all zero/);
  });

  it("samples distinct indices without replacement", () => {
    const r = new Random(4);
    const out = new Int32Array(10);
    const scratch = new Int32Array(10);
    r.sampleWithoutReplacement(10, 10, out, scratch);
    expect([...out].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(() => r.sampleWithoutReplacement(3, 4, out)).toThrow(RangeError);
  });

  it("forks independent generators deterministically", () => {
    const a = new Random(5).fork();
    const b = new Random(5).fork();
    expect(a.uint32()).toBe(b.uint32());
  });
});
