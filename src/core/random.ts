/**
 * The one source of randomness in peerlearn: a seeded xoshiro128** generator.
 *
 * Everything random in a run (weight initialisation, exploration, replay sampling, goal sampling) draws from a
 * `Random` created from the run's seed, so that the same seed gives the same run bit for bit. The whole state is four
 * 32-bit words plus the spare normal deviate, so it can be saved in a checkpoint and restored exactly.
 */

/** Serialisable generator state (what a checkpoint stores). */
export interface RandomState {
  readonly s: readonly [number, number, number, number];
  /** The second Box-Muller deviate, kept for the next `normal()` call, or null. */
  readonly spareNormal: number | null;
}

const TWO_POW_M53 = 2 ** -53;
/** 2^32 as a constant: the generator's output range (rejection limits are computed from it). */
const TWO_POW_32 = 4294967296;

/** splitmix32: spreads a small integer seed over the 128-bit state (xoshiro must not start from all zeros). */
function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Random {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  // The spare deviate and whether there is one, apart: a field that may hold null keeps its number boxed, and every
  // store of a fresh double would allocate one (a SAC update draws hundreds).
  private spare = 0;
  private hasSpare = false;
  /** The last raw output (step), in a typed array: a field would box it (it does not fit a small integer). */
  private readonly last = new Uint32Array(1);
  /** The last Box-Muller pair (boxMuller). */
  private readonly pair = new Float64Array(2);

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    // Fold the high bits in too, so seeds that differ only above 2^32 still differ.
    const mix = splitmix32((seed ^ Math.floor(seed / 2 ** 32)) >>> 0);
    this.s0 = mix();
    this.s1 = mix();
    this.s2 = mix();
    this.s3 = mix();
  }

  /** A generator whose stream is independent of this one's (for a sub-component: an env, a peer). */
  fork(): Random {
    return new Random(this.uint32() * 2 ** 21 + (this.uint32() >>> 11));
  }

  /** Next raw 32-bit output, as an unsigned integer. */
  uint32(): number {
    this.step();
    return this.last[0];
  }

  /** The next output shifted right by `shift`: uniform draws take 27 and 26 bits, small integers, never boxed. */
  private next(shift: number): number {
    this.step();
    return this.last[0] >>> shift;
  }

  /**
   * The generator's step, its output left in `last`: a full 32-bit output returned from a call that is not inlined
   * would be a new heap number (an allocation per draw).
   */
  private step(): void {
    const s0 = this.s0;
    const s1 = this.s1;
    const s2 = this.s2;
    const s3 = this.s3;
    const m = Math.imul(s1, 5);
    this.last[0] = Math.imul((m << 7) | (m >>> 25), 9);
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    this.s1 = s1 ^ n2;
    this.s0 = s0 ^ n3;
    this.s2 = n2 ^ t;
    this.s3 = (n3 << 11) | (n3 >>> 21);
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.next(5); // 27 bits
    const lo = this.next(6); // 26 bits
    return (hi * 67108864 + lo) * TWO_POW_M53;
  }

  /** Uniform double in [low, high). */
  uniformIn(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Integer uniform in [low, high) (upper bound exclusive, like numpy's `integers`), without modulo bias. */
  integer(low: number, high: number): number {
    const range = high - low;
    if (!(range >= 1) || !Number.isInteger(range) || range > TWO_POW_32) {
      throw new RangeError(`integer(${low}, ${high}): need integers with 1 <= high - low <= 2^32`);
    }
    // Lemire-style rejection on the 32-bit output: reject the top partial block.
    const limit = TWO_POW_32 - (TWO_POW_32 % range);
    this.step();
    while (this.last[0] >= limit) this.step();
    return low + (this.last[0] % range);
  }

  /** Standard normal deviate (Box-Muller; the second deviate is kept for the next call). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    this.boxMuller();
    this.spare = this.pair[1];
    this.hasSpare = true;
    return this.pair[0];
  }

  /**
   * One Box-Muller pair into `pair` (cosine, then sine deviate). The uniforms are uniform()'s expression written
   * out, and the pair goes to an array: doubles passed out of calls that are not inlined would be boxed.
   */
  private boxMuller(): void {
    let u = (this.next(5) * 67108864 + this.next(6)) * TWO_POW_M53;
    while (u === 0) u = (this.next(5) * 67108864 + this.next(6)) * TWO_POW_M53;
    const v = (this.next(5) * 67108864 + this.next(6)) * TWO_POW_M53;
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * v;
    this.pair[0] = r * Math.cos(theta);
    this.pair[1] = r * Math.sin(theta);
  }

  /** Index drawn with probability proportional to `weights[i]` (non-negative, not all zero). */
  categorical(weights: ArrayLike<number>, length = weights.length): number {
    let total = 0;
    for (let i = 0; i < length; i++) total += weights[i];
    if (!(total > 0) || !Number.isFinite(total)) {
      throw new RangeError(`categorical: weights must be finite, non-negative and not all zero (sum ${total})`);
    }
    let x = this.uniform() * total;
    for (let i = 0; i < length - 1; i++) {
      x -= weights[i];
      if (x < 0) return i;
    }
    return length - 1;
  }

  /**
   * Writes k distinct indices from [0, n) into `out` (partial Fisher-Yates on `scratch`, which must hold n
   * entries; pass the same scratch every call to avoid allocation).
   */
  sampleWithoutReplacement(n: number, k: number, out: Int32Array, scratch: Int32Array = new Int32Array(n)): void {
    if (k > n) throw new RangeError(`cannot sample ${k} distinct indices from ${n}`);
    for (let i = 0; i < n; i++) scratch[i] = i;
    for (let i = 0; i < k; i++) {
      const j = this.integer(i, n);
      const tmp = scratch[i];
      scratch[i] = scratch[j];
      scratch[j] = tmp;
      out[i] = scratch[i];
    }
  }

  /** Fills out[0..count) with standard normal deviates: the same draws as that many `normal()` calls, none boxed. */
  fillNormals(out: Float64Array, count = out.length): void {
    let i = 0;
    if (count > 0 && this.hasSpare) {
      this.hasSpare = false;
      out[i++] = this.spare;
    }
    // Both deviates of each pair straight into `out` (normal() returns one and keeps the other).
    for (; i < count; i += 2) {
      this.boxMuller();
      out[i] = this.pair[0];
      if (i + 1 < count) out[i + 1] = this.pair[1];
      else {
        this.spare = this.pair[1];
        this.hasSpare = true;
      }
    }
  }

  /**
   * Fills `out` with uniform integers in [0, n) (sampling with replacement, as replay buffers do): the draws of
   * `count` integer(0, n) calls, written straight into `out` (a number returned from a call that is not inlined may
   * be boxed).
   */
  fillIntegers(out: Int32Array, n: number, count = out.length): void {
    if (!(n >= 1) || !Number.isInteger(n) || n > TWO_POW_32 / 2) {
      throw new RangeError(`fillIntegers(n = ${n}): need an integer with 1 <= n <= 2^31`);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (let i = 0; i < count; i++) {
      this.step();
      while (this.last[0] >= limit) this.step();
      out[i] = this.last[0] % n;
    }
  }

  getState(): RandomState {
    return { s: [this.s0, this.s1, this.s2, this.s3], spareNormal: this.hasSpare ? this.spare : null };
  }

  setState(state: RandomState): void {
    const [a, b, c, d] = state.s;
    if ((a | b | c | d) === 0) throw new RangeError("invalid random state: all zero");
    this.s0 = a >>> 0;
    this.s1 = b >>> 0;
    this.s2 = c >>> 0;
    this.s3 = d >>> 0;
    this.hasSpare = state.spareNormal !== null;
    this.spare = state.spareNormal ?? 0;
  }
}
