/**
 * The algorithm table: one entry per algorithm with what the rest of peerlearn needs to know of it (the action
 * space it acts in, how it suggests as a peer, its tuned settings per task, how to build it), so that no other
 * module lists the algorithms or tests for a concrete class. Adding one: docs/library.md, "Adding an algorithm".
 */
import type { Random } from "../core/random.js";
import { UserError } from "../core/errors.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import type { Space } from "../envs/spaces.js";
import type { Learner } from "./learner.js";
import type { SharedReplayMemory } from "./replay-buffer.js";
import type { AgentSpec } from "./trainable.js";
import { Dqn } from "./dqn/dqn.js";
import { Sac } from "./sac/sac.js";
import { Td3 } from "./td3/td3.js";
import type { DqnConfig } from "./dqn/config.js";
import type { SacConfig } from "./sac/config.js";
import type { Td3Config } from "./td3/config.js";

export type Algo = AgentSpec["algo"];

/** An algorithm's settings, tagged with the algorithm. */
export type AlgoSettings =
  | { readonly algo: "dqn"; readonly settings: DqnConfig }
  | { readonly algo: "sac"; readonly settings: SacConfig }
  | { readonly algo: "td3"; readonly settings: Td3Config };

/** Where a learner's replay buffer lives: its own memory, shared memory (true), or a trainer's view of that. */
export type ReplayPlacement = boolean | SharedReplayMemory;

export interface Algorithm {
  readonly algo: Algo;
  readonly actions: "discrete" | "continuous";
  /** As a peer: it draws its suggestions' exploration from a generator of its own (DQN's epsilon). */
  readonly suggestionGenerator: boolean;
  /** As a peer in the faithful variant: its suggestions carry its policy noise (SB3's SAC predict samples). */
  readonly faithfulSuggestionsExplore: boolean;
  build(spec: AgentSpec, kernels: Kernels, rng: Random, replay?: ReplayPlacement): Learner;
}

type SpecOf<A extends Algo> = Extract<AgentSpec, { algo: A }>;

function entry<A extends Algo>(
  algo: A,
  facts: Omit<Algorithm, "algo" | "build">,
  build: (spec: SpecOf<A>, kernels: Kernels, rng: Random, replay: ReplayPlacement) => Learner,
): Algorithm {
  return {
    algo,
    ...facts,
    build: (spec, kernels, rng, replay = false) => {
      if (spec.algo !== algo) throw new Error(`the ${algo} entry cannot build a ${spec.algo} agent`);
      return build(spec as SpecOf<A>, kernels, rng, replay);
    },
  };
}

/** One line per algorithm. */
export const ALGORITHMS: Readonly<Record<Algo, Algorithm>> = {
  dqn: entry(
    "dqn",
    { actions: "discrete", suggestionGenerator: true, faithfulSuggestionsExplore: false },
    (s, k, r, p) => new Dqn(k, s.obsDim, s.nActions, s.config, r, p),
  ),
  sac: entry(
    "sac",
    { actions: "continuous", suggestionGenerator: false, faithfulSuggestionsExplore: true },
    (s, k, r, p) => new Sac(k, s.obsDim, s.actDim, s.config, r, p),
  ),
  td3: entry(
    "td3",
    { actions: "continuous", suggestionGenerator: false, faithfulSuggestionsExplore: false },
    (s, k, r, p) => new Td3(k, s.obsDim, s.actDim, s.config, r, p),
  ),
};

export const ALGOS = Object.keys(ALGORITHMS) as Algo[];

export const isAlgo = (name: string): name is Algo => (ALGOS as string[]).includes(name);

/** An action space's kind in words. */
export const actionsOf = (space: Space["kind"]): "discrete" | "continuous" =>
  space === "box" ? "continuous" : "discrete";

/**
 * The one message for an algorithm asked to act in an action space it cannot: null when it can. `what` names who
 * asks ("DQN", "a sac peer"); `instead` says what to use, given the algorithms that fit ("sac or td3").
 */
export function actionSpaceProblem(
  algo: Algo,
  has: "discrete" | "continuous",
  what: string,
  env: string,
  instead: (fitting: string) => string,
): string | null {
  const needs = ALGORITHMS[algo].actions;
  if (has === needs) return null;
  const fitting = ALGOS.filter((a) => ALGORITHMS[a].actions === has).join(" or ");
  return `${what} needs ${needs} actions; ${env} has ${has} ones (${instead(fitting)})`;
}

/** What builds an agent of `settings`' algorithm for an env with `obsDim` and `space` (checked). */
export function agentSpec(settings: AlgoSettings, obsDim: number, space: Space, what: string, env: string): AgentSpec {
  const problem = actionSpaceProblem(settings.algo, actionsOf(space.kind), what, env, (a) => `use ${a}`);
  if (problem) throw new UserError(problem);
  if (settings.algo === "dqn") {
    if (space.kind !== "discrete") throw new Error("unreachable: checked above");
    return { algo: "dqn", obsDim, nActions: space.n, config: settings.settings };
  }
  if (space.kind !== "box") throw new Error("unreachable: checked above");
  return settings.algo === "sac"
    ? { algo: "sac", obsDim, actDim: space.dim, config: settings.settings }
    : { algo: "td3", obsDim, actDim: space.dim, config: settings.settings };
}

/** Builds the agent a spec describes. */
export function buildLearner(spec: AgentSpec, kernels: Kernels, rng: Random, replay: ReplayPlacement = false): Learner {
  return ALGORITHMS[spec.algo].build(spec, kernels, rng, replay);
}
