/**
 * SAC's actor, a squashed Gaussian policy as in Stable-Baselines3 1.5: a trunk MLP [obs, hidden...] whose ReLU
 * output is the latent (SB3's latent_pi) and a linear head.
 * - without gSDE, the head gives [mu, log_std] (SB3's two heads side by side), log_std clamped to [-20, 2];
 *   u = mu + std * eps with eps ~ N(0, I) per row;
 * - with gSDE (gsde.ts), the head gives mu, clipped to [-2, 2] (Hardtanh), and the noise comes from the
 *   exploration matrix; as in SB3's SAC actor (learn_features=True), gradients reach the latent through the noise
 *   and sigma as well as through mu.
 * Both: a = tanh(u), log pi = sum_j [log N(u_j; mu_j, sigma_j) - log(1 - a_j^2 + 1e-6)]; deterministic action tanh(mu).
 */
import type { Random } from "../../core/random.js";
import type { Tensor } from "../../nn/kernels/heap.js";
import type { Kernels } from "../../nn/kernels/kernels.js";
import { Adam } from "../../nn/adam.js";
import { Mlp, WITH_INPUT_GRAD, type DenseLayer, type MlpWorkspace } from "../../nn/mlp.js";
import type { PolicyDescription } from "../policy-description.js";
import { Gsde, SDE_EPS } from "./gsde.js";

const LOG_STD_MIN = -20;
const LOG_STD_MAX = 2;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const TANH_EPS = 1e-6;
/** SB3's clip_mean: with gSDE the Gaussian mean goes through Hardtanh(-2, 2). */
const CLIP_MEAN = 2;

/** What a sample of the actor leaves behind for the backward pass. */
export interface Sample {
  readonly trunkWs: MlpWorkspace;
  readonly headWs: MlpWorkspace;
  /** Per row and action: the Gaussian noise (u - mu), sigma, the action. */
  readonly noise: Float64Array;
  readonly sigma: Float64Array;
  readonly logp: Float64Array;
  /** Without gSDE: the N(0, 1) draws. */
  readonly eps: Float64Array;
  /** gSDE: latent^2 (batch x latent), kept for the backward pass. */
  readonly latentSq: Tensor | null;
  /** The loss's coefficient c of sum log pi, set before `backward` (as an argument, a double would allocate). */
  logpCoef: number;
}

export class SquashedGaussianActor {
  readonly trunk: Mlp;
  readonly head: Mlp;
  readonly gsde: Gsde | null;
  /** Trunk, head and (gSDE) log_std. */
  readonly optimizers: Adam[];
  readonly latentDim: number;
  /** Batch-1 workspaces for acting. */
  private readonly actTrunk: MlpWorkspace;
  private readonly actHead: MlpWorkspace;
  private readonly actInput: Tensor;
  /** An env step's exploration noise, drawn before the loop that adds it (normal()'s result may be boxed). */
  private readonly actNoise: Float64Array;

  constructor(
    private readonly kernels: Kernels,
    obsDim: number,
    private readonly actDim: number,
    hidden: readonly number[],
    batchSize: number,
    learningRate: number,
    useSde: boolean,
    logStdInit: number,
    private readonly rng: Random,
  ) {
    const h = (this.latentDim = hidden[hidden.length - 1]);
    this.trunk = new Mlp(kernels, { sizes: [obsDim, ...hidden], outputActivation: "relu" });
    this.head = new Mlp(kernels, { sizes: [h, useSde ? actDim : 2 * actDim] });
    this.trunk.initPytorchDefault(rng);
    this.head.initPytorchDefault(rng);
    this.gsde = useSde ? new Gsde(kernels, h, actDim, batchSize, logStdInit) : null;
    const lr = learningRate;
    this.optimizers = [
      new Adam(kernels, this.trunk.params, this.trunk.grads, { lr }),
      new Adam(kernels, this.head.params, this.head.grads, { lr }),
    ];
    if (this.gsde) this.optimizers.push(new Adam(kernels, this.gsde.logStd, this.gsde.logStdGrad, { lr }));
    this.actTrunk = this.trunk.workspace(1);
    this.actHead = this.head.workspace(1);
    this.actInput = kernels.heap.alloc(obsDim);
    this.actNoise = new Float64Array(actDim);
  }

