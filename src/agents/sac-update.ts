/**
 * One SAC gradient step with Stable-Baselines3 1.5's semantics (sac/sac.py `train`, without gSDE), in its order:
 *   2. a_pi, log pi(a_pi|s) from the actor (reparameterised sample)
 *   3. alpha = exp(log_alpha) (value before this step); entropy loss -mean(log_alpha (log pi + target_entropy));
 *      Adam step on log_alpha
 *   4. y = r + (1 - done) gamma (min_i Q_target_i(s', a') - alpha log pi(a'|s')), a' a fresh sample  (no gradient)
 *   5. critic loss 0.5 sum_i MSE(Q_i(s, a), y); Adam step on the critics
 *   6. actor loss mean(alpha log pi - min_i Q_i(s, a_pi)) with the just-updated critics; Adam step on the actor
 *   7. Polyak update of the target critics.
 *
 * The actor is one MLP [obs, hidden..., 2 * act]: its last layer holds SB3's two heads side by side (mu in the first
 * act columns, log_std in the rest), which is the same function as two Linear layers on the shared latent.
 * Squashed Gaussian: u = mu + std * eps, a = tanh(u), log pi = sum_j [log N(u_j; mu_j, std_j) - log(1 - a_j^2 + 1e-6)].
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
  private m = 0;
  private v = 0;
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

export class SacNetworks {
  readonly actor: Mlp;
  readonly critics: [Mlp, Mlp];
  readonly criticTargets: [Mlp, Mlp];
  readonly actorOptimizer: Adam;
  readonly criticOptimizers: [Adam, Adam];
  logAlpha: number;
  readonly targetEntropy: number;
  private readonly alphaOptimizer: ScalarAdam;
  private readonly rowWidth: number;

  // Workspaces: actor on s (kept for its backward), actor on s', critics on (s, a), targets on (s', a'), critics on
  // (s, a_pi) (for dQ/da).
  private readonly wsActor: MlpWorkspace;
  private readonly wsActorNext: MlpWorkspace;
  private readonly wsCritic: [MlpWorkspace, MlpWorkspace];
  private readonly wsTarget: [MlpWorkspace, MlpWorkspace];
  private readonly wsCriticPi: [MlpWorkspace, MlpWorkspace];
  /** batch x (obsDim + actDim): s with the actor's own action a_pi. */
  private readonly obsActionPi: Tensor;
  /** The Gaussian noise of the samples on s (the actor's backward pass needs it) and on s'. */
  private readonly eps: Float32Array;
  private readonly epsNext: Float32Array;
  private readonly logp: Float32Array;
  private readonly y: Float32Array;
  private readonly dq: Float32Array;

  constructor(
    readonly kernels: Kernels,
    readonly options: SacNetworkOptions,
    private readonly rng: Random,
  ) {
    const { obsDim, actDim, hidden, batchSize: n } = options;
    this.rowWidth = obsDim + actDim;
    this.actor = new Mlp(kernels, { sizes: [obsDim, ...hidden, 2 * actDim] });
    const criticSpec = { sizes: [obsDim + actDim, ...hidden, 1] };
    this.critics = [new Mlp(kernels, criticSpec), new Mlp(kernels, criticSpec)];
    this.criticTargets = [new Mlp(kernels, criticSpec), new Mlp(kernels, criticSpec)];
    this.actor.initPytorchDefault(rng);
    for (let i = 0; i < 2; i++) {
      this.critics[i].initPytorchDefault(rng);
      this.criticTargets[i].copyFrom(this.critics[i]);
    }
    const lr = options.learningRate;
    this.actorOptimizer = new Adam(kernels, this.actor.params, this.actor.grads, { lr });
    this.criticOptimizers = [
      new Adam(kernels, this.critics[0].params, this.critics[0].grads, { lr }),
      new Adam(kernels, this.critics[1].params, this.critics[1].grads, { lr }),
    ];
    this.logAlpha = Math.log(options.initialAlpha ?? 1);
    this.alphaOptimizer = new ScalarAdam(lr);
    this.targetEntropy = -actDim;
    this.wsActor = this.actor.workspace(n);
    this.wsActorNext = this.actor.workspace(n);
    this.wsCritic = [this.critics[0].workspace(n), this.critics[1].workspace(n)];
    this.wsTarget = [this.criticTargets[0].workspace(n), this.criticTargets[1].workspace(n)];
    this.wsCriticPi = [this.critics[0].workspace(n), this.critics[1].workspace(n)];
    this.obsActionPi = kernels.heap.alloc(n * this.rowWidth);
    this.eps = new Float32Array(n * actDim);
    this.epsNext = new Float32Array(n * actDim);
    this.logp = new Float32Array(n);
    this.y = new Float32Array(n);
    this.dq = new Float32Array(n);
  }

  /**
   * Samples a = tanh(mu + std * eps) for the rows of the actor's last forward pass in `ws`, writing the actions into
   * columns [obsDim, obsDim + actDim) of `dest` (row width obsDim + actDim), the noise into `eps` and log pi into
   * `logp`.
   */
  private sampleActions(ws: MlpWorkspace, n: number, dest: Float32Array, eps: Float32Array, logp: Float32Array): void {
    const { obsDim, actDim } = this.options;
    const out = ws.output.data;
    const w = this.rowWidth;
    for (let i = 0; i < n; i++) {
      let lp = 0;
      for (let j = 0; j < actDim; j++) {
        const mu = out[i * 2 * actDim + j];
        const logStd = Math.min(Math.max(out[i * 2 * actDim + actDim + j], LOG_STD_MIN), LOG_STD_MAX);
        const e = this.rng.normal();
        const a = Math.tanh(mu + Math.exp(logStd) * e);
        eps[i * actDim + j] = e;
        dest[i * w + obsDim + j] = a;
        lp += -0.5 * e * e - logStd - HALF_LOG_2PI - Math.log(1 - a * a + TANH_EPS);
      }
      logp[i] = lp;
    }
  }

  /** Losses and alpha of the last gradient step (updated in place: a fresh object per step would allocate). */
  readonly lastStats: SacStepStats = { actorLoss: 0, criticLoss: 0, entropyLoss: 0, alpha: 1 };

  trainStep(batch: SacBatch, n = this.options.batchSize): void {
    const { obsDim, actDim, gamma, tau } = this.options;
    const w = this.rowWidth;
    const k = this.kernels;
    const sa = batch.obsAction;
    const san = batch.nextObsAction;
    const pi = this.obsActionPi.data;

    // 2. Actor sample on s (activations kept for the actor's backward pass).
    this.actor.forward(this.wsActor, sa.offset, n, w);
    const saData = sa.data;
    for (let i = 0; i < n; i++) for (let j = 0; j < obsDim; j++) pi[i * w + j] = saData[i * w + j];
    this.sampleActions(this.wsActor, n, pi, this.eps, this.logp);

    // 3. Entropy coefficient: d(ent_loss)/d(log_alpha) = -mean(log pi + target_entropy).
    const alpha = Math.exp(this.logAlpha);
    let entropyTerm = 0;
    for (let i = 0; i < n; i++) entropyTerm += this.logp[i] + this.targetEntropy;
    entropyTerm /= n;
    const entropyLoss = -this.logAlpha * entropyTerm;
    this.logAlpha = this.alphaOptimizer.update(this.logAlpha, -entropyTerm);

    // 4. Targets from a fresh sample on s' and the target critics.
    this.actor.forward(this.wsActorNext, san.offset, n, w);
    const logpNext = this.dq; // scratch, overwritten by the critic loss below
    this.sampleActions(this.wsActorNext, n, san.data, this.epsNext, logpNext);
    this.criticTargets[0].forward(this.wsTarget[0], san.offset, n);
    this.criticTargets[1].forward(this.wsTarget[1], san.offset, n);
    const t0 = this.wsTarget[0].output.data;
    const t1 = this.wsTarget[1].output.data;
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

    // 6. Actor loss with the updated critics: mean(alpha log pi - min(Q1, Q2)(s, a_pi)).
    const q0 = this.wsCriticPi[0];
    const q1 = this.wsCriticPi[1];
    this.critics[0].forward(q0, this.obsActionPi.offset, n);
    this.critics[1].forward(q1, this.obsActionPi.offset, n);
    let actorLoss = 0;
    const g0 = q0.outputGrad.data;
    const g1 = q1.outputGrad.data;
    for (let i = 0; i < n; i++) {
      const first = q0.output.data[i] <= q1.output.data[i]; // torch.min picks the first on ties
      const minQ = first ? q0.output.data[i] : q1.output.data[i];
      actorLoss += alpha * this.logp[i] - minQ;
      g0[i] = first ? -1 / n : 0;
      g1[i] = first ? 0 : -1 / n;
    }
    actorLoss /= n;
    this.critics[0].backward(q0, { paramGrads: false, inputGrad: true });
    this.critics[1].backward(q1, { paramGrads: false, inputGrad: true });
    // dL/du = alpha/n * d(log pi)/du + dL/da * (1 - a^2), where d(log pi)/du through the tanh correction is
    // 2a(1 - a^2) / (1 - a^2 + 1e-6) and the Gaussian term's total derivative is 0 wrt mu and -1 wrt log_std.
    const out = this.wsActor.output.data;
    const dOut = this.wsActor.outputGrad.data;
    const dqa0 = q0.inputGrad.data;
    const dqa1 = q1.inputGrad.data;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < actDim; j++) {
        const a = pi[i * w + obsDim + j];
        const oneMinusA2 = 1 - a * a;
        const dLda = dqa0[i * w + obsDim + j] + dqa1[i * w + obsDim + j];
        const dLdu = ((alpha / n) * 2 * a * oneMinusA2) / (oneMinusA2 + TANH_EPS) + dLda * oneMinusA2;
        const rawLogStd = out[i * 2 * actDim + actDim + j];
        const clamped = rawLogStd < LOG_STD_MIN || rawLogStd > LOG_STD_MAX;
        const logStd = clamped ? (rawLogStd < LOG_STD_MIN ? LOG_STD_MIN : LOG_STD_MAX) : rawLogStd;
        dOut[i * 2 * actDim + j] = dLdu;
        dOut[i * 2 * actDim + actDim + j] = clamped ? 0 : dLdu * Math.exp(logStd) * this.eps[i * actDim + j] - alpha / n;
      }
    }
    this.actor.backward(this.wsActor);
    this.actorOptimizer.update();

    // 7. Target critics.
    polyakUpdate(k, this.criticTargets[0].params, this.critics[0].params, tau);
    polyakUpdate(k, this.criticTargets[1].params, this.critics[1].params, tau);
    const stats = this.lastStats;
    stats.actorLoss = actorLoss;
    stats.criticLoss = criticLoss;
    stats.entropyLoss = entropyLoss;
    stats.alpha = alpha;
  }
}
