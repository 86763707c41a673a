/**
 * A peer group: n peers, each acting peer with its own off-policy loop (agents/off-policy-loop.ts: its env, its
 * evaluation env, its counters) and suggestion buffer, the group's value terms (value-term.ts) and its advisor
 * (advisor.ts). One env step of a member is its loop's step with the group's seams (the original's
 * Peer.get_action and _on_step):
 *
 *   choose: during warm-up and in solo epochs its own action; otherwise the advisor's (peer learning: ask the
 *   peers, value their suggestions with the terms, pick whom to follow with the peer policy).
 *   Then: env step, count whom it followed, store the transition (replay buffer and suggestion buffer), update
 *   every value term; training is the schedule's (group-schedule.ts).
 *
 * Variants: `faithful` reproduces the published code, including its quirks (docs/peer-learning.md): a DQN peer's own
 * suggestion is its greedy action, so DQN's epsilon is never used outside solo epochs; the suggestion buffer stores
 * the reset observation as s' at an episode end; warm-up transitions (random actions, nobody's advice) count for
 * every peer in trust updates; in solo epochs epsilon follows SB3's per-`learn`-call progress. `corrected` fixes
 * them: a DQN peer explores with its epsilon schedule over its whole training, s' is the terminal observation,
 * warm-up transitions are not stored as advice.
 */
import { Random } from "../core/random.js";
import { UserError } from "../core/errors.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import { make } from "../envs/registry.js";
import { actionDim } from "../envs/spaces.js";
import type { AgentAction } from "../agents/agent.js";
import { resolvePeers } from "./peer-settings.js";
import { newLearnerPeer } from "./learner-peers.js";
import { OffPolicyLoop, type EvalResult, type LoopHooks } from "../agents/off-policy-loop.js";
import type { GroupRunConfig } from "./config.js";
import { LearnerPeer, ScriptedPeer, type ActingPeer, type Peer } from "./peer.js";
import { FollowState } from "./peer-policy.js";
import { SuggestionBuffer, WARMUP } from "./suggestion-buffer.js";
import { recordValueQueries } from "./targets.js";
import { createValueTerms, type ValueTerm } from "./value-term.js";
import { ADVISORS, VALUE_TERMS } from "./mechanisms.js";
import { createAdvisor, type Advisor, type AdvisedMember } from "./advisor.js";
import type { GroupPlacement, MemberLoop, Rehearsal, SuggestionAsk } from "./placement.js";

/** The loop of a member that runs in this process (benchmarks and tests look inside it). */
export function localLoop(m: Member): OffPolicyLoop {
  if (!(m.loop instanceof OffPolicyLoop)) throw new Error(`peer ${m.index} runs in another process`);
  return m.loop;
}

/** An acting peer and everything it owns. */
export interface Member extends AdvisedMember {
  readonly loop: MemberLoop;
  /** How often this peer followed each peer: all training, and the current epoch. */
  readonly followCounts: Float64Array;
  readonly epochFollowCounts: Float64Array;
  /** Epochs completed (drives the temperature decay). */
  epoch: number;
  /** Whether this step's transition goes into the suggestion buffer. */
  storeAdvice: boolean;
}

export class PeerGroup {
  readonly peers: Peer[];
  readonly members: Member[];
  readonly terms: readonly ValueTerm[];
  readonly advisor: Advisor;
  private readonly faithful: boolean;
  /** Floats per action (1 for a discrete action). */
  readonly width: number;
  readonly discrete: boolean;
  /** The group's own generator (peer choices, value term batches). */
  readonly random: Random;
  /** Whether the current epoch is solo (no advice). */
  private solo = false;
  private readonly maxEpisodeSteps: number;
  /** Whether member updates can be rehearsed (rehearseUpdates). */
  private readonly rehearsable: boolean;
  /** A member whose updates wait for the env step of the member after it, and that member (defersUpdatesOf). */
  private deferred: { readonly member: Member; readonly until: Member } | null = null;
  /** Called with each member's evaluations (the driver writes its metrics line). */
  onEvaluation: ((m: Member, result: EvalResult, returns: readonly number[]) => void) | null = null;

