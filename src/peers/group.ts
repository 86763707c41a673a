/**
 * A peer group: n peers, each acting peer with its own env copy, suggestion buffer and trust values, the shared
 * agent values, and one step of a peer with advice (the original's Peer.get_action and _on_step):
 *
 *   decision step (every followSteps steps): ask every peer for its action in my state, value each suggestion
 *   (critic + trust + agent values, each max-abs normalised), pick whom to follow with the peer policy;
 *   otherwise: ask only the peer being followed.
 *   Then: env step, store the transition (replay buffer and suggestion buffer), update trust and agent values
 *   with a batch of suggestions, train on the agent's schedule (DQN or SAC peers; actions travel as rows of
 *   floats, one for a discrete action).
 *
 * Variants: `faithful` reproduces the published code, including its quirks (REFERENCE section 3): a DQN peer's own
 * suggestion is its greedy action, so DQN's epsilon is never used outside solo epochs; the suggestion buffer stores
 * the reset observation as s' at an episode end; warm-up transitions (random actions, nobody's advice) count for
 * every peer in trust updates; in solo epochs epsilon follows SB3's per-`learn`-call progress. `corrected` fixes
 * them: a DQN peer explores with its epsilon schedule over its whole training, s' is the terminal observation,
 * warm-up transitions are not stored as advice.
 */
import { Random } from "../core/random.js";
import { UserError } from "../core/errors.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import type { Env } from "../envs/env.js";
import { make } from "../envs/registry.js";
import { Dqn } from "../agents/dqn.js";
import { Sac } from "../agents/sac.js";
import { DivergenceError, toEnvAction, type AgentAction } from "../agents/agent.js";
import { AgentValues, type AgentValueSource } from "./agent-values.js";
import type { GroupRunConfig } from "./config.js";
import { LearnerPeer, ScriptedPeer, type ActingPeer, type Peer } from "./peer.js";
import { FollowState, PeerPolicy } from "./peer-policy.js";
import { SuggestionBuffer, WARMUP } from "./suggestion-buffer.js";
import { TrustValues } from "./trust.js";
import { addNormalized } from "./values.js";
import { Lectr } from "./lectr.js";

/** Stops the run when a peer's training produced a NaN or an infinity. */
export function checkFinite(m: Member): void {
  const bad = m.peer.agent.nonFinite();
  if (bad) throw new DivergenceError(m.steps, `peer ${m.index}'s ${bad.replace(/^the /, "")}`);
}

/** An acting peer and everything it owns. */
export interface Member {
  readonly index: number;
  readonly peer: ActingPeer;
  readonly env: Env;
  readonly evalEnv: Env;
  readonly suggestions: SuggestionBuffer;
  readonly trust: TrustValues | null;
  readonly follow: FollowState;
  /** Current observation (a copy: envs reuse theirs). */
  readonly obs: Float32Array;
  /** The action in the env's own bounds (continuous actions), for acting and for evaluation. */
  readonly envAction: Float32Array;
  /** Env steps taken (SB3's num_timesteps, which runs on across epochs). */
  steps: number;
  /** Epochs completed (drives the temperature decay). */
  epoch: number;
  /** How often this peer followed each peer: all training, and the current epoch. */
  readonly followCounts: Float64Array;
  readonly epochFollowCounts: Float64Array;
  /** Evaluation means so far. */
  readonly evalMeans: number[];
  lastEval: { mean: number; std: number } | null;
}

export class PeerGroup {
  readonly peers: Peer[];
  readonly members: Member[];
  readonly agentValues: AgentValues | null;
  readonly policy: PeerPolicy;
  private readonly agentValueSources: AgentValueSource[];
  private readonly faithful: boolean;
  /** Floats per action (1 for a discrete action). */
  readonly width: number;
  readonly discrete: boolean;
  /** Every peer's suggestion (rows of `width`), and the one followed. */
  private readonly actions: Float32Array;
  private readonly chosen: Float32Array;
  private readonly values: Float64Array;
  private readonly criticValues: Float64Array;
  /** The group's own generator (peer choices, warm-up actions of the original's code paths). */
  readonly random: Random;
  /** LeCTR's advising policies, when the group advises the LeCTR way instead of by peer learning. */
  readonly lectr: Lectr | null;

