/**
 * SAC with Stable-Baselines3 1.5's semantics (sac/sac.py), the algorithm of the paper's MuJoCo peers:
 * - actions: uniform in [-1, 1] before `learningStarts` steps (unless gSDE is used at warm-up), then sampled from
 *   the squashed Gaussian policy; with gSDE the exploration matrix is resampled at the start of every rollout of
 *   trainFreq steps (and every sdeSampleFreq steps within one, when set);
 * - every trainFreq steps once past learningStarts: gradientSteps updates (update.ts), the target critics
 *   Polyak-averaged on every targetUpdateInterval-th of them.
 * Evaluation acts with tanh of the mean. The defaults are SB3's.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Random, RandomState } from "../../core/random.js";
import type { Kernels } from "../../nn/kernels/kernels.js";
import type { Tensor } from "../../nn/kernels/heap.js";
import { assignTensors, loadSafetensors, saveSafetensors } from "../../nn/safetensors.js";
import { firstNonFinite } from "../../nn/ops.js";
import type { NamedTensor } from "../../nn/mlp.js";
import type { Learner } from "../learner.js";
import {
  ReplayBuffer,
  loadReplayBuffer,
  saveReplayBuffer,
  type ReplayBufferState,
  type SharedReplayMemory,
} from "../replay-buffer.js";
import type { AgentSpec } from "../trainable.js";
import type { PolicyDescription } from "../policy-description.js";
import { SacNetworks, type SacBatch } from "./update.js";
import { TwinCriticQueries } from "../twin-critic-queries.js";
import type { Sample } from "./actor.js";
import { OffPolicyBase } from "../off-policy-base.js";
import type { SacConfig } from "./config.js";

export { SAC_DEFAULTS, type SacConfig } from "./config.js";

interface SacState {
  logAlpha: number;
  /** gSDE's current exploration draws (null without gSDE). */
  sdeDraws: number[] | null;
  alphaAdam: { m: number; v: number; step: number };
  adamSteps: number[];
  buffer: ReplayBufferState;
  rng: RandomState;
}

export class Sac extends OffPolicyBase implements Learner {
  readonly networks: SacNetworks;
  readonly buffer: ReplayBuffer;
  private readonly action: Float32Array;
  private readonly batch: SacBatch;
  private readonly indices: Int32Array;
  private readonly queries: TwinCriticQueries;
  /** The actor's workspace for a group's value queries (V at a sampled own action). */
  private querySample: { rows: number; sample: Sample } | null = null;

  constructor(
    readonly kernels: Kernels,
    readonly obsDim: number,
    readonly actDim: number,
    readonly config: SacConfig,
    private readonly rng: Random,
    /** Keep the replay buffer in shared memory, for a trainer thread to read (or attach to that memory). */
    sharedBuffer: boolean | SharedReplayMemory = false,
  ) {
    super();
    const c = config;
    this.networks = new SacNetworks(
      kernels,
      {
        obsDim,
        actDim,
        hidden: c.netArch,
        batchSize: c.batchSize,
        learningRate: c.learningRate,
        gamma: c.gamma,
        tau: c.tau,
        initialAlpha: c.initialEntCoef,
        fixedAlpha: c.entCoef === "auto" ? undefined : c.entCoef,
        targetEntropy: c.targetEntropy === "auto" ? undefined : c.targetEntropy,
        useSde: c.useSde,
        logStdInit: c.logStdInit,
      },
      rng,
    );
    this.buffer = new ReplayBuffer(c.bufferSize, obsDim, actDim, sharedBuffer);
    this.action = new Float32Array(actDim);
    const w = obsDim + actDim;
    this.batch = {
      obsAction: kernels.heap.alloc(c.batchSize * w),
      nextObsAction: kernels.heap.alloc(c.batchSize * w),
      rewards: new Float32Array(c.batchSize),
      dones: new Float32Array(c.batchSize),
    };
    this.indices = new Int32Array(c.batchSize);
    const n = this.networks;
    this.queries = new TwinCriticQueries(kernels, n.critics, obsDim, actDim, (input, k, w) => {
      if (!this.querySample || this.querySample.rows < k) this.querySample = { rows: k, sample: n.actor.newSample(k) };
      // The actor reads the observations of the input's rows and writes the sampled actions beside them.
      n.actor.sample(this.querySample.sample, input.offset, k, w, input.data, obsDim, w);
    });
  }

  // ---- a peer group's questions (Learner) ----