  /** Workspaces and per-row records for sampling up to `rows` actions. */
  newSample(rows: number): Sample {
    const A = this.actDim;
    return {
      trunkWs: this.trunk.workspace(rows),
      headWs: this.head.workspace(rows),
      noise: new Float64Array(rows * A),
      sigma: new Float64Array(rows * A),
      logp: new Float64Array(rows),
      eps: new Float64Array(rows * A),
      latentSq: this.gsde ? this.kernels.heap.alloc(rows * this.latentDim) : null,
      logpCoef: 0.5, // a double from the start, so that stores into it never box
    };
  }

  /** Its acting policy as plain layers (export): the head split into mean and log std rows without gSDE. */
  describe(): PolicyDescription {
    const A = this.actDim;
    const [head] = this.head.denseLayers();
    const rows = (from: number, to: number): DenseLayer => ({
      ...head,
      outSize: to - from,
      weight: head.weight.slice(from * head.inSize, to * head.inSize),
      bias: head.bias.slice(from, to),
    });
    return {
      kind: "squashed-gaussian",
      trunk: this.trunk.denseLayers(),
      mean: this.gsde ? head : rows(0, A),
      logStd: this.gsde ? null : rows(A, 2 * A),
      gsdeLogStd: this.gsde ? this.gsde.logStd.data.slice() : null,
      clipMean: this.gsde ? CLIP_MEAN : 0,
    };
  }

  /**
   * Runs the actor on `n` rows of `input` (row stride `stride`) and samples a = tanh(u) into `dest` (rows
   * `destStride` apart, from `destOffset`). `reuseNoise`: keep the previous N(0, 1) draws (gradient checks).
   */
  sample(
    s: Sample,
    input: number,
    n: number,
    stride: number,
    dest: Float32Array,
    destOffset: number,
    destStride: number,
    reuseNoise = false,
  ): void {
    const A = this.actDim;
    this.trunk.forward(s.trunkWs, input, n, stride);
    this.head.forward(s.headWs, s.trunkWs.output.offset, n);
    const out = s.headWs.output.data;
    const gsde = this.gsde;
    if (gsde) gsde.noiseAndVariance(s.trunkWs.output, s.latentSq as Tensor, n);
    const w = gsde ? A : 2 * A;
    // gSDE's noise and variance (rows x act), read in place.
    const noise = gsde ? gsde.noise.data : null;
    const variance = gsde ? gsde.variance.data : null;
    // The draws first, in the loop's order (nothing else draws in between): the same numbers, none boxed.
    if (!gsde && !reuseNoise) this.rng.fillNormals(s.eps, n * A);
    for (let i = 0; i < n; i++) {
      let lp = 0;
      for (let j = 0; j < A; j++) {
        let mu = out[i * w + j];
        let sigma: number;
        let z: number;
        if (gsde) {
          mu = Math.min(Math.max(mu, -CLIP_MEAN), CLIP_MEAN);
          sigma = Math.sqrt((variance as Float32Array)[i * A + j] + SDE_EPS);
          z = (noise as Float32Array)[i * A + j];
        } else {
          const logStd = Math.min(Math.max(out[i * w + A + j], LOG_STD_MIN), LOG_STD_MAX);
          sigma = Math.exp(logStd);
          z = sigma * s.eps[i * A + j];
        }
        const a = Math.tanh(mu + z);
        s.noise[i * A + j] = z;
        s.sigma[i * A + j] = sigma;
        dest[destOffset + i * destStride + j] = a;
        lp += (-0.5 * z * z) / (sigma * sigma) - Math.log(sigma) - HALF_LOG_2PI - Math.log(1 - a * a + TANH_EPS);
      }
      s.logp[i] = lp;
    }
  }

