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
 * The actor (a squashed Gaussian) is in actor.ts, gSDE in gsde.ts, the entropy coefficient in
 * entropy.ts; this file holds the twin critics and the step.
 */
import type { Random } from "../../core/random.js";
import type { Tensor } from "../../nn/kernels/heap.js";
import type { Kernels } from "../../nn/kernels/kernels.js";
import { Adam } from "../../nn/adam.js";
import { addMseLoss, mseGrad } from "../../nn/losses.js";
import { INPUT_GRAD_ONLY, Mlp, type MlpWorkspace } from "../../nn/mlp.js";
import { PolyakUpdater } from "../../nn/ops.js";
import { SquashedGaussianActor, type Sample } from "./actor.js";
import { EntropyCoefficient, type ScalarAdam } from "./entropy.js";

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

export class SacNetworks {
  readonly actor: SquashedGaussianActor;
  readonly critics: [Mlp, Mlp];
  readonly criticTargets: [Mlp, Mlp];
  readonly criticOptimizers: [Adam, Adam];
  readonly entropy: EntropyCoefficient;
  readonly useSde: boolean;
  private readonly rowWidth: number;

  private readonly sample: Sample;
  private readonly sampleNext: Sample;
  private readonly wsCritic: [MlpWorkspace, MlpWorkspace];
  private readonly wsTarget: [MlpWorkspace, MlpWorkspace];
  private readonly wsCriticPi: [MlpWorkspace, MlpWorkspace];
  /** batch x (obsDim + actDim): s with the actor's own action a_pi. */
  private readonly obsActionPi: Tensor;
  private readonly y: Float32Array;
  /** The critic loss of a step, summed in a cell (a double returned from a call would allocate). */
  private readonly criticLoss = new Float64Array(1);
  /** The target critics' Polyak updates. */
  private readonly polyak: PolyakUpdater[];

  constructor(
    readonly kernels: Kernels,
    readonly options: SacNetworkOptions,
    private readonly rng: Random,
  ) {
    const { obsDim, actDim, hidden, batchSize: n } = options;
    this.useSde = options.useSde ?? false;
    this.rowWidth = obsDim + actDim;
    const lr = options.learningRate;
    // The generator's draws in SB3's order: actor, then critics; gSDE's first matrix last.
    this.actor = new SquashedGaussianActor(
      kernels,
      obsDim,
      actDim,
      hidden,
      n,
      lr,
      this.useSde,
      options.logStdInit ?? -3,
      rng,
    );
    const criticSpec = { sizes: [obsDim + actDim, ...hidden, 1] };
    this.critics = [new Mlp(kernels, criticSpec), new Mlp(kernels, criticSpec)];
    this.criticTargets = [new Mlp(kernels, criticSpec), new Mlp(kernels, criticSpec)];
    for (let i = 0; i < 2; i++) {
      this.critics[i].initPytorchDefault(rng);
      this.criticTargets[i].copyFrom(this.critics[i]);
    }
    this.criticOptimizers = [
      new Adam(kernels, this.critics[0].params, this.critics[0].grads, { lr }),
      new Adam(kernels, this.critics[1].params, this.critics[1].grads, { lr }),
    ];
    this.entropy = new EntropyCoefficient(
      lr,
      options.targetEntropy ?? -actDim,
      options.fixedAlpha ?? options.initialAlpha ?? 1,
      options.fixedAlpha !== undefined,
    );
    this.sample = this.actor.newSample(n);
    this.sampleNext = this.actor.newSample(n);
    this.wsCritic = [this.critics[0].workspace(n), this.critics[1].workspace(n)];
    this.wsTarget = [this.criticTargets[0].workspace(n), this.criticTargets[1].workspace(n)];
    this.wsCriticPi = [this.critics[0].workspace(n), this.critics[1].workspace(n)];
    this.obsActionPi = kernels.heap.alloc(n * this.rowWidth);
    this.polyak = [0, 1].map(
      (i) => new PolyakUpdater(kernels, this.criticTargets[i].params, this.critics[i].params, options.tau),
    );
    this.y = new Float32Array(n);
    this.resetNoise();
  }

  // ---- the actor's parts, by the names checkpoints and callers use ----

  get actorTrunk(): Mlp {
    return this.actor.trunk;
  }
  get actorHead(): Mlp {
    return this.actor.head;
  }
  get actorOptimizers(): Adam[] {
    return this.actor.optimizers;
  }
  /** gSDE: log std [latent, act], its gradient, and the exploration matrix E (null without gSDE). */
  get logStd(): Tensor | null {
    return this.actor.gsde?.logStd ?? null;
  }
  get logStdGrad(): Tensor | null {
    return this.actor.gsde?.logStdGrad ?? null;
  }
  get explorationMat(): Tensor | null {
    return this.actor.gsde?.explorationMat ?? null;
  }
  /** gSDE: the N(0, 1) draws behind the current exploration matrix (checkpoints), or null without gSDE. */
  get explorationDraws(): Float64Array | null {
    return this.actor.gsde?.draws ?? null;
  }

  /** gSDE: restores the draws and rebuilds E = std * draws. */
  setExplorationDraws(draws: ArrayLike<number>): void {
    this.actor.gsde?.setDraws(draws);
  }

  /** gSDE: a new exploration matrix (SB3's reset_noise); nothing without gSDE. */
  resetNoise(): void {
    this.actor.gsde?.reset(this.rng);
  }