  constructor(
    readonly config: GroupRunConfig,
    kernels: Kernels,
    root: Random,
  ) {
    const g = config.group;
    const n = config.peers.length;
    this.faithful = config.variant === "faithful";
    this.random = root.fork();
    this.peers = [];
    this.members = [];
    const probe = make(config.env, config.envOptions);
    const space = probe.actionSpace;
    const obsDim = probe.observationSpace.dim;
    this.discrete = space.kind === "discrete";
    this.width = space.kind === "discrete" ? 1 : space.dim;
    config.peers.forEach((spec, index) => {
      if (spec.kind === "expert" || spec.kind === "adversary") {
        if (!config.env.startsWith("Room-")) throw new UserError(`scripted ${spec.kind} peers exist for the Room tasks only, not ${config.env}`);
        this.peers.push(new ScriptedPeer(spec.kind, root.fork()));
        return;
      }
      let peer: ActingPeer;
      if (spec.kind === "sac") {
        if (space.kind !== "box" || !config.sac) throw new UserError(`sac peers need continuous actions and a "sac" section; ${config.env} has ${space.kind} actions`);
        peer = new LearnerPeer("sac", new Sac(kernels, obsDim, space.dim, config.sac, root.fork(), g.parallelTraining), null, false);
      } else {
        if (space.kind !== "discrete" || !config.dqn) throw new UserError(`${spec.kind} peers are DQN peers: they need discrete actions and a "dqn" section; ${config.env} has ${space.kind} actions`);
        const dqn = new Dqn(kernels, obsDim, space.n, config.dqn, root.fork(), g.parallelTraining);
        if (spec.kind === "frozen") dqn.loadPolicy(spec.checkpoint);
        peer = new LearnerPeer(spec.kind, dqn, root.fork(), !this.faithful);
      }
      this.peers.push(peer);
      const env = make(config.env, config.envOptions);
      const evalEnv = make(config.env, config.envOptions);
      const obs = new Float32Array(obsDim);
      obs.set(env.reset(root.integer(0, 2 ** 31)));
      evalEnv.reset(root.integer(0, 2 ** 31));
      this.members.push({
        index,
        peer,
        env,
        evalEnv,
        suggestions: new SuggestionBuffer(g.suggestionBufferSize, obsDim),
        trust: g.trust ? new TrustValues(n, g.initialTrust, g.valueBatchSize, obsDim) : null,
        follow: new FollowState(g.followSteps),
        obs,
        envAction: new Float32Array(this.width),
        steps: 0,
        epoch: 0,
        followCounts: new Float64Array(n),
        epochFollowCounts: new Float64Array(n),
        evalMeans: [],
        lastEval: null,
      });
    });
    this.agentValues = g.agentValues ? new AgentValues(n, g.initialAgentValue, g.valueBatchSize, obsDim) : null;
    this.agentValueSources = this.members.map((m) => ({ peer: m.peer, buffer: m.suggestions }));
    this.policy = new PeerPolicy({ kind: g.peerPolicy, temperature: g.temperature, temperatureDecay: g.temperatureDecay, epsilon: g.epsilon }, n);
    this.actions = new Float32Array(n * this.width);
    this.chosen = new Float32Array(this.width);
    this.values = new Float64Array(n);
    this.criticValues = new Float64Array(n);
    probe.close();
    this.lectr = config.lectr
      ? new Lectr(kernels, this.peers.map((p) => (p as LearnerPeer).learner as Dqn), obsDim, this.discrete && space.kind === "discrete" ? space.n : 0, config.lectr, config.steps, (this.peers[0] as LearnerPeer).gamma, root.fork())
      : null;
  }

  /**
   * Whether peer j's suggestion to member i includes j's exploration: always for i's own, for the others when
   * peersSampleWithNoise (the original's rule). A faithful DQN peer ignores it (SB3's QNetwork is always greedy).
   */
  private explores(i: number, j: number): boolean {
    return i === j || this.config.group.peersSampleWithNoise;
  }