  constructor(
    readonly config: GroupRunConfig,
    kernels: Kernels,
    root: Random,
    private readonly placement: GroupPlacement | null = null,
  ) {
    const n = config.peers.length;
    this.faithful = config.variant === "faithful";
    this.random = root.fork();
    this.peers = [];
    this.members = [];
    const probe = make(config.env, config.envOptions);
    const space = probe.actionSpace;
    const obsDim = probe.observationSpace.dim;
    this.maxEpisodeSteps = probe.maxEpisodeSteps;
    probe.close();
    this.discrete = space.kind === "discrete";
    this.width = actionDim(space);
    resolvePeers(config).forEach(({ spec, learner }, index) => {
      if (spec.kind === "expert" || spec.kind === "adversary" || !learner) {
        if (!config.env.startsWith("Room-"))
          throw new UserError(`scripted ${spec.kind} peers exist for the Room tasks only, not ${config.env}`);
        this.peers.push(new ScriptedPeer(spec.kind as "expert" | "adversary", root.fork()));
        return;
      }
      const p = placement;
      const elsewhere = p && !p.isLocal(index) ? () => p.remotePeer(index, spec.kind, learner) : null;
      const peer = newLearnerPeer(spec.kind, learner, { config, kernels, obsDim, space, root }, elsewhere);
      if (spec.kind === "frozen" && peer instanceof LearnerPeer) peer.learner.loadPolicy(spec.checkpoint);
      this.peers.push(peer);
      this.members.push(this.newMember(index, peer, n, root));
    });
    const context = {
      config,
      peers: this.peers,
      members: this.members,
      obsDim,
      width: this.width,
      discrete: this.discrete,
      random: this.random,
    };
    this.terms = createValueTerms(VALUE_TERMS.list(), context);
    this.advisor = createAdvisor(ADVISORS.list(), { ...context, terms: this.terms, kernels, root });
    this.rehearsable = this.advisor.predictable === true && this.terms.every((t) => t.rehearsable === true);
  }

  private newMember(index: number, peer: ActingPeer, nPeers: number, root: Random): Member {
    const c = this.config;
    const hooks: LoopHooks = {
      chooseAction: () => this.chooseAction(m),
      afterEnvStep: (r) => {
        this.advisor.afterEnvStep(m, r);
        if (m.followed >= 0) {
          m.followCounts[m.followed] += 1;
          m.epochFollowCounts[m.followed] += 1;
        }
      },
      onEvaluation: (ev, returns) => this.onEvaluation?.(m, ev, returns),
      afterStore: (r, done) => {
        if (m.storeAdvice && !(this.faithful && done)) m.suggestions.add(r.reward, m.followed, r.obs, m.obs);
      },
      // The original stores the reset observation as s' of an episode's last transition.
      onEpisodeEnd: (reward, first) => {
        if (m.storeAdvice && this.faithful) m.suggestions.add(reward, m.followed, first, m.obs);
      },
      afterStep: () => {
        if (this.solo) return;
        const next = this.defersUpdatesOf(m);
        if (next) this.deferred = { member: m, until: next };
        else this.update(m);
      },
    };
    const envSeed = root.integer(0, 2 ** 31);
    const evalSeed = root.integer(0, 2 ** 31);
    const placement = this.placement;
    let loop: MemberLoop;
    if (placement && !placement.isLocal(index)) {
      loop = placement.remoteLoop(index, peer, hooks, this.maxEpisodeSteps, {
        rehearse: () => this.rehearseUpdates(m),
        runDeferredUpdates: () => this.runDeferredUpdates(),
        nextAsk: () => this.nextAskOf(m),
        askAfterTraining: () => this.askOf(m, this.members[0]),
      });
    } else {
      const local = new OffPolicyLoop(
        peer.agent,
        make(c.env, c.envOptions),
        make(c.env, c.envOptions),
        { evalFreq: c.evalFreq, evalEpisodes: c.evalEpisodes, label: `peer ${index}` },
        placement?.localHooks ? placement.localHooks(index, hooks) : hooks,
      );
      local.start(envSeed, evalSeed);
      loop = local;
    }
    const m: Member = {
      index,
      peer,
      loop,
      obs: loop.obs,
      get steps() {
        return loop.steps;
      },
      suggestions: new SuggestionBuffer(c.group.suggestionBufferSize, loop.obs.length),
      follow: new FollowState(c.group.followSteps),
      epoch: 0,
      followCounts: new Float64Array(nPeers),
      epochFollowCounts: new Float64Array(nPeers),
      followed: -1,
      storeAdvice: false,
    };
    return m;
  }

  /**
   * The value queries that member m's term updates will make after the env step it is about to take (its action
   * chosen), found by running them with a stand-in transition (its s' stands in for the one to come) and then
   * restoring the buffer, the terms and the group's generator. The queries depend only on which entries are
   * sampled, never on their values, and sampling draws the same whatever the values. Null when nothing can be
   * rehearsed: a solo epoch (no updates), a term that does not say it is rehearsable, an advisor other than
   * peer advice (others may draw from the generator after the env step).
   */
  rehearseUpdates(m: Member): Rehearsal | null {
    if (this.solo || !this.rehearsable) return null;
    const randomState = this.random.getState();
    const termStates = this.terms.map((t) => t.getState());
    const buffer = m.suggestions;
    const mark = buffer.mark();
    try {
      // The waiting updates come first (in one process they ran before this member chose its action).
      const waiting = this.deferred?.member;
      const earlier = waiting ? recordValueQueries(() => this.update(waiting)) : [];
      if (m.storeAdvice) buffer.add(0, m.followed, m.obs, m.obs);
      const newSlot = m.storeAdvice ? buffer.latestSlot : -1;
      const queries = recordValueQueries(() => this.update(m));
      return { earlier, queries, buffer, newSlot };
    } finally {
      buffer.rewind(mark);
      this.terms.forEach((t, i) => t.setState(termStates[i]));
      this.random.setState(randomState);
    }
  }

