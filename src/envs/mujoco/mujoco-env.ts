/**
 * What the MuJoCo tasks share, as Gymnasium's MujocoEnv (v4): a compiled model and its data, `frameSkip` engine steps
 * per env step, the raw action written to `ctrl` (the engine clamps it to the control range; costs use the raw
 * action), and resets that add noise to the model's reference pose.
 *
 * Differences from Gymnasium, on purpose: `mj_rnePostConstraint` (which only fills `cfrc_ext`) runs after the
 * frame-skip loop only when a task reads contact forces; it changes nothing else. Observations are float32.
 */
import { Random, type RandomState } from "../../core/random.js";
import type { Action, Env, EnvState, StepResult } from "../env.js";
import { box, type Box } from "../spaces.js";
import { mujoco, sharedModel, type MjData, type MjModel, type MujocoModule } from "./engine.js";

/** Reward terms of the last step, as Gymnasium's info dict (for logging and tests). */
export interface StepTerms {
  xPosition: number;
  xVelocity: number;
  forwardReward: number;
  ctrlCost: number;
  healthyReward: number;
  contactCost: number;
  healthy: boolean;
}

export abstract class MujocoEnv implements Env {
  readonly observationSpace: Box;
  readonly actionSpace: Box;
  readonly maxEpisodeSteps = Infinity;
  /** Seconds of simulated time per env step: timestep x frameSkip. */
  readonly dt: number;
  readonly terms: StepTerms = {
    xPosition: 0,
    xVelocity: 0,
    forwardReward: 0,
    ctrlCost: 0,
    healthyReward: 0,
    contactCost: 0,
    healthy: true,
  };

  protected readonly mj: MujocoModule;
  protected readonly model: MjModel;
  protected readonly data: MjData;
  // Views into the engine's memory, taken once (each property read would allocate a new view).
  protected readonly qpos: Float64Array;
  protected readonly qvel: Float64Array;
  protected readonly ctrl: Float64Array;
  protected readonly xpos: Float64Array;
  protected readonly cfrcExt: Float64Array;
  protected readonly obs: Float32Array;
  protected readonly result: StepResult;
  protected rng = new Random(0);
  private closed = false;

  constructor(
    readonly id: string,
    modelName: string,
    readonly frameSkip: number,
    obsDim: number,
    /** Whether steps must fill `cfrc_ext` (mj_rnePostConstraint). */
    private readonly needsContactForces = false,
  ) {
    this.mj = mujoco();
    this.model = sharedModel(modelName);
    this.data = new this.mj.MjData(this.model);
    const d = this.data;
    this.qpos = d.qpos;
    this.qvel = d.qvel;
    this.ctrl = d.ctrl;
    this.xpos = d.xpos;
    this.cfrcExt = d.cfrc_ext;
    this.dt = this.model.opt.timestep * frameSkip;
    const range = this.model.actuator_ctrlrange;
    const nu = this.model.nu;
    const low = new Float32Array(nu);
    const high = new Float32Array(nu);
    for (let i = 0; i < nu; i++) {
      low[i] = range[2 * i];
      high[i] = range[2 * i + 1];
    }
    this.actionSpace = box(low, high);
    this.observationSpace = box(-Infinity, Infinity, obsDim);
    this.obs = new Float32Array(obsDim);
    this.result = { obs: this.obs, reward: 0, terminated: false, truncated: false };
  }

  reset(seed?: number): Float32Array {
    if (seed !== undefined) this.rng = new Random(seed);
    this.mj.mj_resetData(this.model, this.data);
    this.resetModel();
    this.mj.mj_forward(this.model, this.data);
    this.writeObs();
    return this.obs;
  }

  step(action: Action): StepResult {
    const a = action as Float32Array;
    if (typeof action === "number" || a.length !== this.model.nu)
      throw new RangeError(`${this.id} takes an action of ${this.model.nu} numbers`);
    this.stepTask(a);
    return this.result;
  }

  /** Sets qpos/qvel to the reset pose with noise (after mj_resetData, before mj_forward). */
  protected abstract resetModel(): void;
  /** One env step: `simulate(action)`, then reward, termination and observation into `result` and `terms`. */
  protected abstract stepTask(action: Float32Array): void;
  protected abstract writeObs(): void;

