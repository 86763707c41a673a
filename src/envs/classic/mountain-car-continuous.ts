/**
 * MountainCarContinuous-v0 with Gymnasium's dynamics (classic_control/continuous_mountain_car.py): force clipped to
 * [-1, 1]; v += f 0.0015 - 0.0025 cos(3 p), clipped to +-0.07; p += v, clipped to [-1.2, 0.6]; at the left wall a
 * leftward velocity is zeroed. Terminated when p >= 0.45 and v >= goal_velocity (0). Reward 100 on termination
 * minus 0.1 a^2 with the *unclipped* action. Reset: p ~ U(-0.6, -0.4), v = 0. 999-step limit.
 */
import { Random } from "../../core/random.js";
import type { Action, Env, EnvState, StepResult } from "../env.js";
import { box } from "../spaces.js";

const MIN_POSITION = -1.2;
const MAX_POSITION = 0.6;
const MAX_SPEED = 0.07;
const GOAL_POSITION = 0.45;
const POWER = 0.0015;

export class MountainCarContinuous implements Env {
  readonly observationSpace = box([MIN_POSITION, -MAX_SPEED], [MAX_POSITION, MAX_SPEED]);
  readonly actionSpace = box(-1, 1, 1);
  readonly maxEpisodeSteps = Infinity;
  position = 0;
  velocity = 0;
  private rng = new Random(0);
  private readonly obs = new Float32Array(2);
  private readonly result: StepResult = { obs: this.obs, reward: 0, terminated: false, truncated: false };

  constructor(
    readonly id = "MountainCarContinuous-v0",
    readonly goalVelocity = 0,
  ) {}

  reset(seed?: number): Float32Array {
    if (seed !== undefined) this.rng = new Random(seed);
    this.position = this.rng.uniformIn(-0.6, -0.4);
    this.velocity = 0;
    this.writeObs();
    return this.obs;
  }

  step(action: Action): StepResult {
    const a = typeof action === "number" ? action : action[0];
    const force = Math.min(Math.max(a, -1), 1);
    let v = this.velocity + force * POWER - 0.0025 * Math.cos(3 * this.position);
    v = Math.min(Math.max(v, -MAX_SPEED), MAX_SPEED);
    let p = this.position + v;
    p = Math.min(Math.max(p, MIN_POSITION), MAX_POSITION);
    if (p === MIN_POSITION && v < 0) v = 0;
    this.position = p;
    this.velocity = v;
    const terminated = p >= GOAL_POSITION && v >= this.goalVelocity;
    this.writeObs();
    this.result.reward = (terminated ? 100 : 0) - 0.1 * a * a;
    this.result.terminated = terminated;
    this.result.truncated = false;
    return this.result;
  }

  private writeObs(): void {
    this.obs[0] = this.position;
    this.obs[1] = this.velocity;
  }

  getState(): EnvState {
    return { position: this.position, velocity: this.velocity, rng: this.rng.getState() };
  }

  setState(state: EnvState): void {
    this.position = state.position as number;
    this.velocity = state.velocity as number;
    this.rng.setState(state.rng as ReturnType<Random["getState"]>);
    this.writeObs();
  }

  close(): void {}
}
