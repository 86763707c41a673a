/**
 * Building a group's peer on a learner (DQN, SAC or TD3, and the novice and frozen kinds built on them), with its
 * generators forked from the group's root in the order the published code draws them: the learner's, then (DQN)
 * the peer's own for its epsilon-greedy suggestions. A peer placed elsewhere still takes its forks here,
 * so that every place draws the same generators for the same peers.
 */
import type { Random } from "../core/random.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import type { Space } from "../envs/spaces.js";
import { ALGORITHMS, agentSpec, buildLearner } from "../agents/algorithms.js";
import type { GroupRunConfig } from "./config.js";
import type { LearnerSettings } from "./peer-settings.js";
import { LearnerPeer, type ActingPeer } from "./peer.js";

/** What every learner peer of a group is built from. */
export interface LearnerPeerContext {
  readonly config: GroupRunConfig;
  readonly kernels: Kernels;
  readonly obsDim: number;
  readonly space: Space;
  readonly root: Random;
}

/**
 * A peer on a learner, or `elsewhere`'s stand-in for one placed elsewhere. Asked to explore, a SAC peer samples
 * its policy (SB3's SAC predict does); a DQN (epsilon) or TD3 (action noise) peer explores only in the corrected
 * variant: the published code's suggestions are their greedy / deterministic actions.
 */
export function newLearnerPeer(
  kind: LearnerPeer["kind"],
  learner: LearnerSettings,
  c: LearnerPeerContext,
  elsewhere: (() => ActingPeer) | null,
): ActingPeer {
  const { config, kernels, obsDim, space, root } = c;
  const algorithm = ALGORITHMS[learner.algo];
  const what = `a ${kind} peer${kind === learner.algo ? "" : ` built on ${learner.algo.toUpperCase()}`}`;
  const spec = agentSpec(learner, obsDim, space, what, config.env);
  // The learner's generator, then (DQN) the peer's own: drawn alike wherever the peer runs.
  const learnerRandom = root.fork();
  const suggestionRandom = algorithm.suggestionGenerator ? root.fork() : null;
  if (elsewhere) return elsewhere();
  const agent = buildLearner(spec, kernels, learnerRandom, config.group.parallelTraining);
  const explores = config.variant !== "faithful" || algorithm.faithfulSuggestionsExplore;
  return new LearnerPeer(kind, agent, suggestionRandom, explores);
}
