/**
 * HalfCheetah-v4 (Gymnasium): run forward. Reward = forwardRewardWeight * x velocity - ctrlCostWeight * |a|^2, the
 * velocity from the root x position before and after the frame-skip loop (5 steps of 0.01 s, Euler). Never
 * terminates. Observation: qpos[1:] (8) then qvel (9), with the x position first if not excluded.
 * Reset: qpos0 + U(-s, s), qvel = s N(0, 1).
 */
import { MujocoEnv } from "./mujoco-env.js";

export interface HalfCheetahOptions {
  forwardRewardWeight: number;
  ctrlCostWeight: number;
  resetNoiseScale: number;
  excludeCurrentPositionsFromObservation: boolean;
}

export const HALF_CHEETAH_DEFAULTS: HalfCheetahOptions = {
  forwardRewardWeight: 1,
  ctrlCostWeight: 0.1,
  resetNoiseScale: 0.1,
  excludeCurrentPositionsFromObservation: true,
};

export class HalfCheetah extends MujocoEnv {
  private readonly skip: number;

  constructor(readonly options: HalfCheetahOptions = HALF_CHEETAH_DEFAULTS) {
    const skip = options.excludeCurrentPositionsFromObservation ? 1 : 0;
    super("HalfCheetah-v4", "half_cheetah", 5, 9 - skip + 9);
    this.skip = skip;
  }

  protected resetModel(): void {
    this.addUniformPositionNoise(this.options.resetNoiseScale);
    this.setVelocityNoise(this.options.resetNoiseScale, "normal");
  }

  protected stepTask(action: Float32Array): void {
    const o = this.options;
    const t = this.terms;
    const xBefore = this.qpos[0];
    this.simulate(action);
    this.forwardTerms(xBefore, this.qpos[0], o.forwardRewardWeight, action, o.ctrlCostWeight);
    this.result.reward = t.forwardReward - t.ctrlCost;
    this.result.terminated = false;
    this.result.truncated = false;
    this.writeObs();
  }

  protected writeObs(): void {
    this.writePositionsAndVelocities(this.skip);
  }
}
