/**
 * SAC's networks and one gradient step with Stable-Baselines3 1.5's semantics (sac/sac.py `train`), in its order:
 *   1. (gSDE) resample the exploration matrix
 *   2. a_pi, log pi(a_pi|s) from the actor (reparameterised sample)
 *   3. alpha = exp(log_alpha) (value before this step); entropy loss -mean(log_alpha (log pi + target_entropy));
 *      Adam step on log_alpha (skipped with a fixed alpha)
 *   4. y = r + (1 - done) gamma (min_i Q_target_i(s', a') - alpha log pi(a'|s')), a' a fresh sample  (no gradient)
 *   5. critic loss 0.5 sum_i MSE(Q_i(s, a), y); Adam step on the critics
 *   6. actor loss mean(alpha log pi - min_i Q_i(s, a_pi)) with the just-updated critics; Adam step on the actor
 *   7. Polyak update of the target critics.
 *
 * The actor is a trunk MLP [obs, hidden...] whose ReLU output is the latent (SB3's latent_pi) and a linear head:
 * - without gSDE, the head gives [mu, log_std] (SB3's two heads side by side), log_std clamped to [-20, 2];
 *   u = mu + std * eps with eps ~ N(0, I) per row;
 * - with gSDE (state-dependent exploration, full std matrix), the head gives mu, clipped to [-2, 2] (Hardtanh), and
 *   a parameter log_std [latent, act] (initialised to logStdInit) gives std = exp(log_std); the noise is
 *   latent @ E with one exploration matrix E ~ N(0, std^2) shared by the batch, and
 *   sigma_j = sqrt(sum_k latent_k^2 std_kj^2 + 1e-6). As in SB3's SAC actor (learn_features=True), gradients reach
 *   the latent through the noise and sigma as well as through mu.
 * Both: a = tanh(u), log pi = sum_j [log N(u_j; mu_j, sigma_j) - log(1 - a_j^2 + 1e-6)]; deterministic action tanh(mu).
 */
import type { Random } from "../core/random.js";
import type { Tensor } from "../nn/kernels/heap.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import { Adam } from "../nn/adam.js";
import { mseGrad, mseLoss } from "../nn/losses.js";
import { Mlp, type MlpWorkspace } from "../nn/mlp.js";
import { polyakUpdate } from "../nn/ops.js";

const LOG_STD_MIN = -20;
const LOG_STD_MAX = 2;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const TANH_EPS = 1e-6;
const SDE_EPS = 1e-6;
/** SB3's clip_mean: with gSDE the Gaussian mean goes through Hardtanh(-2, 2). */
const CLIP_MEAN = 2;

export interface SacNetworkOptions {
  readonly obsDim: number;
  readonly actDim: number;
  readonly hidden: readonly number[];
  readonly batchSize: number;
  readonly learningRate: number;
  readonly gamma: number;
  readonly tau: number;
  /** Initial entropy coefficient (SB3 "auto": 1.0). */
  readonly initialAlpha?: number;
  /** A fixed entropy coefficient instead of the automatic one. */
  readonly fixedAlpha?: number;
  /** Target entropy (SB3 "auto": -actDim). */
  readonly targetEntropy?: number;
  readonly useSde?: boolean;
  /** Initial log std of gSDE (SB3's SAC: -3). */
  readonly logStdInit?: number;
}

/** A SAC batch: each row holds an observation followed by an action (the critic's input layout). */
export interface SacBatch {
  /** batch x (obsDim + actDim): s and the stored action a (in [-1, 1]). */
  readonly obsAction: Tensor;
  /** batch x (obsDim + actDim): s' in the first obsDim columns; the update writes a' into the rest. */
  readonly nextObsAction: Tensor;
  readonly rewards: Float32Array;
  readonly dones: Float32Array;
}

export interface SacStepStats {
  actorLoss: number;
  criticLoss: number;
  entropyLoss: number;
  alpha: number;
}

