/**
 * The environment interface, with Gymnasium's semantics: `terminated` (the task reached a terminal state; no
 * bootstrapping past it) and `truncated` (the episode was cut, e.g. by the time limit; the value of the next state
 * still counts) are different things, and every wrapper keeps them apart.
 *
 * To keep the step loop free of allocation, `reset` and `step` return views that the env reuses: the observation
 * and the result object are valid until the next call. Copy what must outlive it. A step sets every field of its
 * result (wrappers such as TimeLimit write `truncated` on it).
 */
import type { Box, Space } from "./spaces.js";

/** A discrete action is an integer; a continuous one is a vector in the env's own bounds. */
export type Action = number | Float32Array;

export interface StepResult {
  obs: Float32Array;
  reward: number;
  terminated: boolean;
  truncated: boolean;
}

/** What an env needs to continue exactly where it was (positions, goal, RNG), as plain JSON data. */
export type EnvState = Record<string, unknown>;

export interface Env {
  readonly id: string;
  readonly observationSpace: Box;
  readonly actionSpace: Space;
  /** Step limit of an episode (the TimeLimit), or Infinity. */
  readonly maxEpisodeSteps: number;
  /**
   * Starts an episode. A seed reseeds the env's generator (as Gymnasium's `reset(seed=...)`); without one the
   * generator continues, so seeding the first reset makes a whole run reproducible.
   */
  reset(seed?: number): Float32Array;
  step(action: Action): StepResult;
  getState(): EnvState;
  setState(state: EnvState): void;
  close(): void;
}

/**
 * Truncates episodes after `maxEpisodeSteps` steps (Gymnasium's TimeLimit): `truncated` becomes true on the last
 * step, whatever `terminated` says.
 */
export class TimeLimit implements Env {
  private elapsed = 0;

  constructor(
    readonly inner: Env,
    readonly maxEpisodeSteps: number,
  ) {
    if (!(maxEpisodeSteps >= 1)) throw new RangeError(`maxEpisodeSteps must be >= 1, got ${maxEpisodeSteps}`);
  }

  get id(): string {
    return this.inner.id;
  }
  get observationSpace(): Box {
    return this.inner.observationSpace;
  }
  get actionSpace(): Space {
    return this.inner.actionSpace;
  }

  reset(seed?: number): Float32Array {
    this.elapsed = 0;
    return this.inner.reset(seed);
  }

  step(action: Action): StepResult {
    const r = this.inner.step(action);
    this.elapsed += 1;
    if (this.elapsed >= this.maxEpisodeSteps) r.truncated = true;
    return r;
  }

  /** Steps taken in the current episode. */
  get elapsedSteps(): number {
    return this.elapsed;
  }

  getState(): EnvState {
    return { elapsed: this.elapsed, inner: this.inner.getState() };
  }

  setState(state: EnvState): void {
    this.elapsed = state.elapsed as number;
    this.inner.setState(state.inner as EnvState);
  }

  close(): void {
    this.inner.close();
  }
}
