/**
 * A peer's suggestion buffer (the paper's extended experience tuple, Eq. 4-8): a FIFO of the last `capacity`
 * transitions with the peer whose advice was followed, (reward, action, followed peer, s', s). Trust and agent
 * values are updated from random batches of it after every env step.
 */
import type { Random } from "../core/random.js";

/** `followed` of a warm-up transition (random action, nobody's advice); see trust.ts for how it counts. */
export const WARMUP = -1;

export interface BufferMark {
  readonly pos: number;
  readonly count: number;
  readonly reward: number;
  readonly followed: number;
  readonly obs: Float32Array;
  readonly nextObs: Float32Array;
}

export class SuggestionBuffer {
  readonly rewards: Float64Array;
  readonly followed: Int32Array;
  readonly obs: Float32Array;
  readonly nextObs: Float32Array;
  private pos = 0;
  private count = 0;

  constructor(
    readonly capacity: number,
    readonly obsDim: number,
  ) {
    this.rewards = new Float64Array(capacity);
    this.followed = new Int32Array(capacity);
    this.obs = new Float32Array(capacity * obsDim);
    this.nextObs = new Float32Array(capacity * obsDim);
  }

  get size(): number {
    return this.count;
  }

  /** The slot of the entry added last (valid when size > 0). */
  get latestSlot(): number {
    return (this.pos - 1 + this.capacity) % this.capacity;
  }

  add(reward: number, followed: number, nextObs: Float32Array, obs: Float32Array): void {
    const i = this.pos;
    this.rewards[i] = reward;
    this.followed[i] = followed;
    this.nextObs.set(nextObs, i * this.obsDim);
    this.obs.set(obs, i * this.obsDim);
    this.pos = (i + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** What the next add overwrites, so that it can be undone (rewind). */
  mark(): BufferMark {
    const i = this.pos;
    const d = this.obsDim;
    return {
      pos: i,
      count: this.count,
      reward: this.rewards[i],
      followed: this.followed[i],
      obs: this.obs.slice(i * d, i * d + d),
      nextObs: this.nextObs.slice(i * d, i * d + d),
    };
  }

  /** Undoes the adds since `mark` was taken (at most one). */
  rewind(mark: BufferMark): void {
    const i = mark.pos;
    const d = this.obsDim;
    this.pos = i;
    this.count = mark.count;
    this.rewards[i] = mark.reward;
    this.followed[i] = mark.followed;
    this.obs.set(mark.obs, i * d);
    this.nextObs.set(mark.nextObs, i * d);
  }

  /**
   * Writes k distinct slot indices into `out`, as Python's random.sample; returns false (and samples nothing)
   * unless the buffer holds more than k entries, as the original.
   */
  sample(rng: Random, k: number, out: Int32Array): boolean {
    if (this.count <= k) return false;
    // Rejection of repeats: k is about 10 and the buffer holds up to 1000, so this is cheaper than a shuffle.
    for (let i = 0; i < k; i++) {
      let x: number;
      let repeated: boolean;
      do {
        x = rng.integer(0, this.count);
        repeated = false;
        for (let j = 0; j < i; j++) if (out[j] === x) repeated = true;
      } while (repeated);
      out[i] = x;
    }
    return true;
  }

  /** Everything, as plain arrays (checkpoints). */
  getState(): { pos: number; count: number; rewards: number[]; followed: number[]; obs: number[]; nextObs: number[] } {
    return {
      pos: this.pos,
      count: this.count,
      rewards: [...this.rewards],
      followed: [...this.followed],
      obs: [...this.obs],
      nextObs: [...this.nextObs],
    };
  }

  setState(s: ReturnType<SuggestionBuffer["getState"]>): void {
    this.pos = s.pos;
    this.count = s.count;
    this.rewards.set(s.rewards);
    this.followed.set(s.followed);
    this.obs.set(s.obs);
    this.nextObs.set(s.nextObs);
  }

  /** Copies the s (or s') rows of `indices` into `dest`. */
  gather(source: Float32Array, indices: Int32Array, k: number, dest: Float32Array): void {
    const d = this.obsDim;
    for (let r = 0; r < k; r++) for (let j = 0; j < d; j++) dest[r * d + j] = source[indices[r] * d + j];
  }
}