/** A one-parameter Adam (PyTorch semantics) for log alpha, which lives in JavaScript, not on the heap. */
class ScalarAdam {
  m = 0;
  v = 0;
  step = 0;
  constructor(public lr: number) {}
  update(param: number, grad: number): number {
    this.step += 1;
    this.m = 0.9 * this.m + 0.1 * grad;
    this.v = 0.999 * this.v + 0.001 * grad * grad;
    const stepSize = this.lr / (1 - 0.9 ** this.step);
    return param - (stepSize * this.m) / (Math.sqrt(this.v) / Math.sqrt(1 - 0.999 ** this.step) + 1e-8);
  }
}

/** What a sample of the actor leaves behind for the backward pass. */
interface Sample {
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
}

export class SacNetworks {
  readonly actorTrunk: Mlp;
  readonly actorHead: Mlp;
  readonly critics: [Mlp, Mlp];
  readonly criticTargets: [Mlp, Mlp];
  readonly actorOptimizers: Adam[];
  readonly criticOptimizers: [Adam, Adam];
  logAlpha: number;
  readonly targetEntropy: number;
  readonly useSde: boolean;
  /** gSDE: log std [latent, act], its gradient, and the exploration matrix E with its N(0, 1) draws. */
  readonly logStd: Tensor | null;
  readonly logStdGrad: Tensor | null;
  readonly explorationMat: Tensor | null;
  private readonly explorationEps: Float64Array | null;
  readonly alphaOptimizer: ScalarAdam;
  private readonly rowWidth: number;
  private readonly latentDim: number;

  private readonly sample: Sample;
  private readonly sampleNext: Sample;
  private readonly wsCritic: [MlpWorkspace, MlpWorkspace];
  private readonly wsTarget: [MlpWorkspace, MlpWorkspace];
  private readonly wsCriticPi: [MlpWorkspace, MlpWorkspace];
  /** batch x (obsDim + actDim): s with the actor's own action a_pi. */
  private readonly obsActionPi: Tensor;
  private readonly y: Float32Array;
  /** gSDE scratch on the heap: latent @ E (batch x act), std^2 (latent x act), ... */
  private readonly sdeNoise: Tensor | null;
  private readonly stdSq: Tensor | null;
  private readonly sdeVar: Tensor | null;
  private readonly dNoise: Tensor | null;
  private readonly dSigmaOver: Tensor | null;
  private readonly scratchHA: Tensor | null;
  /** Workspaces for a peer group's questions (suggestions, critic values, state values), up to queryBatch rows. */
  private query: { sample: Sample; input: Tensor; critics: [MlpWorkspace, MlpWorkspace]; rows: number } | null = null;
  /** Batch-1 workspaces for acting. */
  private readonly actTrunk: MlpWorkspace;
  private readonly actHead: MlpWorkspace;
  private readonly actInput: Tensor;

