/**
 * Trust values (Eq. 4): peer i's local estimate v_i^j of how good following peer j has been, moved after every env
 * step towards the mean bootstrapped target (targets.ts) of a random batch of i's own suggestion buffer.
 */
import type { Random } from "../core/random.js";
import type { GroupSettings } from "./config.js";
import type { SuggestionBuffer } from "./suggestion-buffer.js";
import { TargetAccumulator, type ValueAnswers, type ValueFunction } from "./targets.js";
import { moveTowardsMeanTargets } from "./values.js";
import type { TermContext, TermMember, ValueTerm, ValueTermPlugin } from "./value-term.js";

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
    answers?: ValueAnswers,
  ) {
    this.values = new Float64Array(nPeers).fill(initial);
    this.sums = new Float64Array(nPeers);
    this.counts = new Float64Array(nPeers);
    this.targets = new TargetAccumulator(batchSize, obsDim, answers);
  }

  /**
   * `latestOnly`: from the latest transition alone, not a batch (the original's use_trust_buffer off). The discount
   * and the rate come in objects (the peer, the group settings): a double passed to a call that is not inlined is
   * boxed, an allocation per env step.
   */
  update(
    peer: ValueFunction,
    buffer: SuggestionBuffer,
    discount: { readonly gamma: number },
    advantage: boolean,
    rate: { readonly trustLr: number },
    rng: Random,
    latestOnly = false,
  ): void {
    const gamma = discount.gamma;
    this.sums.fill(0);
    this.counts.fill(0);
    const t = this.targets;
    const added = latestOnly
      ? t.accumulateLatest(peer, buffer, gamma, advantage, this.sums, this.counts)
      : t.accumulate(peer, buffer, this.batchSize, gamma, advantage, rng, this.sums, this.counts);
    if (added) moveTowardsMeanTargets(this.values, this.sums, this.counts, rate.trustLr);
  }
}

/** Trust as a value term: every acting peer has its own values; a peer's decisions read its own. */
class TrustTerm implements ValueTerm {
  readonly name = "trust";
  readonly repeatable = true;
  /** By peer index (null for peers that do not act). */
  private readonly byPeer: (TrustValues | null)[];
  private readonly settings: GroupSettings;
  private readonly random: Random;

  constructor(c: TermContext) {
    const g = c.config.group;
    const n = c.peers.length;
    this.settings = g;
    this.random = c.random;
    this.byPeer = c.peers.map((_, i) =>
      c.members.some((m) => m.index === i)
        ? new TrustValues(n, g.initialTrust, g.valueBatchSize, c.obsDim, c.answers)
        : null,
    );
  }

  private of(m: TermMember): TrustValues {
    return this.byPeer[m.index] as TrustValues;
  }

  values(m: TermMember, _actions: Float32Array, n: number, out: Float64Array): void {
    const v = this.of(m).values;
    for (let j = 0; j < n; j++) out[j] = v[j];
  }

  update(m: TermMember): void {
    const g = this.settings;
    this.of(m).update(m.peer, m.suggestions, m.peer, g.advantage, g, this.random, !g.useTrustBuffer);
  }

  logged(m: TermMember): Float64Array {
    return this.of(m).values;
  }

  getState(): (number[] | null)[] {
    return this.byPeer.map((t) => (t ? [...t.values] : null));
  }

  setState(state: unknown): void {
    const s = state as (number[] | null)[];
    this.byPeer.forEach((t, i) => {
      const v = s[i];
      if (t && v) t.values.set(v);
    });
  }
}

export const trustTerm: ValueTermPlugin = {
  name: "trust",
  enabled: (config) => config.group.trust,
  create: (context) => new TrustTerm(context),
};
