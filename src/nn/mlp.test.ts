import { describe, expect, it } from "vitest";
import { Random } from "../core/random.js";
import { Mlp } from "./mlp.js";
import type { ActivationName } from "./kernels/kernels.js";
import { BACKENDS } from "../../test/backends.js";
import { loadNativeKernels, type NativeKernels } from "./kernels/native.js";
import { JsKernels } from "./kernels/js.js";
import { usePrecision } from "./kernels/precision.js";
import { IN_CI } from "../../test/tools.js";

/**
 * Checks Mlp.backward against central finite differences of L = sum(output * R) for every parameter and input.
 * The network runs in float32, so the step is large (1e-2) and the loss is summed in double. With relu the step is
 * smaller (2e-3) so that no pre-activation crosses the kink within a step (checked for the seed used).
 */
function gradientCheck(
  make: () => import("./kernels/kernels.js").Kernels,
  hidden: ActivationName,
  output: ActivationName,
): void {
  const k = make();
  const rng = new Random(hidden === "relu" ? 21 : 20);
  const sizes = [3, 6, 5, 2];
  const batch = 4;
  const net = new Mlp(k, { sizes, hiddenActivation: hidden, outputActivation: output });
  net.initPytorchDefault(rng);
  const ws = net.workspace(batch);
  const x = k.heap.alloc(batch * 3);
  for (let i = 0; i < x.length; i++) x.data[i] = rng.normal();
  const r = Float64Array.from({ length: batch * 2 }, () => rng.normal());
  const loss = (): number => {
    net.forward(ws, x.offset, batch);
    let s = 0;
    for (let i = 0; i < batch * 2; i++) s += ws.output.data[i] * r[i];
    return s;
  };
  loss();
  ws.outputGrad.data.set(Float32Array.from(r));
  net.backward(ws, { inputGrad: true });
  const analyticParams = net.grads.data.slice();
  const analyticInput = ws.inputGrad.data.slice(0, batch * 3);
  const h = hidden === "relu" ? 2e-3 : 1e-2;
  const numeric = (arr: Float32Array, i: number): number => {
    const keep = arr[i];
    arr[i] = keep + h;
    const up = loss();
    arr[i] = keep - h;
    const down = loss();
    arr[i] = keep;
    return (up - down) / (2 * h);
  };
  for (let i = 0; i < net.params.length; i++) {
    expect(Math.abs(numeric(net.params.data, i) - analyticParams[i]), `param ${i}`).toBeLessThan(
      2e-3 * Math.max(1, Math.abs(analyticParams[i])),
    );
  }
  for (let i = 0; i < batch * 3; i++) {
    expect(Math.abs(numeric(x.data, i) - analyticInput[i]), `input ${i}`).toBeLessThan(
      2e-3 * Math.max(1, Math.abs(analyticInput[i])),
    );
  }
}

describe.each(BACKENDS)("Mlp: $label", ({ make }) => {
  it("backpropagates like finite differences (tanh hidden, identity output)", () =>
    gradientCheck(make, "tanh", "identity"));
  it("backpropagates like finite differences (relu hidden, tanh output)", () => gradientCheck(make, "relu", "tanh"));

  it("accumulates parameter gradients when asked, and skips them when not", () => {
    const k = make();
    const net = new Mlp(k, { sizes: [2, 3, 1] });
    net.initPytorchDefault(new Random(1));
    const ws = net.workspace(2);
    const x = k.heap.alloc(4);
    x.data.set([1, -1, 0.5, 2]);
    const run = (opts: { accumulate?: boolean; paramGrads?: boolean }): void => {
      net.forward(ws, x.offset, 2);
      ws.outputGrad.data.set([1, 1]);
      net.backward(ws, opts);
    };
    run({});
    const once = net.grads.data.slice();
    run({ accumulate: true });
    net.grads.data.forEach((g, i) => expect(g).toBeCloseTo(2 * once[i], 6));
    net.zeroGrad();
    run({ paramGrads: false });
    expect(net.grads.data.every((g) => g === 0)).toBe(true);
  });
});