  constructor(
    readonly kernels: Kernels,
    readonly options: SacNetworkOptions,
    private readonly rng: Random,
  ) {
    const { obsDim, actDim, hidden, batchSize: n } = options;
    this.useSde = options.useSde ?? false;
    this.rowWidth = obsDim + actDim;
    this.latentDim = hidden[hidden.length - 1];
    const h = this.latentDim;
    this.actorTrunk = new Mlp(kernels, { sizes: [obsDim, ...hidden], outputActivation: "relu" });
    this.actorHead = new Mlp(kernels, { sizes: [h, this.useSde ? actDim : 2 * actDim] });
    const criticSpec = { sizes: [obsDim + actDim, ...hidden, 1] };
    this.critics = [new Mlp(kernels, criticSpec), new Mlp(kernels, criticSpec)];
    this.criticTargets = [new Mlp(kernels, criticSpec), new Mlp(kernels, criticSpec)];
    this.actorTrunk.initPytorchDefault(rng);
    this.actorHead.initPytorchDefault(rng);
    for (let i = 0; i < 2; i++) {
      this.critics[i].initPytorchDefault(rng);
      this.criticTargets[i].copyFrom(this.critics[i]);
    }
    const lr = options.learningRate;
    const heap = kernels.heap;
    if (this.useSde) {
      this.logStd = heap.alloc(h * actDim);
      this.logStd.data.fill(options.logStdInit ?? -3);
      this.logStdGrad = heap.alloc(h * actDim);
      this.explorationMat = heap.alloc(h * actDim);
      this.explorationEps = new Float64Array(h * actDim);
      this.sdeNoise = heap.alloc(n * actDim);
      this.stdSq = heap.alloc(h * actDim);
      this.sdeVar = heap.alloc(n * actDim);
      this.dNoise = heap.alloc(n * actDim);
      this.dSigmaOver = heap.alloc(n * actDim);
      this.scratchHA = heap.alloc(Math.max(n * h, h * actDim));
    } else {
      this.logStd = this.logStdGrad = this.explorationMat = this.sdeNoise = this.stdSq = this.sdeVar = this.dNoise = this.dSigmaOver = this.scratchHA = null;
      this.explorationEps = null;
    }
    this.actorOptimizers = [new Adam(kernels, this.actorTrunk.params, this.actorTrunk.grads, { lr }), new Adam(kernels, this.actorHead.params, this.actorHead.grads, { lr })];
    if (this.logStd && this.logStdGrad) this.actorOptimizers.push(new Adam(kernels, this.logStd, this.logStdGrad, { lr }));
    this.criticOptimizers = [
      new Adam(kernels, this.critics[0].params, this.critics[0].grads, { lr }),
      new Adam(kernels, this.critics[1].params, this.critics[1].grads, { lr }),
    ];
    this.logAlpha = Math.log(options.fixedAlpha ?? options.initialAlpha ?? 1);
    this.alphaOptimizer = new ScalarAdam(lr);
    this.targetEntropy = options.targetEntropy ?? -actDim;
    this.sample = this.newSample(n);
    this.sampleNext = this.newSample(n);
    this.wsCritic = [this.critics[0].workspace(n), this.critics[1].workspace(n)];
    this.wsTarget = [this.criticTargets[0].workspace(n), this.criticTargets[1].workspace(n)];
    this.wsCriticPi = [this.critics[0].workspace(n), this.critics[1].workspace(n)];
    this.obsActionPi = heap.alloc(n * this.rowWidth);
    this.y = new Float32Array(n);
    this.actTrunk = this.actorTrunk.workspace(1);
    this.actHead = this.actorHead.workspace(1);
    this.actInput = heap.alloc(obsDim);
    if (this.useSde) this.resetNoise();
  }

  /** Workspaces and per-row records for sampling up to `rows` actions. */
  private newSample(rows: number): Sample {
    const { actDim } = this.options;
    return {
      trunkWs: this.actorTrunk.workspace(rows),
      headWs: this.actorHead.workspace(rows),
      noise: new Float64Array(rows * actDim),
      sigma: new Float64Array(rows * actDim),
      logp: new Float64Array(rows),
      eps: new Float64Array(rows * actDim),
      latentSq: this.useSde ? this.kernels.heap.alloc(rows * this.latentDim) : null,
    };
  }

  private queries(rows: number): NonNullable<SacNetworks["query"]> {
    if (!this.query || this.query.rows < rows) {
      const { obsDim, actDim } = this.options;
      this.query = {
        rows,
        sample: this.newSample(rows),
        input: this.kernels.heap.alloc(rows * (obsDim + actDim)),
        critics: [this.critics[0].workspace(rows), this.critics[1].workspace(rows)],
      };
    }
    return this.query;
  }

  /**
   * min(Q1, Q2)(s_r, a_r) for k rows of [s, a] (row width obsDim + actDim) in `rows` (a peer's critic term, Eq. 3,
   * and its value function). Uses its own workspaces, so training state is untouched.
   */
  minQ(rows: Float32Array, k: number, out: Float64Array): void {
    const q = this.queries(k);
    const w = this.rowWidth;
    const input = q.input.data;
    for (let i = 0; i < k * w; i++) input[i] = rows[i];
    this.critics[0].forward(q.critics[0], q.input.offset, k);
    this.critics[1].forward(q.critics[1], q.input.offset, k);
    for (let r = 0; r < k; r++) out[r] = Math.min(q.critics[0].output.data[r], q.critics[1].output.data[r]);
  }

  /**
   * Sampled actions (with the policy's noise; gSDE: its current exploration matrix) for the observations in the
   * first obsDim columns of k rows of `rows` (row width obsDim + actDim), written into the action columns.
   */
  sampleInto(rows: Float32Array, k: number): void {
    const q = this.queries(k);
    const { obsDim } = this.options;
    const w = this.rowWidth;
    const input = q.input.data;
    for (let i = 0; i < k * w; i++) input[i] = rows[i];
    this.sampleActions(q.sample, q.input.offset, k, w, rows, obsDim, w);
  }

