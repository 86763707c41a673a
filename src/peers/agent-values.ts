/**
 * Agent values (Eq. 6-7): one vector v^j shared by the whole group, a global leaderboard of whose advice pays.
 * After every env step it moves towards the mean target of batch // n samples from every learning peer's
 * suggestion buffer, each sample evaluated by the peer that collected it; no update until every buffer holds more
 * than its share (as the original).
 */
import type { Random } from "../core/random.js";
import type { SuggestionBuffer } from "./suggestion-buffer.js";
import { TargetAccumulator, type ValueFunction } from "./targets.js";
import { moveTowardsMeanTargets } from "./values.js";

export interface AgentValueSource {
  readonly peer: ValueFunction;
  readonly buffer: SuggestionBuffer;
}

export class AgentValues {
  readonly values: Float64Array;
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;
  private readonly targets: TargetAccumulator;
  private readonly perPeer: number;

  constructor(
    nPeers: number,
    initial: number,
    batchSize: number,
    obsDim: number,
  ) {
    this.values = new Float64Array(nPeers).fill(initial);
    this.sums = new Float64Array(nPeers);
    this.counts = new Float64Array(nPeers);
    // The original divides by the number of all peers, scripted ones included.
    this.perPeer = Math.floor(batchSize / nPeers);
    this.targets = new TargetAccumulator(Math.max(this.perPeer, 1), obsDim);
  }

  update(sources: readonly AgentValueSource[], gamma: number, advantage: boolean, lr: number, rng: Random): void {
    if (this.perPeer < 1) return;
    this.sums.fill(0);
    this.counts.fill(0);
    for (const s of sources) {
      if (s.buffer.size <= this.perPeer) return; // every buffer must be able to give its share
    }
    for (const s of sources) this.targets.accumulate(s.peer, s.buffer, this.perPeer, gamma, advantage, rng, this.sums, this.counts);
    moveTowardsMeanTargets(this.values, this.sums, this.counts, lr);
  }
}
