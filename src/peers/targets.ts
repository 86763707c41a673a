/**
 * The bootstrapped targets that trust and agent values move towards (Eq. 5, and Eq. 8 with the advantage):
 * r + gamma V_i(s') [- V_i(s)], from a batch of a peer's suggestion buffer, evaluated with that peer's own value
 * function, and summed per followed peer. No done-masking, as in the paper and the original.
 */
import type { Random } from "../core/random.js";
import { WARMUP, type SuggestionBuffer } from "./suggestion-buffer.js";

/** A peer's value function V_i(s) = Q_i(s, a ~ pi_i(s)) on k states (rows of obs). */
export interface ValueFunction {
  values(obs: Float32Array, k: number, out: Float64Array): void;
}

/**
 * A value query of a target batch: peer's values of the first k rows of nextObs (s') and, with the advantage, of
 * obs (s), taken from those buffer slots. The arrays are the accumulator's own, valid during the call only.
 */
export interface ValueQuery {
  readonly peer: ValueFunction;
  readonly buffer: SuggestionBuffer;
  readonly k: number;
  readonly slots: Int32Array;
  readonly nextObs: Float32Array;
  /** The s rows as well (the advantage's V(s)), or null. */
  readonly obs: Float32Array | null;
}

/**
 * The group's phase that answers value queries: V(s') into next, and V(s) into prev when the query has s rows.
 * Asking each peer is the default; a group's placement may answer otherwise (several queries of a peer at once).
 */
export interface ValueAnswers {
  answer(query: ValueQuery, next: Float64Array, prev: Float64Array): void;
}

/** Each query asked of its peer as it comes: V(s') first, then V(s). */
export const askEachPeer: ValueAnswers = {
  answer(q, next, prev) {
    q.peer.values(q.nextObs, q.k, next);
    if (q.obs) q.peer.values(q.obs, q.k, prev);
  },
};

/** The accumulator's query, refilled for every batch (no allocation per env step). */
interface Query {
  peer: ValueFunction;
  buffer: SuggestionBuffer;
  k: number;
  readonly slots: Int32Array;
  readonly nextObs: Float32Array;
  obs: Float32Array | null;
}

export class TargetAccumulator {
  private readonly indices: Int32Array;
  private readonly obs: Float32Array;
  private readonly nextObs: Float32Array;
  private readonly v: Float64Array;
  private readonly vPrev: Float64Array;
  private query: Query | null = null;

  /** `answers`: who answers the value queries (the group's, TermContext.answers). */
  constructor(
    maxBatch: number,
    obsDim: number,
    private readonly answers: ValueAnswers = askEachPeer,
  ) {
    this.indices = new Int32Array(maxBatch);
    this.obs = new Float32Array(maxBatch * obsDim);
    this.nextObs = new Float32Array(maxBatch * obsDim);
    this.v = new Float64Array(maxBatch);
    this.vPrev = new Float64Array(maxBatch);
  }

  /**
   * Samples k entries of `buffer` and adds each one's target to sums[j] and 1 to counts[j] of the peer j it
   * followed; a warm-up entry (nobody's advice) counts for every peer, as numpy's `counts[None] += 1` does in the
   * original. Returns false, adding nothing, if the buffer is not yet larger than k.
   */
  accumulate(
    peer: ValueFunction,
    buffer: SuggestionBuffer,
    k: number,
    gamma: number,
    advantage: boolean,
    rng: Random,
    sums: Float64Array,
    counts: Float64Array,
  ): boolean {
    if (!buffer.sample(rng, k, this.indices)) return false;
    this.accumulateSlots(peer, buffer, k, gamma, advantage, sums, counts);
    return true;
  }

  /**
   * The latest entry's target alone (the original's trust update with use_trust_buffer off); false, adding
   * nothing, while the buffer is empty.
   */
  accumulateLatest(
    peer: ValueFunction,
    buffer: SuggestionBuffer,
    gamma: number,
    advantage: boolean,
    sums: Float64Array,
    counts: Float64Array,
  ): boolean {
    if (buffer.size === 0) return false;
    this.indices[0] = buffer.latestSlot;
    this.accumulateSlots(peer, buffer, 1, gamma, advantage, sums, counts);
    return true;
  }

  /** Adds the targets of the k slots in this.indices. */
  private accumulateSlots(
    peer: ValueFunction,
    buffer: SuggestionBuffer,
    k: number,
    gamma: number,
    advantage: boolean,
    sums: Float64Array,
    counts: Float64Array,
  ): void {
    buffer.gather(buffer.nextObs, this.indices, k, this.nextObs);
    if (advantage) buffer.gather(buffer.obs, this.indices, k, this.obs);
    const query = (this.query ??= { peer, buffer, k, slots: this.indices, nextObs: this.nextObs, obs: null });
    query.peer = peer;
    query.buffer = buffer;
    query.k = k;
    query.obs = advantage ? this.obs : null;
    this.answers.answer(query, this.v, this.vPrev);
    for (let r = 0; r < k; r++) {
      const slot = this.indices[r];
      const target = buffer.rewards[slot] + gamma * this.v[r] - (advantage ? this.vPrev[r] : 0);
      const j = buffer.followed[slot];
      if (j === WARMUP) {
        for (let q = 0; q < sums.length; q++) {
          sums[q] += target;
          counts[q] += 1;
        }
      } else {
        sums[j] += target;
        counts[j] += 1;
      }
    }
  }
}