  // ---- the entropy coefficient ----

  get logAlpha(): number {
    return this.entropy.logAlpha;
  }
  set logAlpha(x: number) {
    this.entropy.logAlpha = x;
  }
  get alphaOptimizer(): ScalarAdam {
    return this.entropy.optimizer;
  }
  get targetEntropy(): number {
    return this.entropy.targetEntropy;
  }
  get alpha(): number {
    return this.entropy.alpha;
  }

  /** The actor's action for one observation, in [-1, 1] (into `out`); `deterministic`: tanh(mu). */
  act(obs: Float32Array, deterministic: boolean, out: Float32Array): void {
    this.actor.act(obs, deterministic, out);
  }

  // ---- the gradient step ----

  /** Losses and alpha of the last gradient step (updated in place: a fresh object per step would allocate). */
  readonly lastStats: SacStepStats = { actorLoss: 0, criticLoss: 0, entropyLoss: 0, alpha: 1 };

  /** One gradient step; `updateTarget`: finish with the Polyak update of the target critics (SB3: every
   * targetUpdateInterval-th gradient step of a train() call). */
  trainStep(batch: SacBatch, n = this.options.batchSize, updateTarget = true): void {
    const { obsDim, gamma } = this.options;
    const w = this.rowWidth;
    const sa = batch.obsAction;
    const san = batch.nextObsAction;

    // 1. gSDE: one exploration matrix for this whole step (s and s' alike).
    this.resetNoise();
    // 2. Actor sample on s (activations kept for the actor's backward pass).
    this.sampleOnObs(sa, n);
    // 3. Entropy coefficient (alpha from before its step).
    this.entropy.update(this.sample.logp, n);
    const alpha = this.entropy.lastAlpha;

    // 4. Targets from a fresh sample on s' and the target critics.
    this.actor.sample(this.sampleNext, san.offset, n, w, san.data, obsDim, w);
    this.criticTargets[0].forward(this.wsTarget[0], san.offset, n);
    this.criticTargets[1].forward(this.wsTarget[1], san.offset, n);
    const t0 = this.wsTarget[0].output.data;
    const t1 = this.wsTarget[1].output.data;
    const logpNext = this.sampleNext.logp;
    for (let i = 0; i < n; i++) {
      this.y[i] = batch.rewards[i] + (1 - batch.dones[i]) * gamma * (Math.min(t0[i], t1[i]) - alpha * logpNext[i]);
    }

    // 5. Critics: 0.5 * MSE each, then one Adam step each (Adam is per element, so two optimisers equal SB3's one).
    const criticLoss = this.criticLoss;
    criticLoss[0] = 0;
    for (let c = 0; c < 2; c++) {
      const ws = this.wsCritic[c];
      this.critics[c].forward(ws, sa.offset, n);
      addMseLoss(ws.output.data, this.y, n, criticLoss, 0, 0.5);
      mseGrad(ws.output.data, this.y, n, ws.outputGrad.data, 0.5);
      this.critics[c].backward(ws);
      this.criticOptimizers[c].update();
    }

    // 6. Actor loss with the updated critics.
    this.actorLossAndGradients(n);
    for (const opt of this.actorOptimizers) opt.update();

    // 7. Target critics.
    if (updateTarget) {
      for (let i = 0; i < this.polyak.length; i++) this.polyak[i].apply();
    }
    const stats = this.lastStats;
    stats.criticLoss = criticLoss[0];
    stats.entropyLoss = this.entropy.lastLoss;
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
    this.actor.sample(this.sample, sa.offset, n, w, pi, obsDim, w, reuseNoise);
  }

  /**
   * mean(alpha log pi - min(Q1, Q2)(s, a_pi)) for the sample in this.sample (actions in obsActionPi), and its
   * gradients into the actor's parameter gradients (SquashedGaussianActor.backward); the loss goes to
   * lastStats.actorLoss. Alpha is this step's (entropy.lastAlpha): doubles passed to or returned from a call that
   * is not inlined would allocate on every step.
   */
  actorLossAndGradients(n: number): void {
    const alpha = this.entropy.lastAlpha;
    const q0 = this.wsCriticPi[0];
    const q1 = this.wsCriticPi[1];
    this.critics[0].forward(q0, this.obsActionPi.offset, n);
    this.critics[1].forward(q1, this.obsActionPi.offset, n);
    let actorLoss = 0;
    const g0 = q0.outputGrad.data;
    const g1 = q1.outputGrad.data;
    for (let i = 0; i < n; i++) {
      const first = q0.output.data[i] <= q1.output.data[i]; // torch.min picks the first on ties
      actorLoss += alpha * this.sample.logp[i] - (first ? q0.output.data[i] : q1.output.data[i]);
      g0[i] = first ? -1 / n : 0;
      g1[i] = first ? 0 : -1 / n;
    }
    actorLoss /= n;
    this.critics[0].backward(q0, INPUT_GRAD_ONLY);
    this.critics[1].backward(q1, INPUT_GRAD_ONLY);
    this.sample.logpCoef = alpha / n;
    this.actor.backward(
      this.sample,
      n,
      this.obsActionPi.data,
      q0.inputGrad.data,
      q1.inputGrad.data,
      this.options.obsDim,
      this.rowWidth,
    );
    this.lastStats.actorLoss = actorLoss;
  }
}
