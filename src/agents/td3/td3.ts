/**
 * TD3 with Stable-Baselines3 1.5's semantics (td3/td3.py), a second continuous algorithm:
 * - actions: the deterministic actor (tanh output in [-1, 1]) plus optional Gaussian action noise, clipped to
 *   [-1, 1]; before `learningStarts`, uniform random actions (noise added too, as SB3);
 * - per gradient step: target policy smoothing a' = clip(actor_target(s') + clip(N(0, 0.2), -0.5, 0.5), -1, 1),
 *   y = r + (1 - done) gamma min_i Q_target_i(s', a'); critic loss sum_i MSE(Q_i(s, a), y) (no 0.5, unlike SAC);
 *   every policyDelay-th update: actor loss -mean(Q_1(s, actor(s))), then Polyak updates of the critic and actor
 *   targets (only on these delayed steps).
 * Only step-based trainFreq is supported (SB3's default for TD3 is one episode).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Random } from "../../core/random.js";
import type { Kernels } from "../../nn/kernels/kernels.js";
import type { Tensor } from "../../nn/kernels/heap.js";
import { Adam } from "../../nn/adam.js";
import { addMseLoss, mseGrad } from "../../nn/losses.js";
import { INPUT_GRAD_ONLY, Mlp, type MlpWorkspace, type NamedTensor } from "../../nn/mlp.js";
import { PolyakUpdater, firstNonFinite } from "../../nn/ops.js";
import { assignTensors, loadSafetensors, saveSafetensors } from "../../nn/safetensors.js";
import { ReplayBuffer, loadReplayBuffer, saveReplayBuffer, type SharedReplayMemory } from "../replay-buffer.js";
import type { AgentSpec } from "../trainable.js";
import type { PolicyDescription } from "../policy-description.js";
import type { Learner } from "../learner.js";
import { TwinCriticQueries } from "../twin-critic-queries.js";
import type { Td3Config } from "./config.js";
import { td3Tensors, type Td3State } from "./tensors.js";
import { OffPolicyBase } from "../off-policy-base.js";

export { TD3_DEFAULTS, type Td3Config } from "./config.js";

export class Td3 extends OffPolicyBase implements Learner {
  readonly actor: Mlp;
  readonly actorTarget: Mlp;
  readonly critics: [Mlp, Mlp];
  readonly criticTargets: [Mlp, Mlp];
  readonly buffer: ReplayBuffer;
  private readonly actorOpt: Adam;
  private readonly criticOpts: [Adam, Adam];
  private nUpdates = 0;
  /** The last critic loss, in a cell: summed there, no double is returned from a call (an allocation). */
  private readonly lastCriticLoss = new Float64Array(1);
  private readonly action: Float32Array;
  private readonly indices: Int32Array;
  private readonly sa: Tensor;
  private readonly san: Tensor;
  private readonly saPi: Tensor;
  private readonly rewards: Float32Array;
  private readonly dones: Float32Array;
  private readonly y: Float32Array;
  /** The target policy's smoothing noise of a step, drawn before it is used. */
  private readonly noiseDraws: Float64Array;
  /** The exploration noise of an env step's action, drawn before it is added. */
  private readonly actionNoise: Float64Array;
  /** The three target networks' Polyak updates. */
  private readonly polyak: PolyakUpdater[];
  private readonly wsActor: MlpWorkspace;
  private readonly wsActorTarget: MlpWorkspace;
  private readonly wsCritic: [MlpWorkspace, MlpWorkspace];
  private readonly wsTarget: [MlpWorkspace, MlpWorkspace];
  private readonly wsPi: MlpWorkspace;
  private readonly actWs: MlpWorkspace;
  private readonly actInput: Tensor;

  constructor(
    readonly kernels: Kernels,
    readonly obsDim: number,
    readonly actDim: number,
    readonly config: Td3Config,
    private readonly rng: Random,
    /** Keep the replay buffer in shared memory, for a trainer thread to read (or attach to that memory). */
    sharedBuffer: boolean | SharedReplayMemory = false,
  ) {
    super();
    const c = config;
    const n = c.batchSize;
    const actorSpec = { sizes: [obsDim, ...c.netArch, actDim], outputActivation: "tanh" as const };
    const criticSpec = { sizes: [obsDim + actDim, ...c.netArch, 1] };
    this.actor = new Mlp(kernels, actorSpec);
    this.actorTarget = new Mlp(kernels, actorSpec);
    this.critics = [new Mlp(kernels, criticSpec), new Mlp(kernels, criticSpec)];
    this.criticTargets = [new Mlp(kernels, criticSpec), new Mlp(kernels, criticSpec)];
    this.actor.initPytorchDefault(rng);
    this.actorTarget.copyFrom(this.actor);
    for (let i = 0; i < 2; i++) {
      this.critics[i].initPytorchDefault(rng);
      this.criticTargets[i].copyFrom(this.critics[i]);
    }
    this.actorOpt = new Adam(kernels, this.actor.params, this.actor.grads, { lr: c.learningRate });
    this.criticOpts = [
      new Adam(kernels, this.critics[0].params, this.critics[0].grads, { lr: c.learningRate }),
      new Adam(kernels, this.critics[1].params, this.critics[1].grads, { lr: c.learningRate }),
    ];
    this.buffer = new ReplayBuffer(c.bufferSize, obsDim, actDim, sharedBuffer);
    const heap = kernels.heap;
    const w = obsDim + actDim;
    this.action = new Float32Array(actDim);
    this.indices = new Int32Array(n);
    this.sa = heap.alloc(n * w);
    this.san = heap.alloc(n * w);
    this.saPi = heap.alloc(n * w);
    this.rewards = new Float32Array(n);
    this.dones = new Float32Array(n);
    this.y = new Float32Array(n);
    this.noiseDraws = new Float64Array(n * actDim);
    this.actionNoise = new Float64Array(actDim);
    this.polyak = [
      new PolyakUpdater(kernels, this.criticTargets[0].params, this.critics[0].params, c.tau),
      new PolyakUpdater(kernels, this.criticTargets[1].params, this.critics[1].params, c.tau),
      new PolyakUpdater(kernels, this.actorTarget.params, this.actor.params, c.tau),
    ];
    this.wsActor = this.actor.workspace(n);
    this.wsActorTarget = this.actorTarget.workspace(n);
    this.wsCritic = [this.critics[0].workspace(n), this.critics[1].workspace(n)];
    this.wsTarget = [this.criticTargets[0].workspace(n), this.criticTargets[1].workspace(n)];
    this.wsPi = this.critics[0].workspace(n);
    this.actWs = this.actor.workspace(1);
    this.actInput = heap.alloc(obsDim);
    let queryWs: MlpWorkspace | null = null;
    this.queries = new TwinCriticQueries(kernels, this.critics, obsDim, actDim, (input, k, w) => {
      if (!queryWs || queryWs.output.length < k * actDim) queryWs = this.actor.workspace(k);
      this.actor.forward(queryWs, input.offset, k, w);
      const mu = queryWs.output.data;
      const data = input.data;
      for (let r = 0; r < k; r++) for (let q = 0; q < actDim; q++) data[r * w + obsDim + q] = mu[r * actDim + q];
    });
  }

  // ---- a peer group's questions (Learner; td3-queries.ts) ----
  readonly algo = "td3";
  readonly valuesDraw = false;
  readonly discreteActions = 0;
  readonly explorationRate = 0;
  private readonly queries: TwinCriticQueries;
  get actionWidth(): number {
    return this.actDim;
  }
  beginStep(): void {}
  readonly usesBeginStep = false;
  /** The actor's action; not deterministic: with the exploration noise TD3 acts with. */
  suggest(obs: Float32Array, deterministic: boolean, out: Float32Array, offset: number): void {
    this.predict(obs);
    if (!deterministic) this.addActionNoise();
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
    return { kind: "deterministic", layers: this.actor.denseLayers() };
  }

  predict(obs: Float32Array): Float32Array {
    this.actInput.data.set(obs);
    this.actor.forward(this.actWs, this.actInput.offset, 1);
    for (let j = 0; j < this.actDim; j++) this.action[j] = this.actWs.output.data[j];
    return this.action;
  }

  act(obs: Float32Array, numTimesteps: number): Float32Array {
    if (numTimesteps < this.config.learningStarts) {
      for (let j = 0; j < this.actDim; j++) this.action[j] = this.rng.uniformIn(-1, 1);
    } else {
      this.predict(obs);
    }
    this.addActionNoise();
    return this.action;
  }

  /** SB3's Gaussian action noise (actionNoiseStd), clipped to [-1, 1]. */
  private addActionNoise(): void {
    const sd = this.config.actionNoiseStd;
    if (!(sd > 0)) return;
    const noise = this.actionNoise;
    this.rng.fillNormals(noise, this.actDim); // the draws of actDim normal() calls, none boxed
    for (let j = 0; j < this.actDim; j++) this.action[j] = Math.min(Math.max(this.action[j] + sd * noise[j], -1), 1);
  }

  trainNow(): void {
    for (let g = 0; g < this.config.gradientSteps; g++) this.trainStep();
  }

  // ---- the trainer-thread seam (trainable.ts) ----

  get spec(): AgentSpec {
    return { algo: "td3", obsDim: this.obsDim, actionSize: this.actDim, config: this.config };
  }

  get random(): Random {
    return this.rng;
  }

  /** Online actor and critics, then targets and optimiser moments. */
  stateBlocks(): Float32Array[] {
    const moments = [this.actorOpt, ...this.criticOpts].flatMap((o) => [o.m.data, o.v.data]);
    return [
      this.actor.params.data,
      this.critics[0].params.data,
      this.critics[1].params.data,
      this.actorTarget.params.data,
      this.criticTargets[0].params.data,
      this.criticTargets[1].params.data,
      ...moments,
    ];
  }

  readonly actingBlocks = [0, 1, 2] as const;

  readonly trainerScalarCount = 5;

  writeTrainerScalars(out: Float64Array): void {
    out[0] = this.nUpdates;
    out[1] = this.lastCriticLoss[0];
    out[2] = this.actorOpt.step;
    out[3] = this.criticOpts[0].step;
    out[4] = this.criticOpts[1].step;
  }

  setTrainerScalars(values: ArrayLike<number>): void {
    this.nUpdates = values[0];
    this.lastCriticLoss[0] = values[1];
    this.actorOpt.step = values[2];
    this.criticOpts[0].step = values[3];
    this.criticOpts[1].step = values[4];
  }

  takePending(): number {
    return 0;
  }

  applyPending(): void {}

  private trainStep(): void {
    const c = this.config;
    const n = c.batchSize;
    const d = this.obsDim;
    const A = this.actDim;
    const w = d + A;
    const buf = this.buffer;
    this.nUpdates += 1;
    buf.sampleRows(this.rng, this.indices, n, this.sa.data, this.san.data, this.rewards, this.dones);
    // Target policy smoothing and the clipped double-Q target.
    this.actorTarget.forward(this.wsActorTarget, this.san.offset, n, w);
    const at = this.wsActorTarget.output.data;
    // The draws first, in the loop's order (nothing else draws in between): the same numbers, none boxed.
    const draws = this.noiseDraws;
    this.rng.fillNormals(draws, n * A);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < A; j++) {
        const noise = Math.min(Math.max(c.targetPolicyNoise * draws[i * A + j], -c.targetNoiseClip), c.targetNoiseClip);
        this.san.data[i * w + d + j] = Math.min(Math.max(at[i * A + j] + noise, -1), 1);
      }
    }
    this.criticTargets[0].forward(this.wsTarget[0], this.san.offset, n);
    this.criticTargets[1].forward(this.wsTarget[1], this.san.offset, n);
    for (let i = 0; i < n; i++) {
      this.y[i] =
        this.rewards[i] +
        (1 - this.dones[i]) * c.gamma * Math.min(this.wsTarget[0].output.data[i], this.wsTarget[1].output.data[i]);
    }
    this.lastCriticLoss[0] = 0;
    for (let q = 0; q < 2; q++) {
      const ws = this.wsCritic[q];
      this.critics[q].forward(ws, this.sa.offset, n);
      addMseLoss(ws.output.data, this.y, n, this.lastCriticLoss, 0);
      mseGrad(ws.output.data, this.y, n, ws.outputGrad.data);
      this.critics[q].backward(ws);
      this.criticOpts[q].update();
    }
    if (this.nUpdates % c.policyDelay !== 0) return;
    // Actor: maximise Q_1(s, actor(s)).
    this.actor.forward(this.wsActor, this.sa.offset, n, w);
    const pi = this.saPi.data;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) pi[i * w + j] = this.sa.data[i * w + j];
      for (let j = 0; j < A; j++) pi[i * w + d + j] = this.wsActor.output.data[i * A + j];
    }
    this.critics[0].forward(this.wsPi, this.saPi.offset, n);
    const dOut = this.wsPi.outputGrad.data;
    for (let i = 0; i < n; i++) dOut[i] = -1 / n; // a loop: fill(-1 / n) would box its argument
    this.critics[0].backward(this.wsPi, INPUT_GRAD_ONLY);
    const dq = this.wsPi.inputGrad.data;
    const g = this.wsActor.outputGrad.data;
    for (let i = 0; i < n; i++) for (let j = 0; j < A; j++) g[i * A + j] = dq[i * w + d + j];
    this.actor.backward(this.wsActor);
    this.actorOpt.update();
    for (let i = 0; i < this.polyak.length; i++) this.polyak[i].apply();
  }

  nonFinite(): string | null {
    if (!Number.isFinite(this.lastCriticLoss[0])) return "the critic loss";
    return firstNonFinite(
      this.kernels,
      (this.checked ??= [
        ["the actor's weights", this.actor.params],
        ["the first critic's weights", this.critics[0].params],
        ["the second critic's weights", this.critics[1].params],
      ]),
    );
  }

  logValues(): Record<string, number> {
    return { criticLoss: this.lastCriticLoss[0] };
  }

  /** Weights and optimiser moments, named as SB3's TD3 policy names them. */
  private tensors(): NamedTensor[] {
    const { actor, actorTarget, critics, criticTargets, actorOpt, criticOpts } = this;
    return td3Tensors({ actor, actorTarget, critics, criticTargets, actorOpt, criticOpts });
  }

  save(dir: string, withBuffer = true): Td3State {
    mkdirSync(dir, { recursive: true });
    saveSafetensors(join(dir, "model.safetensors"), this.tensors(), { algo: "td3", format: "pt" });
    if (withBuffer) saveReplayBuffer(join(dir, "buffer.bin"), this.buffer);
    return {
      nUpdates: this.nUpdates,
      adamSteps: [this.actorOpt, ...this.criticOpts].map((o) => o.step),
      buffer: this.buffer.getState(),
      rng: this.rng.getState(),
    };
  }

  load(dir: string, savedState?: unknown): void {
    this.loadPolicy(join(dir, "model.safetensors"));
    const state = savedState as Td3State | undefined;
    if (!state) return;
    this.nUpdates = state.nUpdates;
    [this.actorOpt, ...this.criticOpts].forEach((o, i) => (o.step = state.adamSteps[i]));
    this.rng.setState(state.rng);
    loadReplayBuffer(join(dir, "buffer.bin"), this.buffer, state.buffer);
  }
}
