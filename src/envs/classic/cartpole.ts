/**
 * CartPole-v1 with Gymnasium's dynamics (classic_control/cartpole.py): explicit Euler with tau 0.02, force +-10,
 * termination when |x| > 2.4 or |theta| > 12 degrees, reward 1 on every step including the terminating one, reset
 * state uniform in [-0.05, 0.05]^4, 500-step limit (applied by the registry's TimeLimit). The state is kept in
 * double precision and observed as float32, as in Gymnasium.
 */
import { Random } from "../../core/random.js";
import type { Action, Env, EnvState, StepResult } from "../env.js";
import { box, discrete } from "../spaces.js";

const GRAVITY = 9.8;
const MASS_POLE = 0.1;
const TOTAL_MASS = 1.1;
const HALF_LENGTH = 0.5;
const POLEMASS_LENGTH = MASS_POLE * HALF_LENGTH;
const FORCE_MAG = 10;
const TAU = 0.02;
const THETA_THRESHOLD = (12 * 2 * Math.PI) / 360;
const X_THRESHOLD = 2.4;

export class CartPole implements Env {
  readonly observationSpace = box(
    [-4.8, -3.4028234663852886e38, -0.41887903, -3.4028234663852886e38],
    [4.8, 3.4028234663852886e38, 0.41887903, 3.4028234663852886e38],
  );
  readonly actionSpace = discrete(2);
  readonly maxEpisodeSteps = Infinity;
  /** x, x_dot, theta, theta_dot. */
  readonly state = new Float64Array(4);
  private rng = new Random(0);
  private readonly obs = new Float32Array(4);
  private readonly result: StepResult = { obs: this.obs, reward: 0, terminated: false, truncated: false };
  private done = false;

  constructor(readonly id = "CartPole-v1") {}

  reset(seed?: number): Float32Array {
    if (seed !== undefined) this.rng = new Random(seed);
    for (let i = 0; i < 4; i++) this.state[i] = this.rng.uniformIn(-0.05, 0.05);
    this.done = false;
    this.obs.set(this.state);
    return this.obs;
  }

  step(action: Action): StepResult {
    if (action !== 0 && action !== 1) throw new RangeError(`${this.id}: action must be 0 or 1, got ${action}`);
    const s = this.state;
    const x = s[0];
    const xDot = s[1];
    const theta = s[2];
    const thetaDot = s[3];
    const force = action === 1 ? FORCE_MAG : -FORCE_MAG;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    const temp = (force + POLEMASS_LENGTH * thetaDot * thetaDot * sin) / TOTAL_MASS;
    const thetaAcc = (GRAVITY * sin - cos * temp) / (HALF_LENGTH * (4 / 3 - (MASS_POLE * cos * cos) / TOTAL_MASS));
    const xAcc = temp - (POLEMASS_LENGTH * thetaAcc * cos) / TOTAL_MASS;
    s[0] = x + TAU * xDot;
    s[1] = xDot + TAU * xAcc;
    s[2] = theta + TAU * thetaDot;
    s[3] = thetaDot + TAU * thetaAcc;
    const terminated = s[0] < -X_THRESHOLD || s[0] > X_THRESHOLD || s[2] < -THETA_THRESHOLD || s[2] > THETA_THRESHOLD;
    const r = this.result;
    // Gymnasium gives 0 (and a warning) for steps after termination; peerlearn's loops never take them.
    r.reward = this.done ? 0 : 1;
    this.done = this.done || terminated;
    r.terminated = terminated;
    r.truncated = false;
    this.obs.set(s);
    return r;
  }

  getState(): EnvState {
    return { state: [...this.state], done: this.done, rng: this.rng.getState() };
  }

  setState(state: EnvState): void {
    this.state.set(state.state as number[]);
    this.done = state.done as boolean;
    this.rng.setState(state.rng as ReturnType<Random["getState"]>);
    this.obs.set(this.state);
  }

  close(): void {}
}
