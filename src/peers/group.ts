/**
 * A peer group: n peers, each acting peer with its own off-policy loop (agents/off-policy-loop.ts: its env, its
 * evaluation env, its counters) and suggestion buffer, the group's value terms (value-term.ts) and its advisor
 * (advisor.ts). One env step of a member (Algorithm 1's inner loop; the loop calls the phases through its seams):
 *
 *   choose         its own action during warm-up and in solo epochs; otherwise the advisor's (peer learning: ask
 *                  the peers, value their suggestions with the terms, pick whom to follow with the peer policy)
 *   env step       in the member's loop
 *   countFollow    whom the step followed; the advisor sees the step
 *   store          the transition into the replay buffer (the loop), the advice into the suggestion buffer
 *   updateValues   every value term moves (trust, agent values, ...)
 *   train          when a rollout is complete: the schedule's (group-schedule.ts), not a step's
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
import { isOnnxCheckpoint, type GroupRunConfig } from "./config.js";
import { LearnerPeer, ScriptedPeer, type ActingPeer, type Peer } from "./peer.js";
import { FollowState } from "./peer-policy.js";
import { OnnxPeer } from "./onnx-peer.js";
import { SuggestionBuffer, WARMUP } from "./suggestion-buffer.js";
import { askEachPeer, type ValueAnswers } from "./targets.js";
import { createValueTerms, type ValueTerm } from "./value-term.js";
import { ADVISORS, VALUE_TERMS } from "./mechanisms.js";
import { createAdvisor, type Advisor, type AdvisedMember } from "./advisor.js";
import type { MemberLoop } from "./member-loop.js";
import type { LearnerSettings } from "./peer-settings.js";
import type { StepResult } from "../envs/env.js";

/** The loop of a member built here (benchmarks and tests look inside it). */
export function localLoop(m: Member): OffPolicyLoop {
  if (!(m.loop instanceof OffPolicyLoop)) throw new Error(`peer ${m.index} is placed elsewhere`);
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

/**
 * Where each peer runs, for a group whose peers are not all built here (distributed/peers/): a peer placed
 * elsewhere is a stand-in built from what its construction would have drawn from the root generator, so that every
 * place draws the same generators for the same peers. The optional seams let a placement answer value queries and
 * order the value updates itself, as long as every term sees the same updates in the same order.
 */
export interface GroupPlacement {
  isLocal(index: number): boolean;
  /** The stand-in of acting peer `index`, placed elsewhere. */
  peerElsewhere(index: number, kind: LearnerPeer["kind"], learner: LearnerSettings): ActingPeer;
  /** The loop of that peer: `hooks` are the group's phases, run here around the env step taken there. */
  loopElsewhere(index: number, peer: ActingPeer, hooks: LoopHooks, maxEpisodeSteps: number): MemberLoop;
  /** The seams of a member built here in place of the group's (a place serving another's group). */
  localHooks?(index: number, groupHooks: LoopHooks): LoopHooks;
  /** Who answers the value terms' queries, given the group's own (each peer asked as the terms ask). */
  answers?(own: ValueAnswers): ValueAnswers;
  /** Sees the group once it is built. */
  attach?(group: PeerGroup): void;
  /** Before member `index`'s env step. */
  beforeStep?(index: number): void;
  /**
   * True when it takes member `index`'s value updates after its env step, to run them itself (updateValues)
   * before anything reads the terms or draws from the group's generator.
   */
  holdsUpdates?(index: number): boolean;
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
  /** Told of each member's evaluations (GroupSchedule's evaluation callback). */
  private evaluationListener: ((m: Member, result: EvalResult, returns: readonly number[]) => void) | null = null;

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
      if (spec.kind === "frozen" && isOnnxCheckpoint(spec.checkpoint)) {
        this.peers.push(new OnnxPeer(spec.checkpoint, obsDim, space, kernels));
        return;
      }
      if (spec.kind === "expert" || spec.kind === "adversary" || !learner) {
        if (!config.env.startsWith("Room-"))
          throw new UserError(`scripted ${spec.kind} peers exist for the Room tasks only, not ${config.env}`);
        this.peers.push(new ScriptedPeer(spec.kind as "expert" | "adversary", root.fork()));
        return;
      }
      const p = placement;
      const elsewhere = p && !p.isLocal(index) ? () => p.peerElsewhere(index, spec.kind, learner) : null;
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
      answers: placement?.answers?.(askEachPeer) ?? askEachPeer,
    };
    this.terms = createValueTerms(VALUE_TERMS.list(), context);
    this.advisor = createAdvisor(ADVISORS.list(), { ...context, terms: this.terms, kernels, root });
    placement?.attach?.(this);
  }

  /** Tells `listener` of every member's evaluations from now on (one listener: its driver's schedule). */
  listenToEvaluations(listener: (m: Member, result: EvalResult, returns: readonly number[]) => void): void {
    if (this.evaluationListener) throw new Error("internal error: the group's evaluations have a listener already");
    this.evaluationListener = listener;
  }

  /** Whether the current epoch is solo (no advice, no value updates). */
  get inSoloEpoch(): boolean {
    return this.solo;
  }

  private newMember(index: number, peer: ActingPeer, nPeers: number, root: Random): Member {
    const c = this.config;
    const hooks: LoopHooks = {
      chooseAction: () => this.choose(m),
      afterEnvStep: (r) => this.countFollow(m, r),
      onEvaluation: (ev, returns) => this.evaluationListener?.(m, ev, returns),
      afterStore: (r, done) => this.store(m, r, done),
      onEpisodeEnd: (reward, first) => this.storeEpisodeEnd(m, reward, first),
      afterStep: () => {
        if (!this.solo && !this.placement?.holdsUpdates?.(m.index)) this.updateValues(m);
      },
    };
    const envSeed = root.integer(0, 2 ** 31);
    const evalSeed = root.integer(0, 2 ** 31);
    const placement = this.placement;
    let loop: MemberLoop;
    if (placement && !placement.isLocal(index)) {
      loop = placement.loopElsewhere(index, peer, hooks, this.maxEpisodeSteps);
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

  /** choose: member m's action at this step, its own during warm-up and in solo epochs, else the advisor's. */
  choose(m: Member): AgentAction {
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

  /** countFollow: after member m's env step, whom it followed; the advisor sees the step. */
  countFollow(m: Member, r: StepResult): void {
    this.advisor.afterEnvStep(m, r);
    if (m.followed >= 0) {
      m.followCounts[m.followed] += 1;
      m.epochFollowCounts[m.followed] += 1;
    }
  }

  /** store: the step's advice into member m's suggestion buffer (its transition is in the replay buffer). */
  store(m: Member, r: StepResult, done: boolean): void {
    if (m.storeAdvice && !(this.faithful && done)) m.suggestions.add(r.reward, m.followed, r.obs, m.obs);
  }

  /** The original stores the reset observation as s' of an episode's last transition. */
  storeEpisodeEnd(m: Member, reward: number, first: Float32Array): void {
    if (m.storeAdvice && this.faithful) m.suggestions.add(reward, m.followed, first, m.obs);
  }

  /** updateValues: every value term's update after an env step of member m with advice. */
  updateValues(m: Member): void {
    for (const term of this.terms) term.update(m);
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
    this.placement?.beforeStep?.(m.index);
    this.solo = solo;
    m.loop.progressTotal = progressTotal;
    m.loop.collect();
  }
}
