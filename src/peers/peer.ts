/**
 * What a peer group needs from its members: a suggestion for a state ("what would you do here?"), and, for the
 * members that act, their agent (to act, store and train), a critic Q_i(s, a) and a value V_i(s) = Q_i(s, a ~ pi_i(s)).
 *
 * Kinds: `dqn`, `sac` and `td3` (learners), `novice` (a randomly initialised learner of any of these algorithms
 * that never trains), `frozen` (one loaded from a checkpoint that never trains: a pre-trained expert), and the
 * scripted Room `expert` and `adversary`, which take no env steps of their own and only answer.
 *
 * Actions travel as rows of a Float32Array: one number (the index) for a discrete action, actDim numbers in
 * [-1, 1] for a continuous one.
 */
import { isAlgo, type Algo } from "../agents/algorithms.js";
import type { Random } from "../core/random.js";
import type { Learner } from "../agents/learner.js";
import type { AgentAction } from "../agents/agent.js";
import { RoomAdversary, RoomExpert, type DiscretePolicy } from "../envs/room/policies.js";
import type { ValueFunction } from "./targets.js";

export const PEER_KINDS = ["dqn", "sac", "td3", "novice", "frozen", "expert", "adversary"] as const;
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
  /**
   * False while a peer placed elsewhere does not answer (GroupPlacement): it is left out of choices and steps.
   * Peers built here are always available.
   */
  readonly available: boolean;
}

/** A peer that acts: it has an agent, a critic and a value function. */
export interface ActingPeer extends Peer, ValueFunction {
  readonly agent: Learner;
  /** Floats per action row (1 for discrete). */
  readonly actionWidth: number;
  readonly gamma: number;
  /** Env steps of random actions before it uses its policy (and any advice). */
  readonly learningStarts: number;
  /** Env steps per rollout (training happens at their ends). */
  readonly trainFreq: number;
  /** Per-step bookkeeping before it acts (SAC with gSDE: resample the noise at a rollout start). */
  beforeStep(numTimesteps: number): void;
  /** Its own action (training behaviour: random during warm-up, then its exploring policy). */
  act(obs: Float32Array, numTimesteps: number): AgentAction;
  /** Q_i(s, a_j) for n actions (rows of `actions`), Eq. 3. */
  critic(obs: Float32Array, actions: Float32Array, n: number, out: Float64Array): void;
  /**
   * Asked when its member follows itself: whether it will take its own suggestion for its state (`explore` as for
   * suggest) where it takes its env step, instead of answering now. A peer placed elsewhere may (one answer
   * fewer to wait for); peers built here leave it out.
   */
  actOnOwnSuggestion?(explore: boolean): boolean;
}

/**
 * A peer built on a learner (agents/learner.ts): a DQN or SAC learner, a novice or a frozen expert. It asks the
 * learner only what the Learner interface offers.
 */
export class LearnerPeer implements ActingPeer {
  readonly acts = true;
  readonly available = true;
  readonly learns: boolean;

  constructor(
    readonly kind: Algo | "novice" | "frozen",
    readonly learner: Learner,
    /** The generator of its epsilon-greedy suggestions (discrete learners; null for the others). */
    readonly random: Random | null,
    /**
     * Explore when asked to (DQN: epsilon, TD3: action noise, SAC: its sampled action); false reproduces the
     * original, whose DQN and TD3 suggestions are always their greedy / deterministic actions.
     */
    private readonly exploresWhenAsked: boolean,
  ) {
    this.learns = isAlgo(kind);
  }

  get agent(): Learner {
    return this.learner;
  }
  get actionWidth(): number {
    return this.learner.actionWidth;
  }
  get gamma(): number {
    return this.learner.gamma;
  }
  get learningStarts(): number {
    return this.learner.learningStarts;
  }
  get trainFreq(): number {
    return this.learner.trainFreq;
  }

  beforeStep(numTimesteps: number): void {
    this.learner.beginStep(numTimesteps);
  }

  act(obs: Float32Array, numTimesteps: number): AgentAction {
    return this.learner.act(obs, numTimesteps);
  }

  suggest(obs: Float32Array, explore: boolean, out: Float32Array, offset: number): void {
    const l = this.learner;
    const exploring = explore && this.exploresWhenAsked;
    if (exploring && this.random && this.random.uniform() < l.explorationRate)
      out[offset] = this.random.integer(0, l.discreteActions);
    else l.suggest(obs, !exploring, out, offset);
  }

  critic(obs: Float32Array, actions: Float32Array, n: number, out: Float64Array): void {
    this.learner.critic(obs, actions, n, out);
  }

  values(obs: Float32Array, k: number, out: Float64Array): void {
    this.learner.values(obs, k, out);
  }
}

/** A scripted peer (Room expert or adversary): answers, never acts or learns. */
export class ScriptedPeer implements Peer {
  readonly acts = false;
  readonly available = true;
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
