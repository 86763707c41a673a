/**
 * Generalised state-dependent exploration (gSDE) for SAC's actor, as Stable-Baselines3 1.5 with a full std matrix:
 * a parameter log_std [latent, act] gives std = exp(log_std); one exploration matrix E = std * N(0, 1), resampled by
 * `reset`, is shared by a batch; for a latent row l the noise is l @ E and its variance sigma_j^2 =
 * sum_k l_k^2 std_kj^2 + 1e-6. Gradients reach the latent and log_std through the noise and sigma (`backward`).
 */
import type { Random } from "../../core/random.js";
import type { Tensor } from "../../nn/kernels/heap.js";
import type { Kernels } from "../../nn/kernels/kernels.js";

export const SDE_EPS = 1e-6;

export class Gsde {
  readonly logStd: Tensor;
  readonly logStdGrad: Tensor;
  /** E, the current exploration matrix [latent, act], and the N(0, 1) draws behind it. */
  readonly explorationMat: Tensor;
  readonly draws: Float64Array;
  /**
   * Scratch on the heap: std^2 (latent x act), noise and variance (rows x act), their gradients, ... The actor reads
   * noise and variance and writes the gradients element by element, straight into these (through methods, each
   * double would be boxed where the call is not inlined: an allocation per element).
   */
  private readonly stdSq: Tensor;
  readonly noise: Tensor;
  readonly variance: Tensor;
  readonly dNoise: Tensor;
  readonly dSigmaOver: Tensor;
  private readonly scratch: Tensor;

  constructor(
    private readonly kernels: Kernels,
    private readonly latentDim: number,
    private readonly actDim: number,
    /** Most rows at once (the training batch). */
    rows: number,
    logStdInit: number,
  ) {
    const heap = kernels.heap;
    const h = latentDim;
    this.logStd = heap.alloc(h * actDim);
    this.logStd.data.fill(logStdInit);
    this.logStdGrad = heap.alloc(h * actDim);
    this.explorationMat = heap.alloc(h * actDim);
    this.draws = new Float64Array(h * actDim);
    this.noise = heap.alloc(rows * actDim);
    this.stdSq = heap.alloc(h * actDim);
    this.variance = heap.alloc(rows * actDim);
    this.dNoise = heap.alloc(rows * actDim);
    this.dSigmaOver = heap.alloc(rows * actDim);
    this.scratch = heap.alloc(Math.max(rows * h, h * actDim));
  }

  /** A new exploration matrix E_kj = std_kj * N(0, 1) (SB3's reset_noise). */
  reset(rng: Random): void {
    const ls = this.logStd.data;
    const e = this.explorationMat.data;
    rng.fillNormals(this.draws, e.length); // the draws of as many normal() calls, none boxed (once per update)
    for (let i = 0; i < e.length; i++) e[i] = Math.exp(ls[i]) * this.draws[i];
  }

  /** Restores the draws and rebuilds E = std * draws (checkpoints). */
  setDraws(draws: ArrayLike<number>): void {
    this.draws.set(draws);
    for (let i = 0; i < draws.length; i++) this.explorationMat.data[i] = Math.exp(this.logStd.data[i]) * this.draws[i];
  }

  /**
   * Noise latent @ E and variance latent^2 @ std^2 (+ 1e-6 later, in `sigma`) of n latent rows; fills latentSq
   * (kept for the backward pass). E is rebuilt from the stored draws: the same matrix as `reset` made, and
   * differentiable in log_std.
   */
  noiseAndVariance(latent: Tensor, latentSq: Tensor, n: number): void {
    const k = this.kernels;
    const h = this.latentDim;
    const A = this.actDim;
    const l = latent.data;
    const lsq = latentSq.data;
    for (let i = 0; i < n * h; i++) lsq[i] = l[i] * l[i];
    const ssq = this.stdSq.data;
    const ls = this.logStd.data;
    const e = this.explorationMat.data;
    for (let i = 0; i < ssq.length; i++) {
      const std = Math.exp(ls[i]);
      ssq[i] = std * std;
      e[i] = std * this.draws[i];
    }
    k.gemm(false, false, n, A, h, latent.offset, h, this.explorationMat.offset, A, this.noise.offset, A, 0);
    k.gemm(false, false, n, A, h, latentSq.offset, h, this.stdSq.offset, A, this.variance.offset, A, 0);
  }

  /** The noise of action j for one latent row (acting). */
  actNoise(latent: Float32Array, j: number): number {
    const e = this.explorationMat.data;
    let z = 0;
    for (let q = 0; q < this.latentDim; q++) z += latent[q] * e[q * this.actDim + j];
    return z;
  }

  /**
   * gSDE's share of the actor gradient, with N = latent @ E (noise) and V = latent^2 @ std^2 (variance):
   *   dL/dlatent += dN @ E^T + latent * ((dSigma / sigma) @ (std^2)^T)
   *   dL/dlog_std = E * (latent^T @ dN) + std^2 * ((latent^2)^T @ (dSigma / sigma))
   * (d sigma / d latent_k = latent_k std_kj^2 / sigma; d sigma / d log_std_kj = latent_k^2 std_kj^2 / sigma.)
   */
  backward(n: number, latent: Tensor, latentSq: Tensor, dLatent: Float32Array): void {
    const k = this.kernels;
    const A = this.actDim;
    const h = this.latentDim;
    const dN = this.dNoise;
    const dS = this.dSigmaOver;
    const E = this.explorationMat;
    const ssq = this.stdSq;
    const scratch = this.scratch;
    // dN @ E^T -> scratch (n x h), added to dLatent.
    k.gemm(false, true, n, h, A, dN.offset, A, E.offset, A, scratch.offset, h, 0);
    for (let i = 0; i < n * h; i++) dLatent[i] += scratch.data[i];
    // (dS / sigma) @ (std^2)^T -> scratch, times latent, added.
    k.gemm(false, true, n, h, A, dS.offset, A, ssq.offset, A, scratch.offset, h, 0);
    const l = latent.data;
    for (let i = 0; i < n * h; i++) dLatent[i] += l[i] * scratch.data[i];
    // log_std gradient: E * (latent^T @ dN) + std^2 * ((latent^2)^T @ dS').
    const g = this.logStdGrad.data;
    k.gemm(true, false, h, A, n, latent.offset, h, dN.offset, A, scratch.offset, A, 0);
    for (let i = 0; i < h * A; i++) g[i] = E.data[i] * scratch.data[i];
    k.gemm(true, false, h, A, n, latentSq.offset, h, dS.offset, A, scratch.offset, A, 0);
    for (let i = 0; i < h * A; i++) g[i] += ssq.data[i] * scratch.data[i];
  }
}
