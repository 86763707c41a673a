/**
 * Room (the original's `env/room.py`): a square grid of side L with a new goal on the border every episode. The
 * agent starts in the centre (L // 2 on every axis) and observes [position, goal] / (L - 1). Goal sampling: every
 * coordinate uniform in [0, L - 2] (an exclusive upper bound of L - 1, as numpy's `integers`), then one random axis
 * set to 0 or L - 1. Rewards are the Hallway's: +1 on each step that ends on the goal, -0.001 otherwise, and the
 * episode ends only at the step limit.
 *
 * Unlike the original, whose goal generator is never seeded, goals here come from a seeded generator: the same
 * seed gives the same goals.
 */
import { Random } from "../../core/random.js";
import type { EnvState } from "../env.js";
import { Hallway } from "./hallway.js";

export interface RoomOptions {
  /** Side of the square grid (L). */
  readonly length: number;
  /** Number of axes (2 in every registered Room). */
  readonly dims?: number;
  readonly terminateOnGoal?: boolean;
}

export class Room extends Hallway {
  private rng = new Random(0);

  constructor(id: string, options: RoomOptions) {
    const dims = options.dims ?? 2;
    super(
      id,
      { size: new Array(dims).fill(options.length), numActions: 2 * dims, terminateOnGoal: options.terminateOnGoal },
      dims,
    );
    this.start.set(this.size.map((s) => Math.floor(s / 2)));
  }

  override reset(seed?: number): Float32Array {
    if (seed !== undefined) this.rng = new Random(seed);
    this.position.set(this.start);
    for (let d = 0; d < this.size.length; d++) this.goal[d] = this.rng.integer(0, this.size[d] - 1);
    const axis = this.rng.integer(0, this.size.length);
    this.goal[axis] = this.rng.integer(0, 2) === 0 ? 0 : this.size[axis] - 1;
    this.writeObs();
    return this.obs;
  }

  protected override writeObs(): void {
    const dims = this.size.length;
    for (let d = 0; d < dims; d++) {
      this.obs[d] = this.position[d] / (this.size[d] - 1);
      this.obs[dims + d] = this.goal[d] / (this.size[d] - 1);
    }
  }

  override getState(): EnvState {
    return { ...super.getState(), rng: this.rng.getState() };
  }

  override setState(state: EnvState): void {
    this.rng.setState(state.rng as ReturnType<Random["getState"]>);
    super.setState(state);
  }
}