  /** The action for one observation, in [-1, 1] (into `out`); `deterministic`: tanh(mu). */
  act(obs: Float32Array, deterministic: boolean, out: Float32Array): void {
    this.actInput.data.set(obs);
    const A = this.actDim;
    this.trunk.forward(this.actTrunk, this.actInput.offset, 1);
    this.head.forward(this.actHead, this.actTrunk.output.offset, 1);
    const head = this.actHead.output.data;
    const latent = this.actTrunk.output.data;
    const noise = this.actNoise;
    if (!deterministic && !this.gsde) this.rng.fillNormals(noise, A); // the same draws as A normal() calls
    for (let j = 0; j < A; j++) {
      if (this.gsde) {
        const mu = Math.min(Math.max(head[j], -CLIP_MEAN), CLIP_MEAN);
        out[j] = Math.tanh(mu + (deterministic ? 0 : this.gsde.actNoise(latent, j)));
      } else {
        const mu = head[j];
        const logStd = Math.min(Math.max(head[A + j], LOG_STD_MIN), LOG_STD_MAX);
        out[j] = Math.tanh(deterministic ? mu : mu + Math.exp(logStd) * noise[j]);
      }
    }
  }

  /**
   * The gradients of a loss c sum log pi + f(a) (c = s.logpCoef, alpha/B) into the actor's parameter gradients
   * (trunk, head and, with gSDE, log_std), for the sample `s` of B = n rows whose actions sit at
   * actions[i * stride + offset + j], given dL/da = dLdaA + dLdaB (the twin critics' input gradients, same layout).
   * The derivation: docs/engine.md.
   */
  backward(
    s: Sample,
    n: number,
    actions: Float32Array,
    dLdaA: Float32Array,
    dLdaB: Float32Array,
    offset: number,
    stride: number,
  ): void {
    const A = this.actDim;
    const c = s.logpCoef;
    const head = s.headWs.output.data;
    const dHead = s.headWs.outputGrad.data;
    const gsde = this.gsde;
    const hw = gsde ? A : 2 * A;
    // gSDE's element gradients (dL/dnoise, (dL/dsigma) / sigma), written in place for gsde.backward.
    const dNoise = gsde ? gsde.dNoise.data : null;
    const dSigmaOver = gsde ? gsde.dSigmaOver.data : null;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < A; j++) {
        const idx = i * A + j;
        const at = i * stride + offset + j;
        const a = actions[at];
        const oneMinusA2 = 1 - a * a;
        const z = s.noise[idx];
        const sigma = s.sigma[idx];
        const dLdu =
          c * (-z / (sigma * sigma) + (2 * a * oneMinusA2) / (oneMinusA2 + TANH_EPS)) +
          (dLdaA[at] + dLdaB[at]) * oneMinusA2;
        const dLdmu = dLdu + (c * z) / (sigma * sigma);
        const dLdsigma = c * ((z * z) / (sigma * sigma * sigma) - 1 / sigma);
        if (gsde) {
          const rawMu = head[i * hw + j];
          dHead[i * hw + j] = rawMu < -CLIP_MEAN || rawMu > CLIP_MEAN ? 0 : dLdmu; // Hardtanh
          (dNoise as Float32Array)[idx] = dLdu;
          (dSigmaOver as Float32Array)[idx] = dLdsigma / sigma;
        } else {
          dHead[i * hw + j] = dLdmu;
          const raw = head[i * hw + A + j];
          const clamped = raw < LOG_STD_MIN || raw > LOG_STD_MAX;
          dHead[i * hw + A + j] = clamped ? 0 : dLdu * s.eps[idx] * sigma + dLdsigma * sigma;
        }
      }
    }
    // The head's backward gives dL/dlatent through mu; gSDE adds the paths through the noise and sigma.
    this.head.backward(s.headWs, WITH_INPUT_GRAD);
    // Both live on the kernels' heap: one memmove there, with no view to allocate.
    const dLatent = s.trunkWs.outputGrad;
    const fromHead = s.headWs.inputGrad.offset;
    dLatent.heap.f32.copyWithin(dLatent.offset, fromHead, fromHead + n * this.latentDim);
    if (gsde) gsde.backward(n, s.trunkWs.output, s.latentSq as Tensor, dLatent.data);
    this.trunk.backward(s.trunkWs);
  }
}
