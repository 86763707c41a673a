/**
 * The algorithm table: one entry per algorithm with what the rest of peerlearn needs to know of it (the action
 * space it acts in, how it suggests as a peer, its tuned settings per task, how to build it), so that no other
 * module lists the algorithms or tests for a concrete class. Adding one: docs/library.md, "Adding an algorithm".
 */
import type { z } from "zod";
import type { Random } from "../core/random.js";
import { UserError } from "../core/errors.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import type { Space } from "../envs/spaces.js";
import type { Algorithm, ReplayPlacement } from "./algorithm.js";
import type { Learner } from "./learner.js";
import type { AgentSpec } from "./trainable.js";
import { DQN_ALGORITHM } from "./dqn/algorithm.js";
import { SAC_ALGORITHM } from "./sac/algorithm.js";
import { TD3_ALGORITHM } from "./td3/algorithm.js";

export type { Algorithm, ReplayPlacement };

/** The registered algorithms, in the order lists and messages show them: one line per algorithm. */
export const REGISTERED = [DQN_ALGORITHM, SAC_ALGORITHM, TD3_ALGORITHM] as const;

type Registered = (typeof REGISTERED)[number];
export type Algo = Registered["algo"];
/** An algorithm's settings schema and settings. */
export type SchemaOf<A extends Algo> = Extract<Registered, { readonly algo: A }>["schema"];
export type SettingsOf<A extends Algo> = z.infer<SchemaOf<A>>;

/** An algorithm's settings, tagged with the algorithm. */
export type AlgoSettings = { [A in Algo]: { readonly algo: A; readonly settings: SettingsOf<A> } }[Algo];

function byName<L extends readonly Algorithm[]>(entries: L): Readonly<Record<L[number]["algo"], Algorithm>> {
  return Object.fromEntries(entries.map((a) => [a.algo, a])) as Record<L[number]["algo"], Algorithm>;
}

/** The entries by name. */
export const ALGORITHMS: Readonly<Record<Algo, Algorithm>> = byName(REGISTERED);

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
  const actionSize = space.kind === "discrete" ? space.n : space.dim;
  return { algo: settings.algo, obsDim, actionSize, config: settings.settings };
}

/** Builds the agent a spec describes. */
export function buildLearner(spec: AgentSpec, kernels: Kernels, rng: Random, replay: ReplayPlacement = false): Learner {
  if (!isAlgo(spec.algo)) throw new Error(`no algorithm ${JSON.stringify(spec.algo)} is registered`);
  return ALGORITHMS[spec.algo].build(spec, kernels, rng, replay);
}
