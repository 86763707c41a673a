/**
 * What the off-policy loop (train.ts) needs from an algorithm: SB3's seams. Actions are a discrete index, or a
 * vector in [-1, 1] (the "scaled" space SB3 stores in its buffer); the loop maps the latter to the env's bounds.
 */
import type { Space } from "../envs/spaces.js";

export type AgentAction = number | Float32Array;

export interface OffPolicyAgent {
  /** The action at env step `numTimesteps` (0-based count of steps already taken) while training. */
  act(obs: Float32Array, numTimesteps: number): AgentAction;
  /** The deterministic action (evaluation). */
  predict(obs: Float32Array): AgentAction;
  /** Stores a transition and does the per-step bookkeeping (DQN: target update, epsilon). */
  observe(
    obs: Float32Array,
    nextObs: Float32Array,
    action: AgentAction,
    reward: number,
    terminated: boolean,
    numTimesteps: number,
    totalTimesteps: number,
  ): void;
  /** Called after env step `numTimesteps` (1-based): trains when a rollout is complete. */
  maybeTrain(numTimesteps: number): boolean;
  /** Writes weights, optimiser state and (if asked) the replay buffer into dir; returns the rest of its state. */
  save(dir: string, withBuffer?: boolean): unknown;
  /** Restores what `save` wrote; with `state`, everything needed to continue training exactly. */
  load(dir: string, state?: unknown): void;
  /** Numbers worth logging with each evaluation (epsilon, alpha, losses). */
  logValues(): Record<string, number>;
  /** After a training round: the name of a loss or weight block that is NaN or infinite, or null. */
  nonFinite(): string | null;
}

/** Training produced a NaN or an infinity: the run stops before writing anything from the broken state. */
export class DivergenceError extends Error {
  override readonly name = "DivergenceError";
  constructor(
    readonly step: number,
    readonly quantity: string,
  ) {
    super(`training diverged at env step ${step}: ${quantity} is NaN or infinite`);
  }
}

/**
 * SB3's training schedule: collection runs in rollouts of trainFreq steps, and the gradient steps come after a
 * rollout ends, once more than learningStarts steps were taken. `numTimesteps` counts the steps taken (1-based).
 */
export function rolloutComplete(numTimesteps: number, trainFreq: number, learningStarts: number): boolean {
  return numTimesteps % trainFreq === 0 && numTimesteps > learningStarts;
}

/** SB3's unscale_action: [-1, 1] -> [low, high], into `out`. */
export function toEnvAction(space: Space, action: AgentAction, out: Float32Array): number | Float32Array {
  if (space.kind === "discrete") return action as number;
  const a = action as Float32Array;
  for (let j = 0; j < space.dim; j++) out[j] = space.low[j] + 0.5 * (a[j] + 1) * (space.high[j] - space.low[j]);
  return out;
}
