/**
 * What a peer group needs from its members: a suggestion for a state ("what would you do here?"), and, for the
 * members that learn, a critic Q_i(s, a) and a value V_i(s) = Q_i(s, a ~ pi_i(s)).
 *
 * Kinds: `dqn` (a learner), `novice` (a randomly initialised DQN that never trains: learning rate 0), `frozen`
 * (a DQN loaded from a checkpoint that never trains: a pre-trained expert), and the scripted Room `expert` and
 * `adversary`, which take no env steps of their own and only answer.
 */
import type { Random } from "../core/random.js";
import type { Tensor } from "../nn/kernels/heap.js";
import type { MlpWorkspace } from "../nn/mlp.js";
import type { Dqn } from "../agents/dqn.js";
import { RoomAdversary, RoomExpert, type DiscretePolicy } from "../envs/room/policies.js";

export const PEER_KINDS = ["dqn", "novice", "frozen", "expert", "adversary"] as const;
export type PeerKind = (typeof PEER_KINDS)[number];

export interface Peer {
  readonly kind: PeerKind;
  /** Takes env steps in the schedule and has a suggestion buffer (DQN-based peers). */
  readonly acts: boolean;
  /** Updates its weights (only `dqn`). */
  readonly learns: boolean;
  /**
   * Its own action for obs. `explore`: with its exploration (a DQN's epsilon-greedy at its current epsilon);
   * otherwise its greedy action.
   */
  suggest(obs: Float32Array, explore: boolean): number;
}

/** A DQN-based peer: learner, novice or frozen expert. */
export class DqnPeer implements Peer {
  readonly acts = true;
  readonly learns: boolean;
  private readonly q: Float32Array;
  private readonly ws: MlpWorkspace;
  private readonly input: Tensor;

  constructor(
    readonly kind: "dqn" | "novice" | "frozen",
    readonly dqn: Dqn,
    private readonly rng: Random,
    /** Largest batch of states whose values are asked at once (the trust batch). */
    maxValueBatch: number,
  ) {
    this.learns = kind === "dqn";
    this.q = new Float32Array(dqn.nActions);
    this.ws = dqn.networks.qNet.workspace(maxValueBatch);
    this.input = dqn.kernels.heap.alloc(maxValueBatch * dqn.obsDim);
  }

  suggest(obs: Float32Array, explore: boolean): number {
    if (explore && this.rng.uniform() < this.dqn.explorationRate) return this.rng.integer(0, this.dqn.nActions);
    return this.dqn.greedyAction(obs);
  }

  /** Q_i(s, a_j) for each suggested action (Eq. 3; one forward pass gives every action's value). */
  critic(obs: Float32Array, actions: Int32Array, n: number, out: Float64Array): void {
    this.dqn.qValues(obs, this.q);
    for (let j = 0; j < n; j++) out[j] = this.q[actions[j]];
  }

  /**
   * V_i(s) for k states (rows of `obs`): Q_i(s, a) at the peer's own action, which for a DQN (greedy policy) is
   * max_a Q_i(s, a).
   */
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

/** A scripted peer (Room expert or adversary): answers, never acts or learns. */
export class ScriptedPeer implements Peer {
  readonly acts = false;
  readonly learns = false;
  private readonly policy: DiscretePolicy;

  constructor(
    readonly kind: "expert" | "adversary",
    rng: Random,
  ) {
    this.policy = kind === "expert" ? new RoomExpert(rng) : new RoomAdversary(rng);
  }

  suggest(obs: Float32Array): number {
    return this.policy.act(obs);
  }
}
