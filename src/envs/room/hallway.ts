/**
 * Hallway: the grid world the Room tasks are built on (the original's `env/hallway.py`). A line or box of cells;
 * action a moves along axis a // 2, forwards (+1) when a is even, backwards when odd; a move off the grid, or along
 * an axis the grid does not have, does nothing. Reward +1 on every step that ends on the goal cell, -0.001
 * otherwise; the episode only ends at the goal if `terminateOnGoal` (default false).
 *
 * Hallway-v0: 17 cells, 2 actions, start at 17 // 2 - 2 = 6, goal at the last cell, 200 steps.
 * Hallway-v1: 17 x 7 cells, 6 actions (4 and 5 do nothing), start [6, 3], goal [16, 3], 300 steps.
 */
import type { Action, Env, EnvState, StepResult } from "../env.js";
import { box, discrete, type Box, type Discrete } from "../spaces.js";

export const GOAL_REWARD = 1;
export const STEP_REWARD = -0.001;

export interface HallwayOptions {
  /** Cells along each axis. */
  readonly size: readonly number[];
  readonly numActions: number;
  readonly terminateOnGoal?: boolean;
}

export class Hallway implements Env {
  readonly observationSpace: Box;
  readonly actionSpace: Discrete;
  readonly maxEpisodeSteps = Infinity;
  readonly size: Int32Array;
  readonly position: Int32Array;
  readonly start: Int32Array;
  readonly goal: Int32Array;
  protected readonly obs: Float32Array;
  private readonly result: StepResult;
  private readonly terminateOnGoal: boolean;

  constructor(
    readonly id: string,
    options: HallwayOptions,
    /** Observation components after the position (Room appends the goal). */
    extraObs = 0,
  ) {
    const dims = options.size.length;
    if (dims < 1 || options.size.some((s) => !Number.isInteger(s) || s < 2)) {
      throw new RangeError(`${id}: every size must be an integer >= 2, got [${options.size.join(", ")}]`);
    }
    this.size = Int32Array.from(options.size);
    this.actionSpace = discrete(options.numActions);
    this.observationSpace = box(0, 1, dims + extraObs);
    this.terminateOnGoal = options.terminateOnGoal ?? false;
    this.position = new Int32Array(dims);
    // Start in the middle, except two cells before it on the first axis (at 0 on grids shorter than 5).
    this.start = this.size.map((s) => Math.floor(s / 2));
    this.start[0] = this.size[0] < 5 ? 0 : Math.floor(this.size[0] / 2) - 2;
    this.goal = this.size.map((s) => Math.floor(s / 2));
    this.goal[0] = this.size[0] - 1;
    this.obs = new Float32Array(dims + extraObs);
    this.result = { obs: this.obs, reward: 0, terminated: false, truncated: false };
  }

  reset(_seed?: number): Float32Array {
    this.position.set(this.start);
    this.writeObs();
    return this.obs;
  }

  step(action: Action): StepResult {
    const a = action as number;
    if (!Number.isInteger(a) || a < 0 || a >= this.actionSpace.n) {
      throw new RangeError(`${this.id}: action must be an integer in [0, ${this.actionSpace.n}), got ${action}`);
    }
    const axis = a >> 1;
    if (axis < this.size.length) {
      if (a % 2 === 0 && this.position[axis] < this.size[axis] - 1) this.position[axis] += 1;
      else if (a % 2 === 1 && this.position[axis] > 0) this.position[axis] -= 1;
    }
    const onGoal = this.isOnGoal();
    this.writeObs();
    const r = this.result;
    r.reward = onGoal ? GOAL_REWARD : STEP_REWARD;
    r.terminated = onGoal && this.terminateOnGoal;
    r.truncated = false;
    return r;
  }

  isOnGoal(): boolean {
    for (let d = 0; d < this.size.length; d++) if (this.position[d] !== this.goal[d]) return false;
    return true;
  }

  /** Position (and, in subclasses, more) divided by (size - 1), each component in [0, 1]. */
  protected writeObs(): void {
    for (let d = 0; d < this.size.length; d++) this.obs[d] = this.position[d] / (this.size[d] - 1);
  }

  getState(): EnvState {
    return { position: [...this.position], goal: [...this.goal] };
  }

  setState(state: EnvState): void {
    this.position.set(state.position as number[]);
    this.goal.set(state.goal as number[]);
    this.writeObs();
  }

  close(): void {}
}
