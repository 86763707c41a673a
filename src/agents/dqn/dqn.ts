/**
 * DQN with Stable-Baselines3 1.5's semantics (dqn/dqn.py), in one file that reads top to bottom:
 * - actions: uniform random before `learningStarts` steps, then epsilon-greedy with a linear schedule
 *   (explorationInitialEps -> explorationFinalEps over the first explorationFraction of training);
 * - after every env step: store the transition, Polyak-update the target network every targetUpdateInterval
 *   steps, recompute epsilon from the progress;
 * - every trainFreq steps, once more than learningStarts steps were taken: gradientSteps updates on batches
 *   sampled uniformly from the replay buffer (update.ts: Huber loss, Adam, gradient-norm clip).
 * Evaluation acts greedily. The defaults are SB3's.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Random, RandomState } from "../../core/random.js";
import type { Kernels } from "../../nn/kernels/kernels.js";
import type { Tensor } from "../../nn/kernels/heap.js";
import type { MlpWorkspace } from "../../nn/mlp.js";
import { assignTensors, loadSafetensors, saveSafetensors } from "../../nn/safetensors.js";
import { PolyakUpdater, firstNonFinite } from "../../nn/ops.js";
import { DqnNetworks, trainRound, type DqnBatchBuffers } from "./update.js";
import {
  ReplayBuffer,
  loadReplayBuffer,
  saveReplayBuffer,
  type ReplayBufferState,
  type SharedReplayMemory,
} from "../replay-buffer.js";
import type { AgentSpec } from "../trainable.js";
import type { PolicyDescription } from "../policy-description.js";
import { linearSchedule } from "../schedules.js";
import type { Learner } from "../learner.js";
import { OffPolicyBase } from "../off-policy-base.js";
import type { DqnConfig } from "./config.js";

export { DQN_DEFAULTS, type DqnConfig } from "./config.js";

/** Everything a checkpoint needs besides the files `save` writes. */
export interface DqnState {
  explorationRate: number;
  nCalls: number;
  adamStep: number;
  buffer: ReplayBufferState;
  rng: RandomState;
}

export class Dqn extends OffPolicyBase implements Learner {
  readonly networks: DqnNetworks;
  /** The target network's Polyak update with this agent's tau, made once (it runs every targetUpdateInterval steps). */
  private readonly targetUpdate: PolyakUpdater;
  readonly buffer: ReplayBuffer;
  /** Current epsilon; SB3 starts it at 0 and sets it after the first step. */
  explorationRate = 0;
  /** Env steps seen (SB3's `_n_calls`), which times the target updates. */
  private nCalls = 0;
  private readonly epsilon: (progressRemaining: number) => number;
  private readonly actWs: MlpWorkspace;
  private readonly actInput: Tensor;
  private readonly batch: DqnBatchBuffers;
  private readonly indices: Int32Array;

  constructor(
    readonly kernels: Kernels,
    readonly obsDim: number,
    readonly nActions: number,
    readonly config: DqnConfig,
    private readonly rng: Random,
    /** Keep the replay buffer in shared memory, for a trainer thread to read (or attach to that memory). */
    sharedBuffer: boolean | SharedReplayMemory = false,
  ) {
    super();
    const c = config;
    this.networks = new DqnNetworks(
      kernels,
      {
        obsDim,
        nActions,
        hidden: c.netArch,
        batchSize: c.batchSize,
        learningRate: c.learningRate,
        gamma: c.gamma,
        maxGradNorm: c.maxGradNorm,
      },
      rng,
    );
    this.targetUpdate = new PolyakUpdater(kernels, this.networks.qTarget.params, this.networks.qNet.params, c.tau);
    this.buffer = new ReplayBuffer(c.bufferSize, obsDim, 1, sharedBuffer);
    this.epsilon = linearSchedule(c.explorationInitialEps, c.explorationFinalEps, c.explorationFraction);
    this.actWs = this.networks.qNet.workspace(1);
    this.actInput = kernels.heap.alloc(obsDim);
    this.batch = {
      obs: kernels.heap.alloc(c.batchSize * obsDim),
      nextObs: kernels.heap.alloc(c.batchSize * obsDim),
      actions: new Int32Array(c.batchSize),
      rewards: new Float32Array(c.batchSize),
      dones: new Float32Array(c.batchSize),
    };
    this.indices = new Int32Array(c.batchSize);
    this.qRow = new Float32Array(nActions);
  }

