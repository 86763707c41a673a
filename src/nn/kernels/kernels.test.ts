import { describe, expect, it } from "vitest";
import { Random } from "../../core/random.js";
import { Activation, type ActivationCode } from "./kernels.js";
import { linearBackwardInputUnfused, linearForwardUnfused } from "./layer-kernels.js";
import { BACKENDS } from "../../../test/backends.js";

/** op(A) op(B) in double precision, straight from the definition. */
function referenceGemm(
  ta: boolean,
  tb: boolean,
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
      c[i * n + j] = s;
    }
  return c;
}

// Shapes that hit every edge: partial micro-tiles in both directions, K longer than one packed panel, thin output
// layers (n <= 8 takes a dot-product path), strided A.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [13, 37, 19],
  [12, 32, 256],
  [7, 5, 300],
  [64, 4, 33],
  [256, 3, 17],
  [5, 70, 600],
  [3, 70, 41], // few rows (one agent picking an action): the dot-product path
  [16, 33, 20],
];

/** The first index where two arrays differ in their bits (-1: none). */
const firstDifference = (a: Float32Array, b: Float32Array): number => a.findIndex((v, i) => !Object.is(v, b[i]));

describe.each(BACKENDS)("kernels: $label", ({ make }) => {
  it("gemm matches the definition for every transpose, shape, beta and leading dimension", () => {
    const k = make();
    const rng = new Random(11);
    for (const [m, n, kk] of SHAPES) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const pad = 3; // leading dimensions larger than the rows
          const lda = (ta ? m : kk) + pad;
          const ldb = (tb ? kk : n) + pad;
          const ldc = n + pad;
          const a = k.heap.alloc((ta ? kk : m) * lda);
          const b = k.heap.alloc((tb ? n : kk) * ldb);
          const c = k.heap.alloc(m * ldc);
          for (let i = 0; i < a.length; i++) a.data[i] = rng.normal();
          for (let i = 0; i < b.length; i++) b.data[i] = rng.normal();
          const ref = referenceGemm(ta, tb, m, n, kk, a.data, lda, b.data, ldb);
          for (const beta of [0, 1]) {
            for (let i = 0; i < c.length; i++) c.data[i] = beta === 0 ? Number.NaN : 0.5; // beta 0 must ignore C
            const padding = c.data[n]; // an element between rows, which must stay untouched
            k.gemm(ta, tb, m, n, kk, a.offset, lda, b.offset, ldb, c.offset, ldc, beta);
            for (let i = 0; i < m; i++)
              for (let j = 0; j < n; j++) {
                const want = ref[i * n + j] + (beta === 1 ? 0.5 : 0);
                expect(Math.abs(c.data[i * ldc + j] - want)).toBeLessThan(1e-4 * Math.sqrt(kk) + 1e-5);
              }
            if (n + pad > n && m > 1) expect(Object.is(c.data[n], padding)).toBe(true);
          }
        }
      }
    }
  });

  it("applies bias and activations, and their derivatives from the outputs", () => {
    const k = make();
    const y = k.heap.alloc(6);
    const bias = k.heap.alloc(3);
    bias.data.set([0.5, -1, 0]);
    const input = [1, 0.2, -0.3, -2, 3, 0.25];
    const expected: Record<number, number[]> = {
      [Activation.identity]: [1.5, -0.8, -0.3, -1.5, 2, 0.25],
      [Activation.relu]: [1.5, 0, 0, 0, 2, 0.25],
      [Activation.tanh]: [1.5, -0.8, -0.3, -1.5, 2, 0.25].map(Math.tanh),
    };
    const grad = k.heap.alloc(6);
    for (const act of [Activation.identity, Activation.relu, Activation.tanh]) {
      y.data.set(input);
      k.biasAct(y.offset, bias.offset, 2, 3, act);
      expected[act].forEach((v, i) => expect(y.data[i]).toBeCloseTo(v, 6));
      grad.data.fill(2);
      k.actBackward(grad.offset, y.offset, 6, act);
      expected[act].forEach((v, i) => {
        const d = act === Activation.relu ? (v > 0 ? 1 : 0) : act === Activation.tanh ? 1 - v * v : 1;
        expect(grad.data[i]).toBeCloseTo(2 * d, 5);
      });
    }
  });

  it("sums rows, with and without accumulating", () => {
    const k = make();
    const src = k.heap.alloc(6);
    src.data.set([1, 2, 3, 4, 5, 6]);
    const dst = k.heap.alloc(3);
    dst.data.set([10, 10, 10]);
    k.sumRows(src.offset, 2, 3, dst.offset, 1);
    expect([...dst.data]).toEqual([15, 17, 19]);
    k.sumRows(src.offset, 2, 3, dst.offset, 0);
    expect([...dst.data]).toEqual([5, 7, 9]);
  });

  it("takes Adam steps exactly as torch.optim.Adam's formula", () => {
    const k = make();
    const n = 37;
    const p = k.heap.alloc(n);
    const g = k.heap.alloc(n);
    const m = k.heap.alloc(n);
    const v = k.heap.alloc(n);
    const rng = new Random(5);
    const ref = { p: new Float64Array(n), m: new Float64Array(n), v: new Float64Array(n) };
    for (let i = 0; i < n; i++) ref.p[i] = p.data[i] = rng.normal();
    const [lr, b1, b2, eps] = [1e-3, 0.9, 0.999, 1e-8];
    for (let t = 1; t <= 3; t++) {
      for (let i = 0; i < n; i++) g.data[i] = rng.normal();
      const stepSize = lr / (1 - b1 ** t);
      const bc2 = Math.sqrt(1 - b2 ** t);
      k.scalars.set([b1, b2, eps, stepSize, bc2]);
      k.adam(p.offset, g.offset, m.offset, v.offset, n);
      for (let i = 0; i < n; i++) {
        ref.m[i] = b1 * ref.m[i] + (1 - b1) * g.data[i];
        ref.v[i] = b2 * ref.v[i] + (1 - b2) * g.data[i] ** 2;
        ref.p[i] -= (stepSize * ref.m[i]) / (Math.sqrt(ref.v[i]) / bc2 + eps);
      }
    }
    for (let i = 0; i < n; i++) expect(p.data[i]).toBeCloseTo(ref.p[i], 5);
  });

  it("does Polyak averaging, scaling and sums of squares", () => {
    const k = make();
    const t = k.heap.alloc(20);
    const s = k.heap.alloc(20);
    for (let i = 0; i < 20; i++) {
      t.data[i] = i;
      s.data[i] = 100 + i;
    }
    k.scalars[0] = 0.02;
    k.polyak(t.offset, s.offset, 20);
    for (let i = 0; i < 20; i++) expect(t.data[i]).toBeCloseTo(0.98 * i + 0.02 * (100 + i), 4);
    k.scalars[0] = 0.5;
    k.scale(s.offset, 20);
    expect(s.data[3]).toBe(51.5);
    let want = 0;
    for (let i = 0; i < 19; i++) want += s.data[i] ** 2;
    k.sumSquares(s.offset, 19);
    expect(k.scalars[0]).toBeCloseTo(want, 6);
  });

  it("fused layer kernels give the bits of their unfused definition (layer-kernels.ts)", () => {
    const k = make();
    const rng = new Random(7);
    // A hidden layer over two packed slices (the blocked path), an output layer (the dot path), a narrow input
    // and a ragged shape.
    for (const [rows, out, inSize] of [
      [150, 64, 300],
      [256, 4, 256],
      [64, 96, 4],
      [37, 45, 29],
    ]) {
      const fill = (n: number, scale = 1) => {
        const t = k.heap.alloc(n);
        for (let i = 0; i < n; i++) t.data[i] = scale * rng.normal();
        return t;
      };
      const x = fill(rows * inSize);
      const w = fill(out * inSize, 0.2);
      const bias = fill(out);
      const g = fill(rows * out);
      const yBelow = fill(rows * inSize);
      for (const act of [Activation.identity, Activation.relu, Activation.tanh] as ActivationCode[]) {
        const [y1, y2] = [k.heap.alloc(rows * out), k.heap.alloc(rows * out)];
        k.linearForward(rows, out, inSize, x.offset, inSize, w.offset, bias.offset, y1.offset, act);
        linearForwardUnfused(k, rows, out, inSize, x.offset, inSize, w.offset, bias.offset, y2.offset, act);
        expect(firstDifference(y1.data, y2.data)).toBe(-1);
        for (const beta of [0, 1]) {
          const [d1, d2] = [k.heap.alloc(rows * inSize), k.heap.alloc(rows * inSize)];
          const [db1, db2] = [fill(inSize), k.heap.alloc(inSize)];
          db2.data.set(db1.data);
          k.linearBackwardInput(rows, out, inSize, g.offset, w.offset, d1.offset, yBelow.offset, act, db1.offset, beta);
          linearBackwardInputUnfused(
            k,
            rows,
            out,
            inSize,
            g.offset,
            w.offset,
            d2.offset,
            yBelow.offset,
            act,
            db2.offset,
            beta,
          );
          expect(firstDifference(d1.data, d2.data)).toBe(-1);
          expect(firstDifference(db1.data, db2.data)).toBe(-1);
        }
      }
    }
  });
});
