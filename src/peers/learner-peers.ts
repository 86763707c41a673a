/**
 * Building a group's peer on a learner (DQN, SAC or TD3, and the novice and frozen kinds built on them), with its
 * generators forked from the group's root in the order the published code draws them: the learner's, then (DQN)
 * the peer's own for its epsilon-greedy suggestions. A peer that runs in another process still takes its forks
 * here, so that every process draws the same generators for the same peers.
 */
import type { Random } from "../core/random.js";
import { UserError } from "../core/errors.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import type { Space } from "../envs/spaces.js";
import { Dqn } from "../agents/dqn.js";
import { Sac } from "../agents/sac.js";
import { Td3 } from "../agents/td3.js";
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
 * A peer on a learner, or `elsewhere`'s stand-in for one in another process. Asked to explore, a SAC peer samples
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
  const shared = config.group.parallelTraining;
  const explores = config.variant !== "faithful";
  const what = kind === learner.algo ? `${kind} peers` : `${kind} peers built on ${learner.algo.toUpperCase()}`;
  if (space.kind !== (learner.algo === "dqn" ? "discrete" : "box"))
    throw new UserError(
      `${what} need ${learner.algo === "dqn" ? "discrete" : "continuous"} actions; ${config.env} has ${space.kind === "box" ? "continuous" : "discrete"} ones`,
    );
  // The learner's generator, then (DQN) the peer's own: drawn alike wherever the peer runs.
  const learnerRandom = root.fork();
  const suggestionRandom = learner.algo === "dqn" ? root.fork() : null;
  if (elsewhere) return elsewhere();
  if (learner.algo === "dqn" && space.kind === "discrete") {
    const dqn = new Dqn(kernels, obsDim, space.n, learner.settings, learnerRandom, shared);
    return new LearnerPeer(kind, dqn, suggestionRandom, explores);
  }
  if (learner.algo === "sac" && space.kind === "box") {
    const sac = new Sac(kernels, obsDim, space.dim, learner.settings, learnerRandom, shared);
    return new LearnerPeer(kind, sac, null, true);
  }
  if (learner.algo === "td3" && space.kind === "box") {
    const td3 = new Td3(kernels, obsDim, space.dim, learner.settings, learnerRandom, shared);
    return new LearnerPeer(kind, td3, null, explores);
  }
  throw new Error("unreachable: the action space was checked above");
}
