/**
 * Peer policies: how a peer picks whose suggestion to follow from the combined values v_j (values.ts).
 * - softmax (Eq. 2): P(j) proportional to exp(v_j / T_m), with temperature T_m = T0 exp(-lambda m), m the epoch;
 * - epsilonGreedy: the best v_j, or with probability epsilon a uniformly random peer (self included);
 * - onlyOthers: uniform over the other peers (Early Advising);
 * - uniform: uniform over all peers, self included (random advice; the original gets it as softmax over no values).
 */
import type { Random } from "../core/random.js";

export const PEER_POLICIES = ["softmax", "epsilonGreedy", "onlyOthers", "uniform"] as const;
export type PeerPolicyKind = (typeof PEER_POLICIES)[number];

export interface PeerPolicyOptions {
  readonly kind: PeerPolicyKind;
  /** T0 of the softmax. */
  readonly temperature: number;
  /** lambda of the temperature decay T0 exp(-lambda m). */
  readonly temperatureDecay: number;
  readonly epsilon: number;
}

export function temperatureAt(options: PeerPolicyOptions, epoch: number): number {
  return options.temperature * Math.exp(-options.temperatureDecay * epoch);
}

export class PeerPolicy {
  private readonly probs: Float64Array;

  constructor(
    readonly options: PeerPolicyOptions,
    readonly nPeers: number,
  ) {
    this.probs = new Float64Array(nPeers);
  }

  /** The index of the peer to follow, for peer `self` at `epoch`, given the combined values. */
  choose(values: Float64Array, self: number, epoch: number, rng: Random): number {
    const n = this.nPeers;
    switch (this.options.kind) {
      case "softmax": {
        const t = temperatureAt(this.options, epoch);
        // Subtracting the largest value leaves the probabilities unchanged and keeps exp() finite at small T.
        let max = -Infinity;
        for (let j = 0; j < n; j++) max = Math.max(max, values[j]);
        for (let j = 0; j < n; j++) this.probs[j] = Math.exp((values[j] - max) / t);
        return rng.categorical(this.probs, n);
      }
      case "epsilonGreedy": {
        if (rng.uniform() < this.options.epsilon) return rng.integer(0, n);
        let best = 0;
        for (let j = 1; j < n; j++) if (values[j] > values[best]) best = j;
        return best;
      }
      case "onlyOthers": {
        if (n < 2) return self;
        const k = rng.integer(0, n - 1);
        return k >= self ? k + 1 : k;
      }
      case "uniform":
        return rng.integer(0, n);
    }
  }
}

/**
 * Follow steps: after choosing peer j, a peer follows j for `followSteps` steps in all (asking only j), then chooses
 * again. The counter runs across episode ends, as in the original.
 */
export class FollowState {
  /** Steps taken since the last choice, modulo followSteps. */
  private stepsFollowed = 0;
  /** The peer being followed (-1 before the first choice). */
  followed = -1;

  constructor(readonly followSteps: number) {}

  getState(): { stepsFollowed: number; followed: number } {
    return { stepsFollowed: this.stepsFollowed, followed: this.followed };
  }

  setState(s: { stepsFollowed: number; followed: number }): void {
    this.stepsFollowed = s.stepsFollowed;
    this.followed = s.followed;
  }

  /** Whether the coming step is a decision step (nextStepChooses will say true), without advancing. */
  get choosesNext(): boolean {
    return this.stepsFollowed === 0;
  }

  /** True when this step is a decision step (ask everyone and choose); advances the counter either way. */
  nextStepChooses(): boolean {
    const chooses = this.stepsFollowed === 0;
    this.stepsFollowed = (this.stepsFollowed + 1) % this.followSteps;
    return chooses;
  }
}
