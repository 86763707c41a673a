import { describe, expect, it } from "vitest";
import { Random } from "../core/random.js";
import { Mlp } from "./mlp.js";
import type { ActivationName } from "./kernels/kernels.js";
import { BACKENDS } from "../../test/backends.js";

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