  get alpha(): number {
    return Math.exp(this.logAlpha);
  }

  /** gSDE: the N(0, 1) draws behind the current exploration matrix (checkpoints), or null without gSDE. */
  get explorationDraws(): Float64Array | null {
    return this.explorationEps;
  }

  /** gSDE: restores the draws and rebuilds E = std * draws. */
  setExplorationDraws(draws: ArrayLike<number>): void {
    if (!this.explorationEps || !this.explorationMat || !this.logStd) return;
    this.explorationEps.set(draws);
    for (let i = 0; i < draws.length; i++) this.explorationMat.data[i] = Math.exp(this.logStd.data[i]) * this.explorationEps[i];
  }

  /** gSDE: a new exploration matrix E_kj = std_kj * N(0, 1) (SB3's reset_noise). */
  resetNoise(): void {
    if (!this.logStd || !this.explorationMat || !this.explorationEps) return;
    const ls = this.logStd.data;
    const e = this.explorationMat.data;
    for (let i = 0; i < e.length; i++) {
      const z = this.rng.normal();
      this.explorationEps[i] = z;
      e[i] = Math.exp(ls[i]) * z;
    }
  }

  /**
   * Runs the actor on `n` rows of `input` (row stride `stride`) and samples a = tanh(u) into `dest` (rows
   * `destStride` apart, from `destOffset`). `reuseNoise`: keep the previous N(0, 1) draws (gradient checks).
   */
  private sampleActions(s: Sample, input: number, n: number, stride: number, dest: Float32Array, destOffset: number, destStride: number, reuseNoise = false): void {
    const { actDim } = this.options;
    this.actorTrunk.forward(s.trunkWs, input, n, stride);
    this.actorHead.forward(s.headWs, s.trunkWs.output.offset, n);
    const out = s.headWs.output.data;
    const k = this.kernels;
    const h = this.latentDim;
    if (this.useSde) {
      // noise = latent @ E; var = latent^2 @ std^2 + 1e-6.
      const latent = s.trunkWs.output.data;
      const lsq = (s.latentSq as Tensor).data;
      for (let i = 0; i < n * h; i++) lsq[i] = latent[i] * latent[i];
      // E = std * eps from the stored draws: the same matrix as resetNoise made, and differentiable in log_std.
      const ssq = (this.stdSq as Tensor).data;
      const ls = (this.logStd as Tensor).data;
      const e = (this.explorationMat as Tensor).data;
      const eps = this.explorationEps as Float64Array;
      for (let i = 0; i < ssq.length; i++) {
        const std = Math.exp(ls[i]);
        ssq[i] = std * std;
        e[i] = std * eps[i];
      }
      k.gemm(false, false, n, actDim, h, s.trunkWs.output.offset, h, (this.explorationMat as Tensor).offset, actDim, (this.sdeNoise as Tensor).offset, actDim, 0);
      k.gemm(false, false, n, actDim, h, (s.latentSq as Tensor).offset, h, (this.stdSq as Tensor).offset, actDim, (this.sdeVar as Tensor).offset, actDim, 0);
    }
    const noise = this.sdeNoise?.data;
    const variance = this.sdeVar?.data;
    const w = this.useSde ? actDim : 2 * actDim;
    for (let i = 0; i < n; i++) {
      let lp = 0;
      for (let j = 0; j < actDim; j++) {
        let mu = out[i * w + j];
        let sigma: number;
        let z: number;
        if (this.useSde) {
          mu = Math.min(Math.max(mu, -CLIP_MEAN), CLIP_MEAN);
          sigma = Math.sqrt((variance as Float32Array)[i * actDim + j] + SDE_EPS);
          z = (noise as Float32Array)[i * actDim + j];
        } else {
          const logStd = Math.min(Math.max(out[i * w + actDim + j], LOG_STD_MIN), LOG_STD_MAX);
          sigma = Math.exp(logStd);
          const e = reuseNoise ? s.eps[i * actDim + j] : this.rng.normal();
          s.eps[i * actDim + j] = e;
          z = sigma * e;
        }
        const a = Math.tanh(mu + z);
        s.noise[i * actDim + j] = z;
        s.sigma[i * actDim + j] = sigma;
        dest[destOffset + i * destStride + j] = a;
        lp += (-0.5 * z * z) / (sigma * sigma) - Math.log(sigma) - HALF_LOG_2PI - Math.log(1 - a * a + TANH_EPS);
      }
      s.logp[i] = lp;
    }
  }

