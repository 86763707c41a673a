/**
 * SAC's entropy coefficient, as Stable-Baselines3 1.5 learns it ("auto"): alpha = exp(log_alpha), with the entropy
 * loss -mean(log_alpha (log pi + target_entropy)) minimised by Adam on log_alpha; or a fixed alpha.
 */

/**
 * A one-parameter Adam (PyTorch semantics) for log alpha, which lives in JavaScript, not on the heap. It holds the
 * parameter (`value`) and its gradient (`grad`, set before `update`) and moves the parameter in place: a double
 * passed to or returned from a call that is not inlined would allocate on every gradient step.
 */
export class ScalarAdam {
  m = 0;
  v = 0;
  step = 0;
  // Declared with a number, not as a constructor parameter property: a field that starts undefined keeps every
  // double stored in it boxed anew (an allocation per gradient step).
  value = 0;
  grad = 0;
  constructor(
    public lr: number,
    value: number,
  ) {
    this.value = value;
  }
  update(): void {
    const grad = this.grad;
    this.step += 1;
    this.m = 0.9 * this.m + 0.1 * grad;
    this.v = 0.999 * this.v + 0.001 * grad * grad;
    const stepSize = this.lr / (1 - 0.9 ** this.step);
    this.value -= (stepSize * this.m) / (Math.sqrt(this.v) / Math.sqrt(1 - 0.999 ** this.step) + 1e-8);
  }
}

export class EntropyCoefficient {
  readonly optimizer: ScalarAdam;
  /** The entropy loss of the last update. */
  lastLoss = 0;
  /** Alpha from before the last update: the one that gradient step's losses use. */
  lastAlpha = 1;

  constructor(
    learningRate: number,
    readonly targetEntropy: number,
    initialAlpha: number,
    /** Keep alpha at its initial value (SB3's ent_coef given as a number). */
    private readonly fixed: boolean,
  ) {
    this.optimizer = new ScalarAdam(learningRate, Math.log(initialAlpha));
  }

  get logAlpha(): number {
    return this.optimizer.value;
  }
  set logAlpha(x: number) {
    this.optimizer.value = x;
  }

  get alpha(): number {
    return Math.exp(this.logAlpha);
  }

  /**
   * One step on the log pi of a batch's n sampled actions: d(loss)/d(log_alpha) = -mean(log pi + target_entropy).
   * Keeps alpha from before the step in `lastAlpha`, which this gradient step's losses use.
   */
  update(logp: Float64Array, n: number): void {
    const logAlpha = this.optimizer.value;
    this.lastAlpha = Math.exp(logAlpha);
    let entropyTerm = 0;
    for (let i = 0; i < n; i++) entropyTerm += logp[i] + this.targetEntropy;
    entropyTerm /= n;
    this.lastLoss = -logAlpha * entropyTerm;
    if (this.fixed) return;
    this.optimizer.grad = -entropyTerm;
    this.optimizer.update();
  }
}