  readonly algo = "sac";
  readonly valuesDraw = true;
  readonly discreteActions = 0;
  readonly explorationRate = 0;
  get actionWidth(): number {
    return this.actDim;
  }
  suggest(obs: Float32Array, deterministic: boolean, out: Float32Array, offset: number): void {
    this.networks.act(obs, deterministic, this.action);
    out.set(this.action, offset);
  }
  critic(obs: Float32Array, actions: Float32Array, n: number, out: Float64Array): void {
    this.queries.critic(obs, actions, n, out);
  }
  values(obs: Float32Array, k: number, out: Float64Array): void {
    this.queries.values(obs, k, out);
  }
  loadPolicy(path: string): void {
    assignTensors(this.tensors(), loadSafetensors(path), path);
  }

  describePolicy(): PolicyDescription {
    return this.networks.actor.describe();
  }

  /** gSDE: a new exploration matrix at the start of every rollout, and every sdeSampleFreq steps within one. */
  get usesBeginStep(): boolean {
    return this.config.useSde;
  }

  beginStep(numTimesteps: number): void {
    const c = this.config;
    if (!c.useSde) return;
    const inRollout = numTimesteps % c.trainFreq;
    if (inRollout === 0 || (c.sdeSampleFreq > 0 && inRollout % c.sdeSampleFreq === 0)) this.networks.resetNoise();
  }

  act(obs: Float32Array, numTimesteps: number): Float32Array {
    const c = this.config;
    this.beginStep(numTimesteps);
    if (numTimesteps < c.learningStarts && !(c.useSde && c.useSdeAtWarmup)) {
      for (let j = 0; j < this.actDim; j++) this.action[j] = this.rng.uniformIn(-1, 1);
    } else {
      this.networks.act(obs, false, this.action);
    }
    return this.action;
  }

  predict(obs: Float32Array): Float32Array {
    this.networks.act(obs, true, this.action);
    return this.action;
  }

  trainNow(): void {
    const c = this.config;
    for (let g = 0; g < c.gradientSteps; g++) {
      const b = this.batch;
      this.buffer.sampleRows(
        this.rng,
        this.indices,
        c.batchSize,
        b.obsAction.data,
        b.nextObsAction.data,
        b.rewards,
        b.dones,
      );
      this.networks.trainStep(this.batch, c.batchSize, g % c.targetUpdateInterval === 0);
    }
  }

  // ---- the trainer-thread seam (trainable.ts) ----

  get spec(): AgentSpec {
    return { algo: "sac", obsDim: this.obsDim, actionSize: this.actDim, config: this.config };
  }

  get random(): Random {
    return this.rng;
  }

  /** Online weights, gSDE's log std and exploration matrix, then targets and optimiser moments. */
  stateBlocks(): Float32Array[] {
    const n = this.networks;
    const sde = n.logStd && n.explorationMat ? [n.logStd.data, n.explorationMat.data] : [];
    const moments = [...n.actorOptimizers, ...n.criticOptimizers].flatMap((o) => [o.m.data, o.v.data]);
    return [
      n.actorTrunk.params.data,
      n.actorHead.params.data,
      n.critics[0].params.data,
      n.critics[1].params.data,
      ...sde,
      n.criticTargets[0].params.data,
      n.criticTargets[1].params.data,
      ...moments,
    ];
  }

  get actingBlocks(): readonly number[] {
    return this.networks.logStd ? [0, 1, 2, 3, 4, 5] : [0, 1, 2, 3];
  }

  /** log alpha and its optimiser, the last losses, the Adam steps, and gSDE's draws behind the exploration matrix. */
  get trainerScalarCount(): number {
    const n = this.networks;
    return 8 + n.actorOptimizers.length + n.criticOptimizers.length + (n.explorationDraws?.length ?? 0);
  }

  writeTrainerScalars(out: Float64Array): void {
    const n = this.networks;
    const a = n.alphaOptimizer;
    const s = n.lastStats;
    out[0] = n.logAlpha;
    out[1] = a.m;
    out[2] = a.v;
    out[3] = a.step;
    out[4] = s.actorLoss;
    out[5] = s.criticLoss;
    out[6] = s.entropyLoss;
    out[7] = s.alpha;
    let k = 8;
    for (const o of n.actorOptimizers) out[k++] = o.step;
    for (const o of n.criticOptimizers) out[k++] = o.step;
    if (n.explorationDraws) out.set(n.explorationDraws, k);
  }

