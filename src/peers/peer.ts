/**
 * What a peer group needs from its members: a suggestion for a state ("what would you do here?"), and, for the
 * members that act, their agent (to act, store and train), a critic Q_i(s, a) and a value V_i(s) = Q_i(s, a ~ pi_i(s)).
 *
 * Kinds: `dqn` and `sac` (learners), `novice` (a randomly initialised DQN that never trains: learning rate 0),
 * `frozen` (a DQN loaded from a checkpoint that never trains: a pre-trained expert), and the scripted Room
 * `expert` and `adversary`, which take no env steps of their own and only answer.
 *
 * Actions travel as rows of a Float32Array: one number (the index) for a discrete action, actDim numbers in
 * [-1, 1] for a continuous one.
 */
import type { Random } from "../core/random.js";
import type { Tensor } from "../nn/kernels/heap.js";
import type { MlpWorkspace } from "../nn/mlp.js";
import type { Dqn } from "../agents/dqn.js";
import type { Sac } from "../agents/sac.js";
import type { OffPolicyAgent } from "../agents/agent.js";
import { RoomAdversary, RoomExpert, type DiscretePolicy } from "../envs/room/policies.js";
import type { ValueFunction } from "./targets.js";

export const PEER_KINDS = ["dqn", "sac", "novice", "frozen", "expert", "adversary"] as const;
export type PeerKind = (typeof PEER_KINDS)[number];

export interface Peer {
  readonly kind: PeerKind;
  /** Takes env steps in the schedule and has a suggestion buffer. */
  readonly acts: boolean;
  /** Updates its weights (`dqn`, `sac`). */
  readonly learns: boolean;
  /**
   * Its own action for obs into out[offset..]. `explore`: with its exploration noise (SAC's sampled action; a DQN's
   * epsilon-greedy, unless it is a faithful DQN, whose policy is always greedy); otherwise its deterministic action.
   */
  suggest(obs: Float32Array, explore: boolean, out: Float32Array, offset: number): void;
  /** The generator its suggestions draw from, if it has one of its own (checkpoints save it). */
  readonly random: Random | null;
}

/** A peer that acts: it has an agent, a critic and a value function. */
export interface ActingPeer extends Peer, ValueFunction {
  readonly agent: OffPolicyAgent;
  /** Floats per action row (1 for discrete). */
  readonly actionWidth: number;
  readonly gamma: number;
  /** Env steps of random actions before it uses its policy (and any advice). */
  readonly learningStarts: number;
  /** Env steps per rollout (training happens at their ends). */
  readonly trainFreq: number;
  /** Per-step bookkeeping before it acts (SAC with gSDE: resample the noise at a rollout start). */
  beforeStep(numTimesteps: number): void;
  /** Q_i(s, a_j) for n actions (rows of `actions`), Eq. 3. */
  critic(obs: Float32Array, actions: Float32Array, n: number, out: Float64Array): void;
}

/** A DQN-based peer: learner, novice or frozen expert. */
export class DqnPeer implements ActingPeer {
  readonly acts = true;
  readonly learns: boolean;
  readonly actionWidth = 1;
  private readonly q: Float32Array;
  private readonly ws: MlpWorkspace;
  private readonly input: Tensor;

  constructor(
    readonly kind: "dqn" | "novice" | "frozen",
    readonly dqn: Dqn,
    readonly random: Random,
    /** Largest batch of states whose values are asked at once (the trust batch). */
    maxValueBatch: number,
    /** Use epsilon when asked to explore (false reproduces the original, whose DQN policy is always greedy). */
    private readonly epsilonWhenExploring: boolean,
  ) {
    this.learns = kind === "dqn";
    this.q = new Float32Array(dqn.nActions);
    this.ws = dqn.networks.qNet.workspace(maxValueBatch);
    this.input = dqn.kernels.heap.alloc(maxValueBatch * dqn.obsDim);
  }

  get agent(): OffPolicyAgent {
    return this.dqn;
  }

  get gamma(): number {
    return this.dqn.config.gamma;
  }
  get learningStarts(): number {
    return this.dqn.config.learningStarts;
  }
  get trainFreq(): number {
    return this.dqn.config.trainFreq;
  }