  /** Writes the action to ctrl and advances the engine by frameSkip steps. */
  protected simulate(action: Float32Array): void {
    const ctrl = this.ctrl;
    for (let i = 0; i < action.length; i++) ctrl[i] = action[i];
    for (let k = 0; k < this.frameSkip; k++) this.mj.mj_step(this.model, this.data);
    if (this.needsContactForces) this.mj.mj_rnePostConstraint(this.model, this.data);
  }

  /**
   * The forward and control terms every task shares: x position and velocity over the frame-skip loop (from
   * `xBefore` to `xAfter`), weighted forward reward, and the control cost.
   */
  protected forwardTerms(
    xBefore: number,
    xAfter: number,
    forwardWeight: number,
    action: Float32Array,
    ctrlWeight: number,
  ): void {
    const t = this.terms;
    t.xPosition = xAfter;
    t.xVelocity = (xAfter - xBefore) / this.dt;
    t.forwardReward = forwardWeight * t.xVelocity;
    t.ctrlCost = this.controlCost(action, ctrlWeight);
  }

  /** weight * sum(a^2), on the raw action. */
  protected controlCost(action: Float32Array, weight: number): number {
    let s = 0;
    for (let i = 0; i < action.length; i++) s += action[i] * action[i];
    return weight * s;
  }

  /** qpos += U(-scale, scale) on every coordinate (Gymnasium draws qpos noise first, then qvel). */
  protected addUniformPositionNoise(scale: number): void {
    for (let i = 0; i < this.qpos.length; i++) this.qpos[i] += this.rng.uniformIn(-scale, scale);
  }

  protected setVelocityNoise(scale: number, kind: "uniform" | "normal"): void {
    for (let i = 0; i < this.qvel.length; i++)
      this.qvel[i] = kind === "uniform" ? this.rng.uniformIn(-scale, scale) : scale * this.rng.normal();
  }

  /** Copies qpos[from..] and qvel (optionally clipped) into the observation, starting at obs[0]; returns the next index. */
  protected writePositionsAndVelocities(from: number, velocityClip = Infinity): number {
    let j = 0;
    for (let i = from; i < this.qpos.length; i++) this.obs[j++] = this.qpos[i];
    for (let i = 0; i < this.qvel.length; i++)
      this.obs[j++] = Math.min(Math.max(this.qvel[i], -velocityClip), velocityClip);
    return j;
  }

  /**
   * The whole simulation state: positions, velocities, controls, the solver's warm start and time (so a resumed run
   * steps exactly as an uninterrupted one), and the body positions, which after a step are those of the last
   * substep's start and would not be reproduced by recomputing them.
   */
  getState(): EnvState {
    const d = this.data;
    return {
      time: d.time,
      qpos: [...d.qpos],
      qvel: [...d.qvel],
      act: [...d.act],
      ctrl: [...d.ctrl],
      qaccWarmstart: [...d.qacc_warmstart],
      xpos: [...d.xpos],
      cfrcExt: [...d.cfrc_ext],
      rng: this.rng.getState(),
    };
  }

  setState(state: EnvState): void {
    const d = this.data;
    const put = (target: Float64Array, key: string): void => {
      const values = state[key];
      if (!Array.isArray(values) || values.length !== target.length)
        throw new Error(`${this.id} state: ${key} must hold ${target.length} numbers`);
      target.set(values as number[]);
    };
    put(d.qpos, "qpos");
    put(d.qvel, "qvel");
    put(d.act, "act");
    put(d.ctrl, "ctrl");
    this.mj.mj_forward(this.model, d);
    put(d.qacc_warmstart, "qaccWarmstart");
    put(d.xpos, "xpos");
    put(d.cfrc_ext, "cfrcExt");
    d.time = state.time as number;
    this.rng.setState(state.rng as RandomState);
    this.writeObs();
  }

  /** Bytes of memory the engine's WebAssembly instance holds now (it only grows: a leak shows here). */
  engineMemoryBytes(): number {
    return this.data.qpos.buffer.byteLength;
  }

  /** Frees the engine's data (the shared model stays for the next env of this task). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.data.delete();
  }
}
