/**
 * What an algorithm is to the rest of peerlearn: one entry (defineAlgorithm) in its own folder, listed once in
 * algorithms.ts. From the entries come the run config's sections, the peer kinds, the action-space checks, the
 * trainer threads' builders and the tuned settings per task; no other module names an algorithm.
 */
import type { z } from "zod";
import type { Random } from "../core/random.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import type { Learner } from "./learner.js";
import type { SharedReplayMemory } from "./replay-buffer.js";
import type { AgentSpec } from "./trainable.js";

import type { HyperparameterSet } from "./config-fields.js";

export type { HyperparameterSet };

/** Where a learner's replay buffer lives: its own memory, shared memory (true), or a trainer's view of that. */
export type ReplayPlacement = boolean | SharedReplayMemory;

/** An algorithm's settings schema: a strict zod object, each field documented. */
export type SettingsSchema = z.ZodObject<z.ZodRawShape, z.core.$strict>;

export interface Algorithm<A extends string = string, S extends SettingsSchema = SettingsSchema> {
  /** Its name: the `algo` of a run config, a peer kind, the key of its settings section. */
  readonly algo: A;
  /** How messages write it ("DQN"). */
  readonly label: string;
  readonly schema: S;
  readonly actions: "discrete" | "continuous";
  /** As a peer: it draws its suggestions' exploration from a generator of its own (DQN's epsilon). */
  readonly suggestionGenerator: boolean;
  /** As a peer in the faithful variant: its suggestions carry its policy noise (SB3's SAC predict samples). */
  readonly faithfulSuggestionsExplore: boolean;
  /** Its settings for a task. */
  hyperparameters(env: string, set: HyperparameterSet): z.infer<S>;
  /** Builds the agent (spec.actionSize: the number of discrete actions, or the continuous action's dimension). */
  build(spec: AgentSpec<A, z.infer<S>>, kernels: Kernels, rng: Random, replay?: ReplayPlacement): Learner;
}

/** An entry, whose build refuses a spec of another algorithm (specs cross threads as plain data). */
export function defineAlgorithm<A extends string, S extends SettingsSchema>(
  entry: Omit<Algorithm<A, S>, "build"> & {
    build(spec: AgentSpec<A, z.infer<S>>, kernels: Kernels, rng: Random, replay: ReplayPlacement): Learner;
  },
): Algorithm<A, S> {
  return {
    ...entry,
    build: (spec, kernels, rng, replay = false) => {
      if (spec.algo !== entry.algo) throw new Error(`the ${entry.algo} entry cannot build a ${spec.algo} agent`);
      return entry.build(spec, kernels, rng, replay);
    },
  };
}
