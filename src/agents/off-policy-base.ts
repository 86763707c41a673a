/**
 * What DQN, SAC and TD3 share: Stable-Baselines3's rollout schedule (train after every trainFreq env steps once
 * more than learningStarts were taken), storing transitions in the replay buffer, and the trainer seam's flag.
 */
import type { AgentAction } from "./agent.js";
import { rolloutComplete } from "./agent.js";
import type { ReplayBuffer } from "./replay-buffer.js";
import type { Tensor } from "../nn/kernels/heap.js";

export abstract class OffPolicyBase {
  abstract readonly config: { readonly gamma: number; readonly learningStarts: number; readonly trainFreq: number };
  abstract readonly buffer: ReplayBuffer;
  /** Set while a trainer thread trains this agent (trainable.ts). */
  onTrainerThread = false;
  /** The named parameter blocks nonFinite checks after every round, listed once (firstNonFinite). */
  protected checked: (readonly [string, Tensor])[] | undefined;

  /** The gradient steps of one round, now. */
  abstract trainNow(): void;

  get gamma(): number {
    return this.config.gamma;
  }
  get learningStarts(): number {
    return this.config.learningStarts;
  }
  get trainFreq(): number {
    return this.config.trainFreq;
  }

  /** Stores a transition (an algorithm with per-step bookkeeping adds its own, and reads the step counts). */
  observe(
    obs: Float32Array,
    nextObs: Float32Array,
    action: AgentAction,
    reward: number,
    terminated: boolean,
    _numTimesteps?: number,
    _totalTimesteps?: number,
  ): void {
    this.buffer.add(obs, nextObs, action, reward, terminated);
  }

  /** Whether env step `numTimesteps` (1-based) completes a rollout of trainFreq steps past learningStarts. */
  trainingDue(numTimesteps: number): boolean {
    return rolloutComplete(numTimesteps, this.config.trainFreq, this.config.learningStarts);
  }

  /** Called after env step `numTimesteps` (1-based): trains when a rollout is complete. */
  maybeTrain(numTimesteps: number): boolean {
    if (!this.trainingDue(numTimesteps)) return false;
    this.trainNow();
    return true;
  }
}
