/**
 * Peer learning's advice (the original's Peer.get_action): at a decision step (every followSteps steps) every peer
 * suggests its action for the asker's state, each value term values the suggestions, the terms are max-abs
 * normalised and summed (Eq. 9), and the peer policy picks whom to follow; in between, only the followed peer is
 * asked.
 *
 * Whether peer j's suggestion to member i includes j's exploration: always for i's own, for the others when
 * peersSampleWithNoise (the original's rule). A faithful DQN peer ignores it (SB3's QNetwork is always greedy).
 */
import type { AgentAction } from "../agents/agent.js";
import type { Random } from "../core/random.js";
import type { Advisor, AdvisorContext, AdvisedMember, AdvisorPlugin } from "./advisor.js";
import { PeerPolicy } from "./peer-policy.js";
import { resolvePeers } from "./peer-settings.js";
import type { Peer } from "./peer.js";
import type { ValueTerm } from "./value-term.js";
import { addNormalized } from "./values.js";

export class PeerAdvice implements Advisor {
  readonly predictable = true;
  private readonly peers: readonly Peer[];
  private readonly terms: readonly ValueTerm[];
  private readonly policies: PeerPolicy[];
  private readonly random: Random;
  private readonly withNoise: boolean;
  private readonly width: number;
  private readonly discrete: boolean;
  /** Every peer's suggestion (rows of `width`), and the one followed. */
  private readonly actions: Float32Array;
  private readonly chosen: Float32Array;
  private readonly raw: Float64Array;
  private readonly values: Float64Array;

  constructor(context: AdvisorContext) {
    const g = context.config.group;
    const n = context.peers.length;
    this.peers = context.peers;
    this.terms = context.terms;
    this.random = context.random;
    this.withNoise = g.peersSampleWithNoise;
    this.width = context.width;
    this.discrete = context.discrete;
    // One policy per peer: each may have its own temperature. sampleRandomActions is the original's switch: it sets
    // the epsilon of the epsilon-greedy peer policy to 1 (a uniformly random peer); other policies ignore epsilon.
    const epsilon = g.sampleRandomActions ? 1 : g.epsilon;
    this.policies = resolvePeers(context.config).map(
      (p) =>
        new PeerPolicy(
          { kind: g.peerPolicy, temperature: p.temperature, temperatureDecay: p.temperatureDecay, epsilon },
          n,
        ),
    );
    this.actions = new Float32Array(n * this.width);
    this.chosen = new Float32Array(this.width);
    this.raw = new Float64Array(n);
    this.values = new Float64Array(n);
  }

  advise(m: AdvisedMember): AgentAction {
    m.peer.beforeStep(m.steps);
    const i = m.index;
    const w = this.width;
    const followed = m.follow.followed;
    // A followed peer that stopped answering (placed elsewhere) is given up at once: a new choice follows.
    if (!m.follow.nextStepChooses() && followed >= 0 && this.peers[followed].available) {
      // Its own suggestion may be taken where it steps: then nothing here reads the action returned.
      if (followed !== i || !m.peer.actOnOwnSuggestion?.(true))
        this.peers[followed].suggest(m.obs, i === followed || this.withNoise, this.chosen, 0);
    } else {
      const n = this.peers.length;
      for (let j = 0; j < n; j++)
        if (this.peers[j].available) this.peers[j].suggest(m.obs, i === j || this.withNoise, this.actions, j * w);
      // An absent peer's row (absent before, or since failing to answer) holds the asker's own suggestion (the terms
      // need an action there) and its value is -Infinity: the softmax and the greedy choice never pick it, and a
      // random pick of it falls back to the asker.
      let absent = false;
      for (let j = 0; j < n; j++)
        if (!this.peers[j].available) {
          absent = true;
          this.actions.copyWithin(j * w, i * w, i * w + w);
        }
      this.values.fill(0);
      for (const term of this.terms) {
        term.values(m, this.actions, n, this.raw);
        addNormalized(this.raw, n, this.values);
      }
      if (absent) for (let j = 0; j < n; j++) if (!this.peers[j].available) this.values[j] = -Infinity;
      let choice = this.policies[i].choose(this.values, i, m.epoch, this.random);
      if (!this.peers[choice].available) choice = i;
      m.follow.followed = choice;
      for (let q = 0; q < w; q++) this.chosen[q] = this.actions[choice * w + q];
    }
    m.followed = m.follow.followed;
    return this.discrete ? this.chosen[0] : this.chosen;
  }

  afterEnvStep(): void {}

  save(): null {
    return null;
  }

  load(): void {}
}

export const peerAdvice: AdvisorPlugin = {
  name: "peerLearning",
  applies: () => true,
  create: (context) => new PeerAdvice(context),
};
