/**
 * Ant-v4 (Gymnasium): a quadruped that should move in +x. 5 steps of 0.01 s (RK4) per env step.
 * Reward = x velocity + healthy reward - ctrlCostWeight |a|^2 - [useContactForces: contactCostWeight |clip(cfrc_ext)|^2].
 * The velocity comes from the torso body's xpos before and after the frame-skip loop, as Gymnasium does (after a
 * step xpos belongs to the start of the last RK4 substep, ~1e-4 m from the true position; we keep that).
 * Healthy: every qpos/qvel finite and healthyZRange[0] <= torso z <= healthyZRange[1] (inclusive here, unlike
 * Hopper). Healthy reward and termination as Hopper's.
 * Observation: qpos[2:] (13) then qvel (14), then clip(cfrc_ext, range) of all 14 bodies (84) with contact forces.
 * Reset: qpos0 + U(-s, s) (the quaternion is not renormalised), qvel = s N(0, 1).
 */
import { MujocoEnv } from "./mujoco-env.js";
import type { Range } from "./planar-walker.js";

export interface AntOptions {
  ctrlCostWeight: number;
  useContactForces: boolean;
  contactCostWeight: number;
  healthyReward: number;
  terminateWhenUnhealthy: boolean;
  healthyZRange: Range;
  contactForceRange: Range;
  resetNoiseScale: number;
  excludeCurrentPositionsFromObservation: boolean;
}

export const ANT_DEFAULTS: AntOptions = {
  ctrlCostWeight: 0.5,
  useContactForces: false,
  contactCostWeight: 5e-4,
  healthyReward: 1,
  terminateWhenUnhealthy: true,
  healthyZRange: [0.2, 1],
  contactForceRange: [-1, 1],
  resetNoiseScale: 0.1,
  excludeCurrentPositionsFromObservation: true,
};

const TORSO = 1;

export class Ant extends MujocoEnv {
  private readonly skip: number;
  yVelocity = 0;

  constructor(readonly options: AntOptions = ANT_DEFAULTS) {
    const skip = options.excludeCurrentPositionsFromObservation ? 2 : 0;
    super("Ant-v4", "ant", 5, 15 - skip + 14 + (options.useContactForces ? 14 * 6 : 0), options.useContactForces);
    this.skip = skip;
  }

  protected resetModel(): void {
    this.addUniformPositionNoise(this.options.resetNoiseScale);
    this.setVelocityNoise(this.options.resetNoiseScale, "normal");
  }

  isHealthy(): boolean {
    for (let i = 0; i < this.qpos.length; i++) if (!Number.isFinite(this.qpos[i])) return false;
    for (let i = 0; i < this.qvel.length; i++) if (!Number.isFinite(this.qvel[i])) return false;
    const z = this.qpos[2];
    const [low, high] = this.options.healthyZRange;
    return (low === null || z >= low) && (high === null || z <= high);
  }

  private clippedContactForce(i: number): number {
    const [low, high] = this.options.contactForceRange;
    return Math.min(Math.max(this.cfrcExt[i], low ?? -Infinity), high ?? Infinity);
  }

  protected stepTask(action: Float32Array): void {
    const o = this.options;
    const t = this.terms;
    const xBefore = this.xpos[3 * TORSO];
    const yBefore = this.xpos[3 * TORSO + 1];
    this.simulate(action);
    this.forwardTerms(xBefore, this.xpos[3 * TORSO], 1, action, o.ctrlCostWeight);
    this.yVelocity = (this.xpos[3 * TORSO + 1] - yBefore) / this.dt;
    let contact = 0;
    if (o.useContactForces) {
      for (let i = 0; i < this.cfrcExt.length; i++) contact += this.clippedContactForce(i) ** 2;
    }
    t.contactCost = o.contactCostWeight * contact;
    t.healthy = this.isHealthy();
    t.healthyReward = t.healthy || o.terminateWhenUnhealthy ? o.healthyReward : 0;
    this.result.reward = t.forwardReward + t.healthyReward - t.ctrlCost - t.contactCost;
    this.result.terminated = o.terminateWhenUnhealthy && !t.healthy;
    this.result.truncated = false;
    this.writeObs();
  }

  protected writeObs(): void {
    let j = this.writePositionsAndVelocities(this.skip);
    if (!this.options.useContactForces) return;
    for (let i = 0; i < this.cfrcExt.length; i++) this.obs[j++] = this.clippedContactForce(i);
  }
}
