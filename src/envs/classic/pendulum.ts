/**
 * Pendulum-v1 with Gymnasium's dynamics (classic_control/pendulum.py): torque clipped to [-2, 2]; cost
 * angle_norm(theta)^2 + 0.1 theta_dot^2 + 0.001 u^2 from the state before the update; theta_dot += (3g / 2l sin
 * theta + 3 / (m l^2) u) dt, clipped to +-8; theta += theta_dot dt (not wrapped). Reward = -cost, never terminal;
 * 200-step limit. Reset: theta ~ U(-pi, pi), theta_dot ~ U(-1, 1). Observation [cos, sin, theta_dot] (float32).
 */
import { Random } from "../../core/random.js";
import type { Action, Env, EnvState, StepResult } from "../env.js";
import { box } from "../spaces.js";

const MAX_SPEED = 8;
const MAX_TORQUE = 2;
const DT = 0.05;
const M = 1;
const L = 1;

/** ((x + pi) mod 2 pi) - pi with a floor modulo, in [-pi, pi). */
export function angleNormalize(x: number): number {
  const twoPi = 2 * Math.PI;
  return ((((x + Math.PI) % twoPi) + twoPi) % twoPi) - Math.PI;
}

export class Pendulum implements Env {
  readonly observationSpace = box([-1, -1, -MAX_SPEED], [1, 1, MAX_SPEED]);
  readonly actionSpace = box(-MAX_TORQUE, MAX_TORQUE, 1);
  readonly maxEpisodeSteps = Infinity;
  theta = 0;
  thetaDot = 0;
  private rng = new Random(0);
  private readonly obs = new Float32Array(3);
  private readonly result: StepResult = { obs: this.obs, reward: 0, terminated: false, truncated: false };

  constructor(
    readonly id = "Pendulum-v1",
    readonly g = 10,
  ) {}

  reset(seed?: number): Float32Array {
    if (seed !== undefined) this.rng = new Random(seed);
    this.theta = this.rng.uniformIn(-Math.PI, Math.PI);
    this.thetaDot = this.rng.uniformIn(-1, 1);
    this.writeObs();
    return this.obs;
  }

  step(action: Action): StepResult {
    const raw = typeof action === "number" ? action : action[0];
    const u = Math.min(Math.max(raw, -MAX_TORQUE), MAX_TORQUE);
    const th = this.theta;
    const thDot = this.thetaDot;
    const cost = angleNormalize(th) ** 2 + 0.1 * thDot * thDot + 0.001 * u * u;
    let newThDot = thDot + (((3 * this.g) / (2 * L)) * Math.sin(th) + (3 / (M * L * L)) * u) * DT;
    newThDot = Math.min(Math.max(newThDot, -MAX_SPEED), MAX_SPEED);
    this.theta = th + newThDot * DT;
    this.thetaDot = newThDot;
    this.writeObs();
    this.result.reward = -cost;
    this.result.terminated = false;
    this.result.truncated = false;
    return this.result;
  }

  private writeObs(): void {
    this.obs[0] = Math.cos(this.theta);
    this.obs[1] = Math.sin(this.theta);
    this.obs[2] = this.thetaDot;
  }

  getState(): EnvState {
    return { theta: this.theta, thetaDot: this.thetaDot, rng: this.rng.getState() };
  }

  setState(state: EnvState): void {
    this.theta = state.theta as number;
    this.thetaDot = state.thetaDot as number;
    this.rng.setState(state.rng as ReturnType<Random["getState"]>);
    this.writeObs();
  }

  close(): void {}
}
