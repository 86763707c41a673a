/**
 * Advisors: who is asked, and whose action a peer takes, at a step with advice. Peer learning's advice (all peers
 * suggest, value terms and the peer policy pick one: peer-advice.ts) and LeCTR's (a student asks, a teacher
 * advises: lectr-advisor.ts) are advisors; so is "none" (every peer acts on its own), which is what warm-up steps
 * and solo epochs do. A config picks one: the first registered advisor whose `applies` holds, peer learning's
 * advice last, as the default.
 */
import type { AgentAction } from "../agents/agent.js";
import type { Random } from "../core/random.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import type { StepResult } from "../envs/env.js";
import type { FollowState } from "./peer-policy.js";
import type { GroupRunConfig } from "./config.js";
import type { TermContext, TermMember, ValueTerm } from "./value-term.js";

/** What an advisor sees of a member. */
export interface AdvisedMember extends TermMember {
  /** Env steps it has taken (SB3's num_timesteps). */
  readonly steps: number;
  /** Whom it follows, and for how many more steps. */
  readonly follow: FollowState;
  /** Epochs it completed (temperature decay). */
  readonly epoch: number;
  /** The peer this step followed: the advisor sets it (its own index when it took its own action). */
  followed: number;
}

export interface AdvisorContext extends TermContext {
  readonly kernels: Kernels;
  /** The run's root generator: an advisor with a generator of its own forks it once, when it is built. */
  readonly root: Random;
  /** The value terms the config switched on, in order. */
  readonly terms: readonly ValueTerm[];
}

export interface Advisor {
  /**
   * Whether it asks the peers only when a member chooses whom to follow and draws from the group's generator only
   * while advising (peer learning's advice): then a placement may compute suggestions ahead and learn the value
   * terms' queries in advance (GroupPlacement). Advisors that do not say so are asked as they go.
   */
  readonly predictable?: boolean;
  /** Member m's action at a step with advice (read before the next call: it may be a reused buffer). */
  advise(m: AdvisedMember): AgentAction;
  /** After every env step of m, advised or not. */
  afterEnvStep(m: AdvisedMember, result: StepResult): void;
  /** Writes its files into a checkpoint folder and returns its state (JSON), or null when it has none. */
  save(dir: string): unknown;
  load(dir: string, state: unknown): void;
}

export interface AdvisorPlugin {
  readonly name: string;
  applies(config: GroupRunConfig): boolean;
  create(context: AdvisorContext): Advisor;
}

/** The advisor for a config: the newest of `advisors` (mechanisms.ts) whose `applies` holds. */
export function createAdvisor(advisors: readonly AdvisorPlugin[], context: AdvisorContext): Advisor {
  const plugin = [...advisors].reverse().find((p) => p.applies(context.config));
  if (!plugin) throw new Error("no advisor applies to this config (peer learning's advice, listed first, takes any)");
  return plugin.create(context);
}
