/**
 * Hopper-v4 and Walker2d-v4 (Gymnasium): planar robots that should move forward without falling.
 * Reward = forwardRewardWeight * x velocity + healthy reward - ctrlCostWeight * |a|^2, the velocity from the root
 * x position before and after the frame-skip loop (4 steps of 0.002 s, RK4).
 * Healthy (all bounds strict): height qpos[1] inside healthyZRange, torso angle qpos[2] inside healthyAngleRange and,
 * for Hopper, every value of state[2:] (qpos[2:], qvel) inside healthyStateRange.
 * The healthy reward is paid when healthy or when terminateWhenUnhealthy is set (so with termination on it is paid
 * on every step, including the last: Gymnasium's rule). terminated = terminateWhenUnhealthy and not healthy.
 * Observation: qpos[1:] then clip(qvel, -10, 10), with the x position first if not excluded.
 * Reset: qpos0 + U(-s, s), qvel = U(-s, s).
 */
import { MujocoEnv } from "./mujoco-env.js";

/** An interval; null stands for an unbounded side. */
export type Range = readonly [number | null, number | null];

export interface PlanarWalkerOptions {
  forwardRewardWeight: number;
  ctrlCostWeight: number;
  healthyReward: number;
  terminateWhenUnhealthy: boolean;
  /** Hopper only; null for Walker2d (no state-range check). */
  healthyStateRange: Range | null;
  healthyZRange: Range;
  healthyAngleRange: Range;
  resetNoiseScale: number;
  excludeCurrentPositionsFromObservation: boolean;
}

export const HOPPER_DEFAULTS: PlanarWalkerOptions = {
  forwardRewardWeight: 1,
  ctrlCostWeight: 1e-3,
  healthyReward: 1,
  terminateWhenUnhealthy: true,
  healthyStateRange: [-100, 100],
  healthyZRange: [0.7, null],
  healthyAngleRange: [-0.2, 0.2],
  resetNoiseScale: 5e-3,
  excludeCurrentPositionsFromObservation: true,
};

export const WALKER2D_DEFAULTS: PlanarWalkerOptions = {
  ...HOPPER_DEFAULTS,
  healthyStateRange: null,
  healthyZRange: [0.8, 2],
  healthyAngleRange: [-1, 1],
};

const VELOCITY_CLIP = 10;

/** low < x < high, strictly; a null side is unbounded. */
export function insideOpen(x: number, range: Range): boolean {
  return (range[0] === null || x > range[0]) && (range[1] === null || x < range[1]);
}

export class PlanarWalker extends MujocoEnv {
  private readonly skip: number;

  constructor(
    id: "Hopper-v4" | "Walker2d-v4",
    readonly options: PlanarWalkerOptions,
  ) {
    const skip = options.excludeCurrentPositionsFromObservation ? 1 : 0;
    const n = id === "Hopper-v4" ? 6 : 9;
    super(id, id === "Hopper-v4" ? "hopper" : "walker2d", 4, n - skip + n);
    this.skip = skip;
  }

  protected resetModel(): void {
    this.addUniformPositionNoise(this.options.resetNoiseScale);
    this.setVelocityNoise(this.options.resetNoiseScale, "uniform");
  }

  isHealthy(): boolean {
    const o = this.options;
    const q = this.qpos;
    if (!insideOpen(q[1], o.healthyZRange) || !insideOpen(q[2], o.healthyAngleRange)) return false;
    const state = o.healthyStateRange;
    if (state === null) return true;
    for (let i = 2; i < q.length; i++) if (!insideOpen(q[i], state)) return false;
    for (let i = 0; i < this.qvel.length; i++) if (!insideOpen(this.qvel[i], state)) return false;
    return true;
  }

  protected stepTask(action: Float32Array): void {
    const o = this.options;
    const t = this.terms;
    const xBefore = this.qpos[0];
    this.simulate(action);
    this.forwardTerms(xBefore, this.qpos[0], o.forwardRewardWeight, action, o.ctrlCostWeight);
    t.healthy = this.isHealthy();
    t.healthyReward = t.healthy || o.terminateWhenUnhealthy ? o.healthyReward : 0;
    this.result.reward = t.forwardReward + t.healthyReward - t.ctrlCost;
    this.result.terminated = o.terminateWhenUnhealthy && !t.healthy;
    this.result.truncated = false;
    this.writeObs();
  }

  protected writeObs(): void {
    this.writePositionsAndVelocities(this.skip, VELOCITY_CLIP);
  }
}