  /** The action member m takes with advice, into this.chosen; the peer it followed is then m.follow.followed. */
  private adviseAction(m: Member): void {
    const i = m.index;
    const g = this.config.group;
    const w = this.width;
    if (!m.follow.nextStepChooses() && m.follow.followed >= 0) {
      const j = m.follow.followed;
      this.peers[j].suggest(m.obs, this.explores(i, j), this.chosen, 0);
      return;
    }
    const n = this.peers.length;
    for (let j = 0; j < n; j++) this.peers[j].suggest(m.obs, this.explores(i, j), this.actions, j * w);
    this.values.fill(0);
    if (g.critic) {
      m.peer.critic(m.obs, this.actions, n, this.criticValues);
      addNormalized(this.criticValues, n, this.values);
    }
    if (m.trust) addNormalized(m.trust.values, n, this.values);
    if (this.agentValues) addNormalized(this.agentValues.values, n, this.values);
    const followed = this.policy.choose(this.values, i, m.epoch, this.random);
    m.follow.followed = followed;
    for (let q = 0; q < w; q++) this.chosen[q] = this.actions[followed * w + q];
  }

  /** One env step of member m followed by its training round when one is due (the round-robin order). */
  step(m: Member, solo: boolean, progressTotal: number, onEval: (m: Member) => void): void {
    this.act(m, solo, progressTotal, onEval);
    if (m.peer.learns && m.peer.agent.maybeTrain(m.steps)) checkFinite(m);
  }

  /**
   * One env step of member m (SB3's collect_rollouts step with the peer's hooks), without training. `solo`: no
   * advice this epoch. `progressTotal`: the step count at which epsilon's progress reaches 1. `onEval` runs when an
   * evaluation is due (before the transition is stored, as SB3's callback).
   */
  act(m: Member, solo: boolean, progressTotal: number, onEval: (m: Member) => void): void {
    const agent = m.peer.agent;
    const c = this.config;
    const warmup = m.steps < m.peer.learningStarts;
    let action: AgentAction;
    let followed: number;
    if (warmup || solo) {
      action = agent.act(m.obs, m.steps);
      // During warm-up the original keeps its followed peer (None at the very start, itself after a solo epoch).
      followed = solo ? m.index : m.follow.followed >= 0 ? m.follow.followed : WARMUP;
    } else if (this.lectr) {
      // LeCTR: the student's own (exploring) action, unless it asks and its teacher advises another.
      action = this.lectr.decide(m.index, m.obs, agent.act(m.obs, m.steps) as number);
      followed = this.lectr.followed;
    } else {
      m.peer.beforeStep(m.steps);
      this.adviseAction(m);
      action = this.discrete ? this.chosen[0] : this.chosen;
      followed = m.follow.followed;
    }
    const r = m.env.step(toEnvAction(m.env.actionSpace, action, m.envAction));
    this.lectr?.record(m.index, r.obs, r.reward, r.terminated);
    m.steps += 1;
    if (followed >= 0) {
      m.followCounts[followed] += 1;
      m.epochFollowCounts[followed] += 1;
    }
    if (m.steps % c.evalFreq === 0) onEval(m);
    agent.observe(m.obs, r.obs, action, r.reward, r.terminated, m.steps, progressTotal);
    const done = r.terminated || r.truncated;
    const reward = r.reward;
    const storeAdvice = !solo && (this.faithful || !warmup);
    if (storeAdvice && !(this.faithful && done)) m.suggestions.add(reward, followed, r.obs, m.obs);
    if (done) {
      const first = m.env.reset();
      // The original stores the reset observation as s' of an episode's last transition.
      if (storeAdvice && this.faithful) m.suggestions.add(reward, followed, first, m.obs);
      m.obs.set(first);
    } else {
      m.obs.set(r.obs);
    }
    if (!solo) {
      const g = c.group;
      m.trust?.update(m.peer, m.suggestions, m.peer.gamma, g.advantage, g.trustLr, this.random);
      this.agentValues?.update(this.agentValueSources, m.peer.gamma, g.advantage, g.trustLr, this.random);
    }
  }
}