  /**
   * The suggestion the group will likely ask of member m first after its coming env step and updates: the next
   * member's advice (next in this step, or the first one in the next lockstep step) asks m when it follows m or
   * chooses anew. A guess: a peer that computes the suggestion ahead takes its draws back when it goes unused.
   */
  nextAskOf(m: Member): SuggestionAsk | null {
    return this.askOf(m, this.members[(this.members.indexOf(m) + 1) % this.members.length]);
  }

  /**
   * The suggestion member `asker`'s advice will ask of member m at its coming step: when it chooses anew or
   * follows m. After a training round the first member of the next lockstep step asks first.
   */
  askOf(m: Member, asker: Member): SuggestionAsk | null {
    if (this.solo || this.advisor.predictable !== true) return null;
    if (asker === m || asker.loop.steps < asker.peer.learningStarts) return null;
    if (!asker.follow.choosesNext && asker.follow.followed !== m.index) return null;
    return { obs: asker.obs, explore: this.config.group.peersSampleWithNoise };
  }

  /** Every value term's update after an env step of member m with advice. */
  private update(m: Member): void {
    for (const term of this.terms) term.update(m);
  }

  /**
   * The member whose env step member m's updates can wait for, or null. They can when nothing the group does
   * between reads the terms or draws from the group's generator, so that running them later is running them in
   * the same order: the next member in this lockstep step runs elsewhere, is past its warm-up and makes no
   * decision this step, and follows itself (its advice then asks nothing: it takes its own suggestion where it
   * steps) or a peer of this process whose suggestion draws apart from the updates (suggestsApartFromUpdates).
   * Its stand-in sends the updates' value queries with the step and runs them when the reply is in, before the
   * step's own seams: one round trip less, the same results.
   */
  private defersUpdatesOf(m: Member): Member | null {
    // (A group without peers elsewhere never defers: checked first, as this runs after every env step.)
    if (!this.placement || !this.rehearsable || m.loop.placedElsewhere || this.config.group.schedule !== "lockstep")
      return null;
    const next = this.members[this.members.indexOf(m) + 1];
    const waits =
      next !== undefined &&
      next.loop.takesEarlierUpdates === true &&
      next.peer.available &&
      next.loop.steps >= next.peer.learningStarts &&
      !next.follow.choosesNext &&
      (next.follow.followed === next.index || this.suggestsApartFromUpdates(next.follow.followed));
    return waits ? next : null;
  }

  /**
   * Whether peer j's suggestion may come before updates that were to run first: j is in this process, and the
   * updates' value queries draw nothing from the generators its suggestion draws from (a scripted peer is never
   * asked for values; a DQN's and a TD3's values draw nothing; a SAC's sample its action).
   */
  private suggestsApartFromUpdates(j: number): boolean {
    if (j < 0 || !this.placement?.isLocal(j)) return false;
    const peer = this.peers[j];
    return peer instanceof ScriptedPeer || (peer instanceof LearnerPeer && !peer.learner.valuesDraw);
  }

  /** Runs the updates that waited (defersUpdatesOf), if any. */
  runDeferredUpdates(): void {
    const d = this.deferred;
    this.deferred = null;
    if (d) this.update(d.member);
  }

  /** The action of member m at this step: its own during warm-up and in solo epochs, else the advisor's. */
  private chooseAction(m: Member): AgentAction {
    const steps = m.loop.steps;
    const warmup = steps < m.peer.learningStarts;
    m.storeAdvice = !this.solo && (this.faithful || !warmup);
    if (warmup || this.solo) {
      // During warm-up the original keeps its followed peer (None at the very start, itself after a solo epoch).
      m.followed = this.solo ? m.index : m.follow.followed >= 0 ? m.follow.followed : WARMUP;
      return m.peer.act(m.obs, steps);
    }
    return this.advisor.advise(m);
  }

  /** One env step of member m followed by its training round when one is due (the round-robin order). */
  step(m: Member, solo: boolean, progressTotal: number): void {
    this.act(m, solo, progressTotal);
    if (m.peer.learns) m.loop.trainIfDue();
  }

  /**
   * One env step of member m (SB3's collect_rollouts step with the peer's seams), without training. `solo`: no
   * advice this epoch. `progressTotal`: the step count at which epsilon's progress reaches 1.
   */
  act(m: Member, solo: boolean, progressTotal: number): void {
    // Updates wait only for the member they were deferred to; anything else runs them first.
    if (this.deferred && this.deferred.until !== m) this.runDeferredUpdates();
    this.solo = solo;
    m.loop.progressTotal = progressTotal;
    m.loop.collect();
  }
}
