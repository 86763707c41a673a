/**
 * Trust values (Eq. 4): peer i's local estimate v_i^j of how good following peer j has been, moved after every env
 * step towards the mean bootstrapped target (targets.ts) of a random batch of i's own suggestion buffer.
 */
import type { Random } from "../core/random.js";
import type { SuggestionBuffer } from "./suggestion-buffer.js";
import { TargetAccumulator, type ValueFunction } from "./targets.js";
import { moveTowardsMeanTargets } from "./values.js";

export class TrustValues {
  readonly values: Float64Array;
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;
  private readonly targets: TargetAccumulator;

  constructor(
    nPeers: number,
    initial: number,
    private readonly batchSize: number,
    obsDim: number,
  ) {
    this.values = new Float64Array(nPeers).fill(initial);
    this.sums = new Float64Array(nPeers);
    this.counts = new Float64Array(nPeers);
    this.targets = new TargetAccumulator(batchSize, obsDim);
  }

  update(peer: ValueFunction, buffer: SuggestionBuffer, gamma: number, advantage: boolean, lr: number, rng: Random): void {
    this.sums.fill(0);
    this.counts.fill(0);
    if (this.targets.accumulate(peer, buffer, this.batchSize, gamma, advantage, rng, this.sums, this.counts)) {
      moveTowardsMeanTargets(this.values, this.sums, this.counts, lr);
    }
  }
}
