/**
 * Agent values (Eq. 6-7): one vector v^j shared by the whole group, a global leaderboard of whose advice pays.
 * After every env step it moves towards the mean target of batch // n samples from every learning peer's
 * suggestion buffer, each sample evaluated by the peer that collected it; no update until every buffer holds more
 * than its share (as the original).
 */
import type { Random } from "../core/random.js";
import type { GroupSettings } from "./config.js";
import type { SuggestionBuffer } from "./suggestion-buffer.js";
import { TargetAccumulator, type ValueAnswers, type ValueFunction } from "./targets.js";
import { moveTowardsMeanTargets } from "./values.js";
import type { TermContext, TermMember, ValueTerm, ValueTermPlugin } from "./value-term.js";

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

  constructor(nPeers: number, initial: number, batchSize: number, obsDim: number, answers?: ValueAnswers) {
    this.values = new Float64Array(nPeers).fill(initial);
    this.sums = new Float64Array(nPeers);
    this.counts = new Float64Array(nPeers);
    // The original divides by the number of all peers, scripted ones included.
    this.perPeer = Math.floor(batchSize / nPeers);
    this.targets = new TargetAccumulator(Math.max(this.perPeer, 1), obsDim, answers);
  }

  /**
   * `stepping`: the peer that just stepped, whose discount every target uses (as the original). Passed as the peer,
   * not its discount, and the rate in the group settings: a double passed to a call that is not inlined is boxed.
   */
  update(
    sources: readonly AgentValueSource[],
    stepping: { readonly gamma: number },
    advantage: boolean,
    rate: { readonly trustLr: number },
    rng: Random,
  ): void {
    if (this.perPeer < 1) return;
    const gamma = stepping.gamma;
    this.sums.fill(0);
    this.counts.fill(0);
    for (let i = 0; i < sources.length; i++) {
      if (sources[i].buffer.size <= this.perPeer) return; // every buffer must be able to give its share
    }
    for (let i = 0; i < sources.length; i++) {
      const s = sources[i];
      this.targets.accumulate(s.peer, s.buffer, this.perPeer, gamma, advantage, rng, this.sums, this.counts);
    }
    moveTowardsMeanTargets(this.values, this.sums, this.counts, rate.trustLr);
  }
}

/** Agent values as a value term: one vector for the whole group, moved after every step of any acting peer. */
class AgentValuesTerm implements ValueTerm {
  readonly name = "agentValues";
  readonly repeatable = true;
  private readonly agentValues: AgentValues;
  private readonly sources: AgentValueSource[];
  private readonly peers: readonly { readonly available: boolean }[];
  private readonly settings: GroupSettings;
  private readonly random: Random;

  constructor(c: TermContext) {
    const g = c.config.group;
    this.settings = g;
    this.random = c.random;
    this.agentValues = new AgentValues(c.peers.length, g.initialAgentValue, g.valueBatchSize, c.obsDim, c.answers);
    this.sources = c.members.map((m) => ({ peer: m.peer, buffer: m.suggestions }));
    this.peers = c.members.map((m) => m.peer);
  }

  values(_m: TermMember, _actions: Float32Array, n: number, out: Float64Array): void {
    const v = this.agentValues.values;
    for (let j = 0; j < n; j++) out[j] = v[j];
  }

  /**
   * The stepping peer's discount, as the original. While a peer is absent (placed elsewhere and not answering), its buffer
   * cannot be valued: the update waits (as it waits until every buffer holds its share).
   */
  update(m: TermMember): void {
    for (let i = 0; i < this.peers.length; i++) if (!this.peers[i].available) return;
    const g = this.settings;
    this.agentValues.update(this.sources, m.peer, g.advantage, g, this.random);
  }

  logged(): Float64Array {
    return this.agentValues.values;
  }

  getState(): number[] {
    return [...this.agentValues.values];
  }

  setState(state: unknown): void {
    this.agentValues.values.set(state as number[]);
  }
}

export const agentValuesTerm: ValueTermPlugin = {
  name: "agentValues",
  enabled: (config) => config.group.agentValues,
  create: (context) => new AgentValuesTerm(context),
};