  setTrainerScalars(values: ArrayLike<number>): void {
    const n = this.networks;
    n.logAlpha = values[0];
    const a = n.alphaOptimizer;
    [a.m, a.v, a.step] = [values[1], values[2], values[3]];
    const s = n.lastStats;
    [s.actorLoss, s.criticLoss, s.entropyLoss, s.alpha] = [values[4], values[5], values[6], values[7]];
    let k = 8;
    for (const o of n.actorOptimizers) o.step = values[k++];
    for (const o of n.criticOptimizers) o.step = values[k++];
    // The draws only: the matrix itself is a block, made with the log std of its time.
    const draws = n.explorationDraws;
    if (draws) for (let i = 0; i < draws.length; i++) draws[i] = values[k + i];
  }

  takePending(): number {
    return 0;
  }

  applyPending(): void {}

  nonFinite(): string | null {
    const n = this.networks;
    const s = n.lastStats;
    if (!Number.isFinite(s.criticLoss)) return "the critic loss";
    if (!Number.isFinite(s.actorLoss)) return "the actor loss";
    if (!Number.isFinite(n.logAlpha)) return "the entropy coefficient";
    return firstNonFinite(
      this.kernels,
      (this.checked ??= [
        ["the actor's weights", n.actorTrunk.params],
        ["the actor's head weights", n.actorHead.params],
        ["the first critic's weights", n.critics[0].params],
        ["the second critic's weights", n.critics[1].params],
        ...(n.logStd ? [["gSDE's log std", n.logStd] as const] : []),
      ]),
    );
  }

  logValues(): Record<string, number> {
    const s = this.networks.lastStats;
    return { alpha: this.networks.alpha, actorLoss: s.actorLoss, criticLoss: s.criticLoss };
  }

  /** Weights and optimiser moments, named as SB3's SAC policy names them where it can. */
  private tensors(): NamedTensor[] {
    const n = this.networks;
    const out: NamedTensor[] = [
      ...n.actorTrunk.namedTensors("actor.latent_pi."),
      ...n.actorHead.namedTensors("actor.head."),
      ...n.critics[0].namedTensors("critic.qf0."),
      ...n.critics[1].namedTensors("critic.qf1."),
      ...n.criticTargets[0].namedTensors("critic_target.qf0."),
      ...n.criticTargets[1].namedTensors("critic_target.qf1."),
    ];
    if (n.logStd)
      out.push({ name: "actor.log_std", shape: [n.logStd.length / this.actDim, this.actDim], data: n.logStd.data });
    n.actorOptimizers.forEach((o, i) =>
      out.push(moment(`optimizer.actor${i}.exp_avg`, o.m), moment(`optimizer.actor${i}.exp_avg_sq`, o.v)),
    );
    n.criticOptimizers.forEach((o, i) =>
      out.push(moment(`optimizer.critic${i}.exp_avg`, o.m), moment(`optimizer.critic${i}.exp_avg_sq`, o.v)),
    );
    return out;
  }

  save(dir: string, withBuffer = true): SacState {
    mkdirSync(dir, { recursive: true });
    saveSafetensors(join(dir, "model.safetensors"), this.tensors(), { algo: "sac", format: "pt" });
    if (withBuffer) saveReplayBuffer(join(dir, "buffer.bin"), this.buffer);
    const n = this.networks;
    const a = n.alphaOptimizer;
    const draws = n.explorationDraws;
    return {
      logAlpha: n.logAlpha,
      sdeDraws: draws ? [...draws] : null,
      alphaAdam: { m: a.m, v: a.v, step: a.step },
      adamSteps: [...n.actorOptimizers, ...n.criticOptimizers].map((o) => o.step),
      buffer: this.buffer.getState(),
      rng: this.rng.getState(),
    };
  }

  load(dir: string, savedState?: unknown): void {
    const path = join(dir, "model.safetensors");
    assignTensors(this.tensors(), loadSafetensors(path), path);
    const state = savedState as SacState | undefined;
    if (!state) return;
    const n = this.networks;
    n.logAlpha = state.logAlpha;
    if (state.sdeDraws) n.setExplorationDraws(state.sdeDraws);
    Object.assign(n.alphaOptimizer, state.alphaAdam);
    [...n.actorOptimizers, ...n.criticOptimizers].forEach((o, i) => (o.step = state.adamSteps[i]));
    this.rng.setState(state.rng);
    loadReplayBuffer(join(dir, "buffer.bin"), this.buffer, state.buffer);
  }
}

function moment(name: string, t: Tensor): NamedTensor {
  return { name, shape: [t.length], data: t.data };
}