  /** The actor's action for one observation, in [-1, 1] (into `out`); `deterministic`: tanh(mu). */
  act(obs: Float32Array, deterministic: boolean, out: Float32Array): void {
    this.actInput.data.set(obs);
    const { actDim } = this.options;
    const h = this.latentDim;
    this.actorTrunk.forward(this.actTrunk, this.actInput.offset, 1);
    this.actorHead.forward(this.actHead, this.actTrunk.output.offset, 1);
    const head = this.actHead.output.data;
    const latent = this.actTrunk.output.data;
    for (let j = 0; j < actDim; j++) {
      if (this.useSde) {
        const mu = Math.min(Math.max(head[j], -CLIP_MEAN), CLIP_MEAN);
        let z = 0;
        if (!deterministic) {
          const e = (this.explorationMat as Tensor).data;
          for (let q = 0; q < h; q++) z += latent[q] * e[q * actDim + j];
        }
        out[j] = Math.tanh(mu + z);
      } else {
        const mu = head[j];
        const logStd = Math.min(Math.max(head[actDim + j], LOG_STD_MIN), LOG_STD_MAX);
        out[j] = Math.tanh(deterministic ? mu : mu + Math.exp(logStd) * this.rng.normal());
      }
    }
  }

  /** Losses and alpha of the last gradient step (updated in place: a fresh object per step would allocate). */
  readonly lastStats: SacStepStats = { actorLoss: 0, criticLoss: 0, entropyLoss: 0, alpha: 1 };

  /** One gradient step; `updateTarget`: finish with the Polyak update of the target critics (SB3: every
   * targetUpdateInterval-th gradient step of a train() call). */
  trainStep(batch: SacBatch, n = this.options.batchSize, updateTarget = true): void {
    const { obsDim, gamma, tau } = this.options;
    const w = this.rowWidth;
    const k = this.kernels;
    const sa = batch.obsAction;
    const san = batch.nextObsAction;

    // 1. gSDE: one exploration matrix for this whole step (s and s' alike).
    if (this.useSde) this.resetNoise();
    // 2. Actor sample on s (activations kept for the actor's backward pass).
    this.sampleOnObs(sa, n);

    // 3. Entropy coefficient: d(ent_loss)/d(log_alpha) = -mean(log pi + target_entropy).
    const alpha = Math.exp(this.logAlpha);
    let entropyTerm = 0;
    for (let i = 0; i < n; i++) entropyTerm += this.sample.logp[i] + this.targetEntropy;
    entropyTerm /= n;
    const entropyLoss = -this.logAlpha * entropyTerm;
    if (this.options.fixedAlpha === undefined) this.logAlpha = this.alphaOptimizer.update(this.logAlpha, -entropyTerm);

    // 4. Targets from a fresh sample on s' and the target critics.
    this.sampleActions(this.sampleNext, san.offset, n, w, san.data, obsDim, w);
    this.criticTargets[0].forward(this.wsTarget[0], san.offset, n);
    this.criticTargets[1].forward(this.wsTarget[1], san.offset, n);
    const t0 = this.wsTarget[0].output.data;
    const t1 = this.wsTarget[1].output.data;
    const logpNext = this.sampleNext.logp;
    for (let i = 0; i < n; i++) {
      this.y[i] = batch.rewards[i] + (1 - batch.dones[i]) * gamma * (Math.min(t0[i], t1[i]) - alpha * logpNext[i]);
    }

    // 5. Critics: 0.5 * MSE each, then one Adam step each (Adam is per element, so two optimisers equal SB3's one).
    let criticLoss = 0;
    for (let c = 0; c < 2; c++) {
      const ws = this.wsCritic[c];
      this.critics[c].forward(ws, sa.offset, n);
      criticLoss += mseLoss(ws.output.data, this.y, n, 0.5);
      mseGrad(ws.output.data, this.y, n, ws.outputGrad.data, 0.5);
      this.critics[c].backward(ws);
      this.criticOptimizers[c].update();
    }

    // 6. Actor loss with the updated critics.
    const actorLoss = this.actorLossAndGradients(n, alpha);
    for (const opt of this.actorOptimizers) opt.update();

    // 7. Target critics.
    if (updateTarget) {
      polyakUpdate(k, this.criticTargets[0].params, this.critics[0].params, tau);
      polyakUpdate(k, this.criticTargets[1].params, this.critics[1].params, tau);
    }
    const stats = this.lastStats;
    stats.actorLoss = actorLoss;
    stats.criticLoss = criticLoss;
    stats.entropyLoss = entropyLoss;
    stats.alpha = alpha;
  }

