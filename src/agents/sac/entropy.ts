/**
 * SAC's entropy coefficient, as Stable-Baselines3 1.5 learns it ("auto"): alpha = exp(log_alpha), with the entropy
 * loss -mean(log_alpha (log pi + target_entropy)) minimised by Adam on log_alpha; or a fixed alpha.
 */

/** A one-parameter Adam (PyTorch semantics) for log alpha, which lives in JavaScript, not on the heap. */
export class ScalarAdam {
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

export class EntropyCoefficient {
  logAlpha: number;
  readonly optimizer: ScalarAdam;
  /** The entropy loss of the last update. */
  lastLoss = 0;

  constructor(
    learningRate: number,
    readonly targetEntropy: number,
    initialAlpha: number,
    /** Keep alpha at its initial value (SB3's ent_coef given as a number). */
    private readonly fixed: boolean,
  ) {
    this.logAlpha = Math.log(initialAlpha);
    this.optimizer = new ScalarAdam(learningRate);
  }

  get alpha(): number {
    return Math.exp(this.logAlpha);
  }

  /**
   * One step on the log pi of a batch's n sampled actions: d(loss)/d(log_alpha) = -mean(log pi + target_entropy).
   * Returns alpha from before the step, which this gradient step's losses use.
   */
  update(logp: Float64Array, n: number): number {
    const alpha = Math.exp(this.logAlpha);
    let entropyTerm = 0;
    for (let i = 0; i < n; i++) entropyTerm += logp[i] + this.targetEntropy;
    entropyTerm /= n;
    this.lastLoss = -this.logAlpha * entropyTerm;
    if (!this.fixed) this.logAlpha = this.optimizer.update(this.logAlpha, -entropyTerm);
    return alpha;
  }
}
