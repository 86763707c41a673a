import { describe, expect, it } from "vitest";
import { huberGrad, huberLoss, mseGrad, mseLoss } from "./losses.js";
import { clipGradNorm, gradNorm, polyakUpdate } from "./ops.js";
import { JsKernels } from "./kernels/js.js";

describe("losses", () => {
  it("Huber (smooth L1, beta 1): quadratic inside |d| < 1, linear outside, mean over the batch", () => {
    const pred = Float32Array.from([0.5, 3, -2]);
    const target = Float32Array.from([0, 0, 0]);
    const grad = new Float32Array(3);
    // 0.5 * 0.25 = 0.125; 3 - 0.5 = 2.5; 2 - 0.5 = 1.5
    expect(huberLoss(pred, target, 3)).toBeCloseTo((0.125 + 2.5 + 1.5) / 3, 7);
    huberGrad(pred, target, 3, grad);
    [0.5, 1, -1].forEach((want, i) => expect(grad[i] * 3).toBeCloseTo(want, 6));
  });

  it("MSE with SAC's 0.5 factor, and strided access to a column", () => {
    const pred = Float32Array.from([1, 99, 3, 99]); // column 0 of a 2-wide matrix
    const target = Float32Array.from([0, 1]);
    const grad = new Float32Array(4);
    expect(mseLoss(pred, target, 2, 0.5, 2)).toBeCloseTo((0.5 * (1 + 4)) / 2, 7);
    mseGrad(pred, target, 2, grad, 0.5, 2, 2);
    expect([...grad]).toEqual([0.5, 0, 1, 0]);
  });

  it("matches finite differences", () => {
    const target = Float32Array.from([0.3, -1.2, 2]);
    const base = [0.1, 0.9, 0.2];
    const pairs = [
      [huberLoss, huberGrad],
      [
        (p: Float32Array, t: Float32Array, n: number) => mseLoss(p, t, n),
        (p: Float32Array, t: Float32Array, n: number, g: Float32Array) => mseGrad(p, t, n, g),
      ],
    ] as const;
    for (const [f, df] of pairs) {
      const grad = new Float32Array(3);
      df(Float32Array.from(base), target, 3, grad);
      for (let i = 0; i < 3; i++) {
        const up = Float32Array.from(base);
        const down = Float32Array.from(base);
        up[i] += 1e-3;
        down[i] -= 1e-3;
        const numeric = (f(up, target, 3) - f(down, target, 3)) / 2e-3;
        expect(numeric).toBeCloseTo(grad[i], 3);
      }
    }
  });
});

describe("whole-block operations", () => {
  it("clips the global gradient norm as torch's clip_grad_norm_ (coefficient max / (norm + 1e-6), only if < 1)", () => {
    const k = new JsKernels();
    const g = k.heap.alloc(2);
    g.data.set([3, 4]);
    expect(gradNorm(k, g)).toBeCloseTo(5, 6);
    clipGradNorm(k, g, 10);
    expect([...g.data]).toEqual([3, 4]); // norm 5 < 10: untouched
    clipGradNorm(k, g, 1);
    const coef = 1 / (5 + 1e-6);
    expect(g.data[0]).toBeCloseTo(3 * coef, 6);
    expect(g.data[1]).toBeCloseTo(4 * coef, 6);
  });

  it("moves a target by exactly tau towards its source", () => {
    const k = new JsKernels();
    const t = k.heap.alloc(2);
    const s = k.heap.alloc(2);
    t.data.set([1, -1]);
    s.data.set([3, 1]);
    polyakUpdate(k, t, s, 0.25);
    expect([...t.data]).toEqual([1.5, -0.5]);
  });
});