  /** argmax_a Q(obs, a) (first on ties, as torch.argmax). */
  greedyAction(obs: Float32Array): number {
    this.actInput.data.set(obs);
    this.networks.qNet.forward(this.actWs, this.actInput.offset, 1);
    const q = this.actWs.output.data;
    let best = 0;
    for (let a = 1; a < this.nActions; a++) if (q[a] > q[best]) best = a;
    return best;
  }

  predict(obs: Float32Array): number {
    return this.greedyAction(obs);
  }

  logValues(): Record<string, number> {
    return { epsilon: this.explorationRate };
  }

  nonFinite(): string | null {
    const lossFinite = this.trainerLoss === null ? this.networks.lossFinite() : Number.isFinite(this.trainerLoss);
    if (!lossFinite) return "the DQN loss";
    return firstNonFinite(this.kernels, (this.checked ??= [["the Q-network's weights", this.networks.qNet.params]]));
  }

  /** Q(obs, a) for every action, into `out` (what a peer group's critic reads). */
  qValues(obs: Float32Array, out: Float32Array): void {
    this.actInput.data.set(obs);
    this.networks.qNet.forward(this.actWs, this.actInput.offset, 1);
    for (let a = 0; a < this.nActions; a++) out[a] = this.actWs.output.data[a];
  }

  // ---- a peer group's questions (Learner) ----

  readonly algo = "dqn";
  readonly valuesDraw = false;
  readonly actionWidth = 1;
  get discreteActions(): number {
    return this.nActions;
  }
  beginStep(): void {}
  readonly usesBeginStep = false;

  suggest(obs: Float32Array, _deterministic: boolean, out: Float32Array, offset: number): void {
    out[offset] = this.greedyAction(obs);
  }

  /** One forward pass gives every action's value. */
  critic(obs: Float32Array, actions: Float32Array, n: number, out: Float64Array): void {
    this.qValues(obs, this.qRow);
    for (let j = 0; j < n; j++) out[j] = this.qRow[actions[j]];
  }

  /** max_a Q(s, a) for k states, on a workspace of its own (grown, rarely, to the largest batch asked). */
  values(obs: Float32Array, k: number, out: Float64Array): void {
    if (!this.valueWs || this.valueRows < k) {
      this.valueRows = k;
      this.valueWs = this.networks.qNet.workspace(k);
      this.valueInput = this.kernels.heap.alloc(k * this.obsDim);
    }
    const input = (this.valueInput as Tensor).data;
    for (let i = 0; i < k * this.obsDim; i++) input[i] = obs[i];
    this.networks.qNet.forward(this.valueWs, (this.valueInput as Tensor).offset, k);
    const q = this.valueWs.output.data;
    const na = this.nActions;
    for (let r = 0; r < k; r++) {
      let best = q[r * na];
      for (let a = 1; a < na; a++) best = Math.max(best, q[r * na + a]);
      out[r] = best;
    }
  }
  private readonly qRow: Float32Array;
  private valueWs: MlpWorkspace | null = null;
  private valueInput: Tensor | null = null;
  private valueRows = 0;

  describePolicy(): PolicyDescription {
    return { kind: "q-values", layers: this.networks.qNet.denseLayers() };
  }

  loadPolicy(path: string): void {
    const file = loadSafetensors(path);
    const n = this.networks;
    assignTensors([...n.qNet.namedTensors("q_net."), ...n.qTarget.namedTensors("q_net.")], file, path);
    this.onlineVersion += 1;
  }

  /** The action to take at env step `numTimesteps` (0-based count of steps already taken) while training. */
  act(obs: Float32Array, numTimesteps: number): number {
    if (numTimesteps < this.config.learningStarts) return this.rng.integer(0, this.nActions);
    if (this.rng.uniform() < this.explorationRate) return this.rng.integer(0, this.nActions);
    return this.greedyAction(obs);
  }

  /** Stores a transition and does SB3's per-step bookkeeping (target update, epsilon). */
  override observe(
    obs: Float32Array,
    nextObs: Float32Array,
    action: number | Float32Array,
    reward: number,
    terminated: boolean,
    numTimesteps: number,
    totalTimesteps: number,
  ): void {
    this.buffer.add(obs, nextObs, action, reward, terminated);
    this.nCalls += 1;
    if (this.nCalls % this.config.targetUpdateInterval === 0) {
      if (this.onTrainerThread) this.pendingTargetUpdates += 1;
      else this.updateTarget();
    }
    this.explorationRate = this.epsilon(1 - numTimesteps / totalTimesteps);
  }

