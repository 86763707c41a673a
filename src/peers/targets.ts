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
  /**
   * values() of two sets of k states, as two calls in this order would give; a peer in another process answers
   * both in one request (the advantage needs V(s') and V(s) of the same batch).
   */
  valuesOfTwo?(
    first: Float32Array,
    second: Float32Array,
    k: number,
    outFirst: Float64Array,
    outSecond: Float64Array,
  ): void;
}

/**
 * A value query that an update made while the group rehearsed it (recordValueQueries): whose values of which
 * states (copies), k of them, and the buffer slots they came from.
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
 * While set, accumulations record their value queries instead of asking the peers (and add targets of zero
 * values, which the rehearsal throws away with the state it restores). Module-wide because a rehearsal spans
 * every term's accumulators; synchronous code only, so no other update can run meanwhile.
 */
let recording: ValueQuery[] | null = null;

/**
 * Runs `rehearse` (updates whose state the caller saves before and restores after) and returns the value queries
 * it made, in order, without asking any peer: a group spread over processes sends a remote peer's queries ahead
 * with its env step, so that the real updates find the answers there (distributed/peers/remote-peer.ts).
 */
export function recordValueQueries(rehearse: () => void): ValueQuery[] {
  const queries: ValueQuery[] = [];
  recording = queries;
  try {
    rehearse();
  } finally {
    recording = null;
  }
  return queries;
}

export class TargetAccumulator {
  private readonly indices: Int32Array;
  private readonly obs: Float32Array;
  private readonly nextObs: Float32Array;
  private readonly v: Float64Array;
  private readonly vPrev: Float64Array;

  constructor(maxBatch: number, obsDim: number) {
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
    if (recording) {
      const d = buffer.obsDim;
      recording.push({
        peer,
        buffer,
        k,
        slots: this.indices.slice(0, k),
        nextObs: this.nextObs.slice(0, k * d),
        obs: advantage ? this.obs.slice(0, k * d) : null,
      });
      this.v.fill(0, 0, k);
      this.vPrev.fill(0, 0, k);
    } else if (advantage && peer.valuesOfTwo) {
      peer.valuesOfTwo(this.nextObs, this.obs, k, this.v, this.vPrev);
    } else {
      peer.values(this.nextObs, k, this.v);
      if (advantage) peer.values(this.obs, k, this.vPrev);
    }
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