  beforeStep(): void {}

  suggest(obs: Float32Array, explore: boolean, out: Float32Array, offset: number): void {
    if (explore && this.epsilonWhenExploring && this.random.uniform() < this.dqn.explorationRate) out[offset] = this.random.integer(0, this.dqn.nActions);
    else out[offset] = this.dqn.greedyAction(obs);
  }

  /** One forward pass gives every action's value. */
  critic(obs: Float32Array, actions: Float32Array, n: number, out: Float64Array): void {
    this.dqn.qValues(obs, this.q);
    for (let j = 0; j < n; j++) out[j] = this.q[actions[j]];
  }

  /** V_i(s) = Q_i(s, a) at the peer's own (greedy) action = max_a Q_i(s, a), for k states (rows of obs). */
  values(obs: Float32Array, k: number, out: Float64Array): void {
    const d = this.dqn.obsDim;
    const input = this.input.data;
    for (let i = 0; i < k * d; i++) input[i] = obs[i];
    this.dqn.networks.qNet.forward(this.ws, this.input.offset, k);
    const q = this.ws.output.data;
    const na = this.dqn.nActions;
    for (let r = 0; r < k; r++) {
      let best = q[r * na];
      for (let a = 1; a < na; a++) best = Math.max(best, q[r * na + a]);
      out[r] = best;
    }
  }
}

/** A SAC peer (the paper's MuJoCo peers): critic = min of the twin critics, V(s) at a sampled own action. */
export class SacPeer implements ActingPeer {
  readonly kind = "sac";
  readonly random = null;
  readonly acts = true;
  readonly learns = true;
  readonly actionWidth: number;
  private readonly rows: Float32Array;
  private readonly act1: Float32Array;

  constructor(
    readonly sac: Sac,
    maxRows: number,
  ) {
    this.actionWidth = sac.actDim;
    this.rows = new Float32Array(maxRows * (sac.obsDim + sac.actDim));
    this.act1 = new Float32Array(sac.actDim);
  }

  get agent(): OffPolicyAgent {
    return this.sac;
  }

  get gamma(): number {
    return this.sac.config.gamma;
  }
  get learningStarts(): number {
    return this.sac.config.learningStarts;
  }
  get trainFreq(): number {
    return this.sac.config.trainFreq;
  }

  beforeStep(numTimesteps: number): void {
    this.sac.beginStep(numTimesteps);
  }

  suggest(obs: Float32Array, explore: boolean, out: Float32Array, offset: number): void {
    this.sac.networks.act(obs, !explore, this.act1);
    out.set(this.act1, offset);
  }

  critic(obs: Float32Array, actions: Float32Array, n: number, out: Float64Array): void {
    const d = this.sac.obsDim;
    const A = this.sac.actDim;
    const w = d + A;
    for (let j = 0; j < n; j++) {
      for (let q = 0; q < d; q++) this.rows[j * w + q] = obs[q];
      for (let q = 0; q < A; q++) this.rows[j * w + d + q] = actions[j * A + q];
    }
    this.sac.networks.minQ(this.rows, n, out);
  }

  /** V_i(s) = min Q_i(s, a) with a sampled from the peer's own policy (not its mean), as the original. */
  values(obs: Float32Array, k: number, out: Float64Array): void {
    const d = this.sac.obsDim;
    const w = d + this.sac.actDim;
    for (let r = 0; r < k; r++) for (let q = 0; q < d; q++) this.rows[r * w + q] = obs[r * d + q];
    this.sac.networks.sampleInto(this.rows, k);
    this.sac.networks.minQ(this.rows, k, out);
  }
}

/** A scripted peer (Room expert or adversary): answers, never acts or learns. */
export class ScriptedPeer implements Peer {
  readonly acts = false;
  readonly learns = false;
  private readonly policy: DiscretePolicy;

  constructor(
    readonly kind: "expert" | "adversary",
    readonly random: Random,
  ) {
    this.policy = kind === "expert" ? new RoomExpert(random) : new RoomAdversary(random);
  }

  suggest(obs: Float32Array, _explore: boolean, out: Float32Array, offset: number): void {
    out[offset] = this.policy.act(obs);
  }
}
