import { describe, expect, it } from "vitest";
import { Random } from "../../core/random.js";
import { JsKernels } from "../../nn/kernels/js.js";
import { randomSacBatch } from "../../bench/nn-bench.js";
import { SacNetworks } from "./update.js";

function small(useSde: boolean, seed = 1): SacNetworks {
  return new SacNetworks(
    new JsKernels(),
    {
      obsDim: 3,
      actDim: 2,
      hidden: [8, 6],
      batchSize: 5,
      learningRate: 1e-3,
      gamma: 0.99,
      tau: 0.05,
      useSde,
      logStdInit: -1,
    },
    new Random(seed),
  );
}

describe.each([false, true])("SAC actor gradients (gSDE %s)", (useSde) => {
  it("match finite differences of the actor loss with the noise held fixed", () => {
    const net = small(useSde, useSde ? 3 : 2);
    const batch = randomSacBatch(net.kernels, new Random(7), 5, 3, 2);
    const alpha = 0.3;
    net.sampleOnObs(batch.obsAction, 5);
    net.entropy.lastAlpha = alpha;
    net.actorLossAndGradients(5);
    const blocks = [
      { params: net.actorTrunk.params.data, grads: net.actorTrunk.grads.data.slice() },
      { params: net.actorHead.params.data, grads: net.actorHead.grads.data.slice() },
      ...(net.logStd && net.logStdGrad ? [{ params: net.logStd.data, grads: net.logStdGrad.data.slice() }] : []),
    ];
    const loss = (): number => {
      net.sampleOnObs(batch.obsAction, 5, true);
      net.actorLossAndGradients(5);
      return net.lastStats.actorLoss;
    };
    const h = 1e-3;
    let checked = 0;
    for (const b of blocks) {
      for (let i = 0; i < b.params.length; i++) {
        const keep = b.params[i];
        b.params[i] = keep + h;
        const up = loss();
        b.params[i] = keep - h;
        const down = loss();
        b.params[i] = keep;
        const numeric = (up - down) / (2 * h);
        expect(Math.abs(numeric - b.grads[i]), `param ${i} of a block of ${b.params.length}`).toBeLessThan(
          3e-3 + 3e-2 * Math.abs(b.grads[i]),
        );
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});

describe("SAC distributions", () => {
  it("the squashed Gaussian's log-probability integrates to 1 over actions in (-1, 1)", () => {
    // log p(a) = log N(atanh a; mu, sigma) - log(1 - a^2 + 1e-6), the formula the update uses, on a fine grid.
    const mu = 0.4;
    const sigma = 0.7;
    let total = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const a = -1 + (2 * (i + 0.5)) / n;
      const u = Math.atanh(a);
      const logp =
        -0.5 * ((u - mu) / sigma) ** 2 - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI) - Math.log(1 - a * a + 1e-6);
      total += Math.exp(logp) * (2 / n);
    }
    expect(total).toBeCloseTo(1, 3);
  });

  it("gSDE's sigma is the standard deviation of latent @ E over exploration matrices", () => {
    const net = small(true, 4);
    const obs = Float32Array.of(0.3, -0.2, 0.5);
    const out = new Float32Array(2);
    const us: number[] = [];
    net.act(obs, true, out);
    const mu = Math.atanh(out[0]);
    for (let t = 0; t < 20_000; t++) {
      net.resetNoise();
      net.act(obs, false, out);
      us.push(Math.atanh(out[0]) - mu);
    }
    const variance = us.reduce((a, b) => a + b * b, 0) / us.length;
    // latent and std: recompute sigma^2 = sum_k latent_k^2 std_k0^2 from the networks directly.
    const ws = net.actorTrunk.workspace(1);
    const input = net.kernels.heap.alloc(3);
    input.data.set(obs);
    net.actorTrunk.forward(ws, input.offset, 1);
    let want = 0;
    const ls = (net.logStd as { data: Float32Array }).data;
    for (let k = 0; k < 6; k++) want += ws.output.data[k] ** 2 * Math.exp(2 * ls[k * 2]);
    expect(variance / want).toBeGreaterThan(0.95);
    expect(variance / want).toBeLessThan(1.05);
  });

  it("acts deterministically with tanh of the clipped mean", () => {
    const net = small(true, 5);
    const head = net.actorHead;
    const b = head.layers[0].b - head.params.offset;
    head.params.data[b] = 50; // mean far above the clip at 2
    head.params.data[b + 1] = -0.25;
    head.params.data.fill(0, 0, b); // weights 0: the mean is the bias
    const out = new Float32Array(2);
    net.act(Float32Array.of(1, 2, 3), true, out);
    expect(out[0]).toBeCloseTo(Math.tanh(2), 6);
    expect(out[1]).toBeCloseTo(Math.tanh(-0.25), 6);
  });
});

describe("SAC update", () => {
  it("raises alpha when the policy's entropy is below the target and lowers it when above", () => {
    // A head with zero weights: mu = 0 and log_std = its bias, the same for every state.
    for (const [logStd, direction] of [
      [-5, 1],
      [0, -1],
    ] as const) {
      const net = new SacNetworks(
        new JsKernels(),
        { obsDim: 3, actDim: 2, hidden: [8], batchSize: 16, learningRate: 1e-2, gamma: 0.99, tau: 0.05 },
        new Random(6),
      );
      const head = net.actorHead;
      const b = head.layers[0].b - head.params.offset;
      head.params.data.fill(0);
      head.params.data[b + 2] = logStd;
      head.params.data[b + 3] = logStd;
      net.trainStep(randomSacBatch(net.kernels, new Random(8), 16, 3, 2));
      expect(Math.sign(net.logAlpha)).toBe(direction); // log pi + target entropy (-2) is > 0 at log_std -5, < 0 at 0
    }
  });

  it("moves the target critics by exactly tau towards the critics", () => {
    const net = small(false, 9);
    const batch = randomSacBatch(net.kernels, new Random(10), 5, 3, 2);
    const before = net.criticTargets[0].params.data.slice();
    net.trainStep(batch);
    const after = net.criticTargets[0].params.data;
    const critic = net.critics[0].params.data;
    for (let i = 0; i < after.length; i++) expect(after[i]).toBeCloseTo(0.95 * before[i] + 0.05 * critic[i], 6);
  });

  it("keeps alpha fixed when asked", () => {
    const net = new SacNetworks(
      new JsKernels(),
      { obsDim: 3, actDim: 2, hidden: [8], batchSize: 5, learningRate: 1e-2, gamma: 0.99, tau: 0.05, fixedAlpha: 0.2 },
      new Random(6),
    );
    net.trainStep(randomSacBatch(net.kernels, new Random(8), 5, 3, 2));
    expect(net.alpha).toBeCloseTo(0.2, 12);
  });
});
