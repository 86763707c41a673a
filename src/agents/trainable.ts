/**
 * What an agent that can be trained on a trainer thread (trainers/) offers. The acting thread keeps acting with
 * its copy of the weights while the trainer thread runs the gradient steps on an identical agent built from
 * `spec` (algorithms.ts), reading the same replay buffer in shared memory. Rounds hand over the generator state,
 * the buffer's position and whatever acting left pending; the trainer hands back the blocks acting reads and the
 * numbers it owns. The results are bit-identical to training in the acting thread.
 */
import type { Random } from "../core/random.js";
import type { ReplayBuffer } from "./replay-buffer.js";

/** What a trainer thread needs to build the same agent (algorithm.ts: its entry builds it from this). */
export interface AgentSpec<A extends string = string, C = Readonly<Record<string, unknown>>> {
  readonly algo: A;
  readonly obsDim: number;
  /** Discrete actions: how many; continuous ones: the action's dimension. */
  readonly actionSize: number;
  readonly config: C;
}

export interface ThreadTrainable {
  readonly spec: AgentSpec;
  readonly buffer: ReplayBuffer;
  /** The generator acting and training share: its state travels with every round. */
  readonly random: Random;
  /** Every float block of the training state, in a fixed order: weights, targets, optimiser moments, ... */
  stateBlocks(): Float32Array[];
  /** Which of stateBlocks acting and the peers' questions read: brought back after every round. */
  readonly actingBlocks: readonly number[];
  /** How many numbers of the training state the trainer owns (optimiser steps, losses, ...). */
  readonly trainerScalarCount: number;
  /** Writes those numbers into out[0 .. trainerScalarCount) (every round: it allocates nothing). */
  writeTrainerScalars(out: Float64Array): void;
  setTrainerScalars(values: ArrayLike<number>): void;
  /** Set while a trainer thread trains this agent. */
  onTrainerThread: boolean;
  /** Work acting left pending for the trainer (DQN: target updates counted since the last round); returns and clears. */
  takePending(): number;
  /** The trainer's side: applies what takePending returned, before a round or a sync. */
  applyPending(count: number): void;
  /** Whether env step `numTimesteps` (1-based) completes a rollout past learningStarts. */
  trainingDue(numTimesteps: number): boolean;
  /** The gradient steps of one round, now (what maybeTrain runs when a rollout is complete). */
  trainNow(): void;
}

/**
 * `cached` (an earlier stateBlocks()), or new views if the agent's heap grew since: growing a wasm heap detaches
 * the old views (their length drops to 0). Allocates only after a growth.
 */
export function currentBlocks(
  agent: ThreadTrainable,
  cached: Float32Array[],
  lengths: readonly number[],
): Float32Array[] {
  for (let i = 0; i < cached.length; i++) if (cached[i].length !== lengths[i]) return agent.stateBlocks();
  return cached;
}