  /** Samples a_pi for the observations in the first columns of `sa` (into obsActionPi), keeping what the actor's
   * backward pass needs. `reuseNoise`: the same noise as the last call (gradient checks). */
  sampleOnObs(sa: Tensor, n: number, reuseNoise = false): void {
    const { obsDim } = this.options;
    const w = this.rowWidth;
    const pi = this.obsActionPi.data;
    const saData = sa.data;
    for (let i = 0; i < n; i++) for (let j = 0; j < obsDim; j++) pi[i * w + j] = saData[i * w + j];
    this.sampleActions(this.sample, sa.offset, n, w, pi, obsDim, w, reuseNoise);
  }

  /**
   * mean(alpha log pi - min(Q1, Q2)(s, a_pi)) for the sample in this.sample (actions in obsActionPi), and its
   * gradients into the actor's parameter gradients (trunk, head and, with gSDE, log_std). Returns the loss.
   * Derivatives (per row, action j; n_j = u_j - mu_j the noise; a = tanh(u)):
   *   dL/du_j = alpha/B [-n_j / sigma_j^2 + 2 a (1 - a^2) / (1 - a^2 + 1e-6)] + dL/da_j (1 - a_j^2)
   *   dL/dmu_j = dL/du_j + alpha/B n_j / sigma_j^2        (the Gaussian term cancels: u moves with mu)
   *   dL/dsigma_j = alpha/B (n_j^2 / sigma_j^3 - 1 / sigma_j)
   * Without gSDE: n = sigma eps, sigma = exp(log_std) from the head, so dL/dlog_std = dL/du eps sigma + sigma dL/dsigma.
   * With gSDE: n = latent @ E and sigma^2 = latent^2 @ std^2 + 1e-6 feed back into the latent and log_std.
   */
  actorLossAndGradients(n: number, alpha: number): number {
    const { obsDim, actDim } = this.options;
    const w = this.rowWidth;
    const s = this.sample;
    const q0 = this.wsCriticPi[0];
    const q1 = this.wsCriticPi[1];
    this.critics[0].forward(q0, this.obsActionPi.offset, n);
    this.critics[1].forward(q1, this.obsActionPi.offset, n);
    let actorLoss = 0;
    const g0 = q0.outputGrad.data;
    const g1 = q1.outputGrad.data;
    for (let i = 0; i < n; i++) {
      const first = q0.output.data[i] <= q1.output.data[i]; // torch.min picks the first on ties
      actorLoss += alpha * s.logp[i] - (first ? q0.output.data[i] : q1.output.data[i]);
      g0[i] = first ? -1 / n : 0;
      g1[i] = first ? 0 : -1 / n;
    }
    actorLoss /= n;
    this.critics[0].backward(q0, { paramGrads: false, inputGrad: true });
    this.critics[1].backward(q1, { paramGrads: false, inputGrad: true });
    const pi = this.obsActionPi.data;
    const head = s.headWs.output.data;
    const dHead = s.headWs.outputGrad.data;
    const dqa0 = q0.inputGrad.data;
    const dqa1 = q1.inputGrad.data;
    const hw = this.useSde ? actDim : 2 * actDim;
    const c = alpha / n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < actDim; j++) {
        const idx = i * actDim + j;
        const a = pi[i * w + obsDim + j];
        const oneMinusA2 = 1 - a * a;
        const dLda = dqa0[i * w + obsDim + j] + dqa1[i * w + obsDim + j];
        const z = s.noise[idx];
        const sigma = s.sigma[idx];
        const dLdu = c * ((-z / (sigma * sigma)) + (2 * a * oneMinusA2) / (oneMinusA2 + TANH_EPS)) + dLda * oneMinusA2;
        const dLdmu = dLdu + (c * z) / (sigma * sigma);
        const dLdsigma = c * ((z * z) / (sigma * sigma * sigma) - 1 / sigma);
        if (this.useSde) {
          const rawMu = head[i * hw + j];
          dHead[i * hw + j] = rawMu < -CLIP_MEAN || rawMu > CLIP_MEAN ? 0 : dLdmu; // Hardtanh
          (this.dNoise as Tensor).data[idx] = dLdu;
          (this.dSigmaOver as Tensor).data[idx] = dLdsigma / sigma;
        } else {
          dHead[i * hw + j] = dLdmu;
          const raw = head[i * hw + actDim + j];
          const clamped = raw < LOG_STD_MIN || raw > LOG_STD_MAX;
          dHead[i * hw + actDim + j] = clamped ? 0 : dLdu * s.eps[idx] * sigma + dLdsigma * sigma;
        }
      }
    }
    // Head backward gives dL/dlatent through mu; gSDE adds the paths through the noise and sigma.
    this.actorHead.backward(s.headWs, { inputGrad: true });
    const dLatent = s.trunkWs.outputGrad.data;
    const fromHead = s.headWs.inputGrad.data;
    for (let i = 0; i < n * this.latentDim; i++) dLatent[i] = fromHead[i];
    if (this.useSde) this.sdeBackward(n, dLatent);
    this.actorTrunk.backward(s.trunkWs);
    return actorLoss;
  }

  /**
   * gSDE's share of the actor gradient, with N = latent @ E (noise) and V = latent^2 @ std^2 (variance):
   *   dL/dlatent += dN @ E^T + latent * ((dSigma / sigma) @ (std^2)^T)
   *   dL/dlog_std = E * (latent^T @ dN) + std^2 * ((latent^2)^T @ (dSigma / sigma))
   * (d sigma / d latent_k = latent_k std_kj^2 / sigma; d sigma / d log_std_kj = latent_k^2 std_kj^2 / sigma.)
   */
  private sdeBackward(n: number, dLatent: Float32Array): void {
    const k = this.kernels;
    const { actDim } = this.options;
    const h = this.latentDim;
    const latentWs = this.sample.trunkWs;
    const dN = this.dNoise as Tensor;
    const dS = this.dSigmaOver as Tensor;
    const E = this.explorationMat as Tensor;
    const ssq = this.stdSq as Tensor;
    const scratch = this.scratchHA as Tensor;
    const latent = latentWs.output.data;
    // dN @ E^T -> scratch (n x h), added to dLatent.
    k.gemm(false, true, n, h, actDim, dN.offset, actDim, E.offset, actDim, scratch.offset, h, 0);
    for (let i = 0; i < n * h; i++) dLatent[i] += scratch.data[i];
    // (dS / sigma) @ (std^2)^T -> scratch, times latent, added.
    k.gemm(false, true, n, h, actDim, dS.offset, actDim, ssq.offset, actDim, scratch.offset, h, 0);
    for (let i = 0; i < n * h; i++) dLatent[i] += latent[i] * scratch.data[i];
    // log_std gradient: E * (latent^T @ dN) + std^2 * ((latent^2)^T @ dS').
    const g = (this.logStdGrad as Tensor).data;
    k.gemm(true, false, h, actDim, n, latentWs.output.offset, h, dN.offset, actDim, scratch.offset, actDim, 0);
    for (let i = 0; i < h * actDim; i++) g[i] = E.data[i] * scratch.data[i];
    k.gemm(true, false, h, actDim, n, (this.sample.latentSq as Tensor).offset, h, dS.offset, actDim, scratch.offset, actDim, 0);
    for (let i = 0; i < h * actDim; i++) g[i] += ssq.data[i] * scratch.data[i];
  }
}