describe("Mlp", () => {
  it("initialises like torch.nn.Linear: uniform within 1/sqrt(fan_in)", () => {
    const k = BACKENDS[0].make();
    const net = new Mlp(k, { sizes: [16, 64, 4] });
    net.initPytorchDefault(new Random(3));
    const [l0, l1] = net.layers;
    const f = k.heap.f32;
    let max0 = 0;
    for (let i = 0; i < 16 * 64; i++) max0 = Math.max(max0, Math.abs(f[l0.w + i]));
    let max1 = 0;
    for (let i = 0; i < 64 * 4; i++) max1 = Math.max(max1, Math.abs(f[l1.w + i]));
    expect(max0).toBeLessThanOrEqual(1 / 4);
    expect(max0).toBeGreaterThan(0.24);
    expect(max1).toBeLessThanOrEqual(1 / 8);
    expect(max1).toBeGreaterThan(0.115);
  });

  it("names its tensors as a PyTorch nn.Sequential does", () => {
    const net = new Mlp(BACKENDS[0].make(), { sizes: [4, 8, 2] });
    expect(net.namedTensors("q_net.").map((t) => `${t.name}:${t.shape.join("x")}`)).toEqual([
      "q_net.0.weight:8x4",
      "q_net.0.bias:8",
      "q_net.2.weight:2x8",
      "q_net.2.bias:2",
    ]);
  });

  it("rejects impossible shapes and oversized batches", () => {
    const k = BACKENDS[0].make();
    expect(() => new Mlp(k, { sizes: [4] })).toThrow(/at least two/);
    const net = new Mlp(k, { sizes: [2, 2] });
    expect(() => net.forward(net.workspace(2), 0, 3)).toThrow(/exceeds/);
  });
});

const native = loadNativeKernels();

/** Whether these native kernels compute in bf16 here (a CPU with AVX512-BF16). */
function supportsBf16(k: NativeKernels): boolean {
  try {
    usePrecision(k, "bf16");
    return true;
  } catch {
    return false;
  } finally {
    usePrecision(k, "fp32");
  }
}

// Never skipped: where the CPU has no AVX512-BF16 the first test checks the refusal instead (CI machines differ).
describe("Mlp in precision bf16 (native kernels, a CPU with AVX512-BF16)", () => {
  /**
   * The gradient check adapted to bf16: bf16 against fp32 (checked against finite differences above). A product's
   * terms are each off by up to 2^-8 of themselves, a sum of k by ~sqrt(k) 2^-8 of the sum with random signs: a few
   * percent at k = 64 (the batch, in a weight gradient). Allowed: outputs 1%, gradients 10% of their norm
   * (measured 0.2%, 5.4%), gradients pointing the same way (cosine > 0.995; measured 0.9985).
   */
  it("backpropagates within bf16's rounding of fp32 and repeats itself exactly, or is refused naming the CPU", () => {
    if (IN_CI) expect(native, "CI builds the native kernels").not.toBeInstanceOf(Error);
    if (native instanceof Error) return expect(() => usePrecision(new JsKernels(), "bf16")).toThrow(/native kernels/);
    if (!supportsBf16(native))
      return expect(() => usePrecision(native, "bf16")).toThrow(/needs a CPU with AVX512-BF16 .*use precision fp32/);
    const k = native;
    const run = (precision: "fp32" | "bf16"): { out: Float32Array; grads: Float32Array } => {
      usePrecision(k, precision);
      try {
        const rng = new Random(5);
        const net = new Mlp(k, { sizes: [17, 64, 64, 6] });
        net.initPytorchDefault(rng);
        const batch = 64;
        const ws = net.workspace(batch);
        const x = k.heap.alloc(batch * 17);
        for (let i = 0; i < x.length; i++) x.data[i] = rng.normal();
        net.forward(ws, x.offset, batch);
        const out = ws.output.data.slice(0, batch * 6);
        for (let i = 0; i < batch * 6; i++) ws.outputGrad.data[i] = rng.normal();
        net.backward(ws);
        return { out, grads: net.grads.data.slice() };
      } finally {
        usePrecision(k, "fp32");
      }
    };
    const norm = (a: Float32Array): number => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
    const diff = (a: Float32Array, b: Float32Array): number => norm(a.map((v, i) => v - b[i]));
    const cosine = (a: Float32Array, b: Float32Array): number =>
      a.reduce((s, v, i) => s + v * b[i], 0) / (norm(a) * norm(b));
    const [full, half, again] = [run("fp32"), run("bf16"), run("bf16")];
    expect(diff(half.out, full.out) / norm(full.out)).toBeLessThan(0.01);
    expect(diff(half.grads, full.grads) / norm(full.grads)).toBeLessThan(0.1);
    expect(cosine(half.grads, full.grads)).toBeGreaterThan(0.995);
    expect(diff(half.grads, full.grads)).toBeGreaterThan(0); // bf16 did round
    expect(Buffer.from(again.grads.buffer).equals(Buffer.from(half.grads.buffer))).toBe(true);
  });

  it("is refused, with the reason, on the other backends", () => {
    expect(() => usePrecision(new JsKernels(), "bf16")).toThrow(/needs the native kernels/);
  });
});