  /**
   * The target update. With tau = 1 it is a copy (0 * target + source is source, to the bit), so while the online
   * network has not changed since the last one it would change nothing and is skipped: with the published Room
   * settings (an update every env step, training every 8) that is 7 passes over the weights in 8.
   */
  private updateTarget(): void {
    if (this.config.tau === 1 && this.syncedVersion === this.onlineVersion) return;
    this.targetUpdate.apply();
    this.syncedVersion = this.onlineVersion;
  }
  /** Counts changes of the online weights (training, loading, a trainer thread's hand-back); the target's copy of it. */
  private onlineVersion = 0;
  private syncedVersion = -1;

  /**
   * When training runs in another thread (agents/trainers/trainer-pool.ts), target updates are counted here and applied
   * there before the next round, in the same order: the online network does not change between rounds.
   */
  private pendingTargetUpdates = 0;
  /** The trainer thread's last loss, until this thread trains again (the divergence check reads it). */
  private trainerLoss: number | null = null;

  get spec(): AgentSpec {
    return { algo: "dqn", obsDim: this.obsDim, actionSize: this.nActions, config: this.config };
  }

  stateBlocks(): Float32Array[] {
    const n = this.networks;
    return [n.qNet.params.data, n.qTarget.params.data, n.optimizer.m.data, n.optimizer.v.data];
  }

  readonly actingBlocks = [0] as const;

  readonly trainerScalarCount = 2;

  writeTrainerScalars(out: Float64Array): void {
    out[0] = this.networks.optimizer.step;
    out[1] = this.lastLoss;
  }

  setTrainerScalars(values: ArrayLike<number>): void {
    this.onlineVersion += 1; // the weights were just copied from a trainer thread
    this.networks.optimizer.step = values[0];
    this.trainerLoss = values[1];
  }

  takePending(): number {
    const k = this.pendingTargetUpdates;
    this.pendingTargetUpdates = 0;
    return k;
  }

  applyPending(count: number): void {
    for (let k = 0; k < count; k++) this.updateTarget();
  }

  trainNow(): void {
    this.onlineVersion += 1;
    this.trainerLoss = null;
    trainRound(this.networks, this.buffer, this.rng, this.config, this.indices, this.batch);
  }

  /** The generator that acting and replay sampling share (a trainer thread borrows its state for a round). */
  get random(): Random {
    return this.rng;
  }

  get lastLoss(): number {
    return this.trainerLoss ?? this.networks.lastLoss;
  }

  /** Writes weights and optimiser moments (model.safetensors) and the replay buffer (buffer.bin) into dir. */
  save(dir: string, withBuffer = true): DqnState {
    mkdirSync(dir, { recursive: true });
    const n = this.networks;
    saveSafetensors(
      join(dir, "model.safetensors"),
      [
        ...n.qNet.namedTensors("q_net."),
        ...n.qTarget.namedTensors("q_net_target."),
        { name: "optimizer.exp_avg", shape: [n.optimizer.m.length], data: n.optimizer.m.data },
        { name: "optimizer.exp_avg_sq", shape: [n.optimizer.v.length], data: n.optimizer.v.data },
      ],
      { algo: "dqn", format: "pt" },
    );
    if (withBuffer) saveReplayBuffer(join(dir, "buffer.bin"), this.buffer);
    return {
      explorationRate: this.explorationRate,
      nCalls: this.nCalls,
      adamStep: n.optimizer.step,
      buffer: this.buffer.getState(),
      rng: this.rng.getState(),
    };
  }

  /** Restores what `save` wrote (and the state it returned). */
  load(dir: string, savedState?: unknown): void {
    const state = savedState as DqnState | undefined;
    const path = join(dir, "model.safetensors");
    const file = loadSafetensors(path);
    const n = this.networks;
    assignTensors([...n.qNet.namedTensors("q_net."), ...n.qTarget.namedTensors("q_net_target.")], file, path);
    this.onlineVersion += 1;
    if (!state) return;
    assignTensors(
      [
        { name: "optimizer.exp_avg", shape: [n.optimizer.m.length], data: n.optimizer.m.data },
        { name: "optimizer.exp_avg_sq", shape: [n.optimizer.v.length], data: n.optimizer.v.data },
      ],
      file,
      path,
    );
    n.optimizer.step = state.adamStep;
    this.explorationRate = state.explorationRate;
    this.nCalls = state.nCalls;
    this.rng.setState(state.rng);
    loadReplayBuffer(join(dir, "buffer.bin"), this.buffer, state.buffer);
  }
}
