/**
 * One DQN gradient step with Stable-Baselines3 1.5's semantics (dqn/dqn.py `train`), on a batch already gathered
 * into heap buffers:
 *   1. q_next = max_a Q_target(s')                     (no gradient)
 *   2. y = r + (1 - done) * gamma * q_next              (done excludes time-limit truncations)
 *   3. q = Q(s)[a]
 *   4. loss = smooth_l1(q, y), mean over the batch
 *   5. backward; clip the global gradient norm to maxGradNorm; Adam step.
 * The target network is updated elsewhere (by Polyak averaging every targetUpdateInterval env steps).
 */
import type { Random } from "../../core/random.js";
import type { Tensor } from "../../nn/kernels/heap.js";
import type { Kernels } from "../../nn/kernels/kernels.js";
import { Adam } from "../../nn/adam.js";
import { huberGrad, huberLoss } from "../../nn/losses.js";
import { Mlp, type MlpWorkspace } from "../../nn/mlp.js";
import { GradClipper } from "../../nn/ops.js";
import type { ReplayBuffer } from "../replay-buffer.js";
import type { DqnConfig } from "./config.js";

export interface DqnNetworkOptions {
  readonly obsDim: number;
  readonly nActions: number;
  readonly hidden: readonly number[];
  readonly batchSize: number;
  readonly learningRate: number;
  readonly gamma: number;
  readonly maxGradNorm: number;
}

/** The batch a DQN step reads: observations on the heap, the rest in plain arrays. */
export interface DqnBatch {
  readonly obs: Tensor; // batch x obsDim
  readonly nextObs: Tensor; // batch x obsDim
  readonly actions: Int32Array; // batch
  readonly rewards: Float32Array; // batch
  /** 1 where the episode terminated (not truncated) at this transition, else 0. */
  readonly dones: Float32Array; // batch
}

export class DqnNetworks {
  readonly qNet: Mlp;
  readonly qTarget: Mlp;
  readonly optimizer: Adam;
  private readonly wsOnline: MlpWorkspace;
  private readonly wsTarget: MlpWorkspace;
  private readonly targets: Float32Array;
  private readonly q: Float32Array;
  private readonly dq: Float32Array;
  private readonly clipper: GradClipper;

  constructor(
    readonly kernels: Kernels,
    readonly options: DqnNetworkOptions,
    rng: Random,
  ) {
    const spec = { sizes: [options.obsDim, ...options.hidden, options.nActions] };
    this.qNet = new Mlp(kernels, spec);
    this.qTarget = new Mlp(kernels, spec);
    this.qNet.initPytorchDefault(rng);
    this.qTarget.copyFrom(this.qNet);
    this.optimizer = new Adam(kernels, this.qNet.params, this.qNet.grads, { lr: options.learningRate });
    this.wsOnline = this.qNet.workspace(options.batchSize);
    this.wsTarget = this.qTarget.workspace(options.batchSize);
    this.targets = new Float32Array(options.batchSize);
    this.q = new Float32Array(options.batchSize);
    this.dq = new Float32Array(options.batchSize);
    this.clipper = new GradClipper(kernels, this.qNet.grads, options.maxGradNorm);
  }

  private lastBatchSize = 0;

  /** Huber loss of the last gradient step (computed on demand: the step itself only needs its gradient). */
  get lastLoss(): number {
    return this.lastBatchSize === 0 ? 0 : huberLoss(this.q, this.targets, this.lastBatchSize);
  }

  /**
   * Whether lastLoss is finite, without computing it: it is exactly when every prediction and target is (a float32
   * difference, summed in double over a batch, cannot overflow). For the divergence check after every round: the
   * loss itself, a double returned from a call, would be boxed.
   */
  lossFinite(): boolean {
    for (let i = 0; i < this.lastBatchSize; i++) {
      if (!Number.isFinite(this.q[i]) || !Number.isFinite(this.targets[i])) return false;
    }
    return true;
  }

  /** One gradient step (see the file comment for its order). */
  trainStep(batch: DqnBatch, n = this.options.batchSize): void {
    const { gamma, nActions } = this.options;
    // 1-2. TD targets from the target network.
    this.qTarget.forward(this.wsTarget, batch.nextObs.offset, n);
    const qNext = this.wsTarget.output.data;
    for (let i = 0; i < n; i++) {
      let best = qNext[i * nActions];
      for (let a = 1; a < nActions; a++) best = Math.max(best, qNext[i * nActions + a]);
      this.targets[i] = batch.rewards[i] + (1 - batch.dones[i]) * gamma * best;
    }
    // 3. Q(s, a) of the actions taken.
    this.qNet.forward(this.wsOnline, batch.obs.offset, n);
    const qAll = this.wsOnline.output.data;
    for (let i = 0; i < n; i++) this.q[i] = qAll[i * nActions + batch.actions[i]];
    // 4. Huber loss; its gradient goes only to the taken action's output.
    huberGrad(this.q, this.targets, n, this.dq);
    this.lastBatchSize = n;
    const g = this.wsOnline.outputGrad.data;
    g.fill(0, 0, n * nActions);
    for (let i = 0; i < n; i++) g[i * nActions + batch.actions[i]] = this.dq[i];
    // 5. Backward, clip, Adam.
    this.qNet.backward(this.wsOnline);
    this.clipper.apply();
    this.optimizer.update();
  }
}

export interface DqnBatchBuffers {
  obs: Tensor;
  nextObs: Tensor;
  actions: Int32Array;
  rewards: Float32Array;
  dones: Float32Array;
}

/** One round of training: gradientSteps updates on batches drawn uniformly (with replacement) from the buffer. */
export function trainRound(
  networks: DqnNetworks,
  buf: ReplayBuffer,
  rng: Random,
  c: DqnConfig,
  indices: Int32Array,
  b: DqnBatchBuffers,
): void {
  const { batchSize } = c;
  for (let g = 0; g < c.gradientSteps; g++) {
    buf.sampleIndices(rng, batchSize, indices);
    buf.gatherObs(buf.obs, indices, batchSize, b.obs.data);
    buf.gatherObs(buf.nextObs, indices, batchSize, b.nextObs.data);
    for (let i = 0; i < batchSize; i++) {
      const k = indices[i];
      b.actions[i] = buf.actions[k];
      b.rewards[i] = buf.rewards[k];
      b.dones[i] = buf.terminated[k];
    }
    networks.trainStep(b);
  }
}
