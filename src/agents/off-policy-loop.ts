/**
 * The off-policy loop, once, for a single agent and for every member of a peer group alike: one agent, its env and
 * a separate evaluation env, stepped in Stable-Baselines3 1.5's order of events:
 *
 *   choose an action -> env.step -> (evaluate, every evalFreq steps) -> store the transition and per-step
 *   bookkeeping -> episode end: reset -> (train, when a rollout of trainFreq steps past learningStarts is complete)
 *
 * Whoever drives it adds behaviour through seams (LoopHooks), as SB3's callbacks and `_sample_action` do: a peer
 * group chooses actions with advice, counts whom each step followed, stores suggestions and updates its values.
 * Evaluation plays evalEpisodes greedy episodes; the divergence guard stops a run whose training produced a NaN or
 * an infinity before anything from the broken state is written; the loop's state goes into checkpoints whole.
 */
import type { Env, EnvState, StepResult } from "../envs/env.js";
import { DivergenceError, toEnvAction, type AgentAction, type OffPolicyAgent } from "./agent.js";
import type { EvalResult } from "../runs/run-summary.js";

export type { EvalResult };

/** The seams of one env step, each optional; they run in the order listed. */
export interface LoopHooks {
  /** The action to take (SB3's `_sample_action`); default: the agent's own. */
  chooseAction?(): AgentAction;
  /** Right after env.step, with the step already counted. */
  afterEnvStep?(result: StepResult): void;
  /** After every evaluation (the returns array is reused: copy what you keep). */
  onEvaluation?(result: EvalResult, returns: readonly number[]): void;
  /** After the agent stored the transition; `result.obs` is s' (the terminal observation at an episode end). */
  afterStore?(result: StepResult, done: boolean): void;
  /** At an episode end, after the env was reset, while `obs` still holds the last state. */
  onEpisodeEnd?(reward: number, first: Float32Array): void;
  /** Last: `obs` holds the next state. */
  afterStep?(): void;
}

/** Where an env step's seams run (runStepSeams): the loop here, or the stand-in of a loop whose step ran elsewhere. */
export interface StepSeamSite {
  /** The current observation: s until the seams set it to the next state. */
  readonly obs: Float32Array;
  /** Evaluates when an evaluation is due after this step (calling the onEvaluation seam). */
  evaluateIfDue(): void;
  /** Stores the transition from obs (the agent's replay buffer). */
  storeStep(action: AgentAction, result: StepResult): void;
  /** Resets the env at an episode end: the next episode's first observation. */
  resetEpisode(): Float32Array;
}

/**
 * The seams after an env step, in SB3 1.5's order, written once for every loop: afterEnvStep -> evaluation when
 * due -> store -> afterStore -> at an episode end, reset and onEpisodeEnd -> obs becomes the next state -> afterStep.
 */
export function runStepSeams(h: LoopHooks, site: StepSeamSite, action: AgentAction, r: StepResult): void {
  h.afterEnvStep?.(r);
  site.evaluateIfDue();
  site.storeStep(action, r);
  const done = r.terminated || r.truncated;
  h.afterStore?.(r, done);
  if (done) {
    const first = site.resetEpisode();
    h.onEpisodeEnd?.(r.reward, first);
    site.obs.set(first);
  } else {
    site.obs.set(r.obs);
  }
  h.afterStep?.();
}

export interface LoopSettings {
  /** Env steps between evaluations. */
  evalFreq: number;
  /** Greedy episodes per evaluation. */
  evalEpisodes: number;
  /** Names the agent in a divergence message ("peer 2"); null for a lone agent. */
  label?: string | null;
}

/** The loop's state in a checkpoint (the agent's own state beside its files). */
export interface LoopState {
  steps: number;
  obs: number[];
  episodes: number;
  episodeReturn: number;
  evalMeans: number[];
  lastEval: EvalResult | null;
  env: EnvState;
  evalEnv: EnvState;
  agent: unknown;
}

/** Plays `episodes` episodes with `policy` and returns the mean and (population) std of their returns. */
export function evaluate(
  env: Env,
  policy: (obs: Float32Array) => number | Float32Array,
  episodes: number,
  returns: number[] = [],
): EvalResult {
  returns.length = 0;
  for (let e = 0; e < episodes; e++) {
    let obs = env.reset();
    let total = 0;
    for (;;) {
      const r = env.step(policy(obs));
      total += r.reward;
      obs = r.obs;
      if (r.terminated || r.truncated) break;
    }
    returns.push(total);
  }
  const mean = returns.reduce((a, b) => a + b, 0) / episodes;
  const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / episodes);
  return { mean, std };
}

export class OffPolicyLoop implements StepSeamSite {
  /** It runs here (a peer group's stand-ins for peers placed elsewhere say true). */
  readonly placedElsewhere = false;
  /** The current observation (a copy: envs reuse theirs). */
  readonly obs: Float32Array;
  /** The action in the env's own bounds (continuous actions). */
  readonly envAction: Float32Array;
  /** Env steps taken (SB3's num_timesteps). */
  steps = 0;
  episodes = 0;
  episodeReturn = 0;
  /** Evaluation means so far (their mean is the paper's "average reward over time"). */
  readonly evalMeans: number[] = [];
  lastEval: EvalResult | null = null;
  /** The step count at which epsilon's progress reaches 1 (SB3's total_timesteps of the current learn call). */
  progressTotal = 1;
  private readonly evalReturns: number[] = [];
  private readonly greedy: (obs: Float32Array) => number | Float32Array;

  constructor(
    readonly agent: OffPolicyAgent,
    readonly env: Env,
    readonly evalEnv: Env,
    private readonly settings: LoopSettings,
    private readonly hooks: LoopHooks = {},
  ) {
    this.obs = new Float32Array(env.observationSpace.dim);
    const space = env.actionSpace;
    this.envAction = new Float32Array(space.kind === "box" ? space.dim : 0);
    const evalAction = new Float32Array(this.envAction.length);
    this.greedy = (o) => toEnvAction(evalEnv.actionSpace, agent.predict(o), evalAction);
  }

  /** Seeds both envs and takes the first observation (a fresh run; a resumed one restores its state instead). */
  start(envSeed: number, evalSeed: number): void {
    this.obs.set(this.env.reset(envSeed));
    this.evalEnv.reset(evalSeed);
  }

  /** One env step, without training. */
  collect(): void {
    const h = this.hooks;
    const action = h.chooseAction ? h.chooseAction() : this.agent.act(this.obs, this.steps);
    const r = this.env.step(toEnvAction(this.env.actionSpace, action, this.envAction));
    this.steps += 1;
    this.episodeReturn += r.reward;
    runStepSeams(h, this, action, r);
  }

  evaluateIfDue(): void {
    if (this.steps % this.settings.evalFreq === 0) this.evaluateNow();
  }

  storeStep(action: AgentAction, r: StepResult): void {
    this.agent.observe(this.obs, r.obs, action, r.reward, r.terminated, this.steps, this.progressTotal);
  }

  resetEpisode(): Float32Array {
    const first = this.env.reset();
    this.episodes += 1;
    this.episodeReturn = 0;
    return first;
  }

  /** Trains when a rollout is complete (SB3's train at the end of collect_rollouts); then checks for divergence. */
  trainIfDue(): boolean {
    if (!this.agent.maybeTrain(this.steps)) return false;
    this.checkFinite();
    return true;
  }

  /** Stops the run, before anything from a broken state is written, when training produced a NaN or an infinity. */
  checkFinite(): void {
    const bad = this.agent.nonFinite();
    const label = this.settings.label;
    if (bad) throw new DivergenceError(this.steps, label ? `${label}'s ${bad.replace(/^the /, "")}` : bad);
  }

  evaluateNow(): EvalResult {
    const ev = evaluate(this.evalEnv, this.greedy, this.settings.evalEpisodes, this.evalReturns);
    this.lastEval = ev;
    this.evalMeans.push(ev.mean);
    this.hooks.onEvaluation?.(ev, this.evalReturns);
    return ev;
  }

  /** The paper's metric: the mean of all evaluation means (null before the first evaluation). */
  get averageRewardOverTime(): number | null {
    const n = this.evalMeans.length;
    return n ? this.evalMeans.reduce((a, b) => a + b, 0) / n : null;
  }

  /** Saves the agent (files into dir, with its replay buffer unless told otherwise) and returns the loop's state. */
  save(dir: string, withBuffer = true): LoopState {
    return {
      steps: this.steps,
      obs: [...this.obs],
      episodes: this.episodes,
      episodeReturn: this.episodeReturn,
      evalMeans: [...this.evalMeans],
      lastEval: this.lastEval,
      env: this.env.getState(),
      evalEnv: this.evalEnv.getState(),
      agent: this.agent.save(dir, withBuffer),
    };
  }

  load(dir: string, s: LoopState): void {
    this.agent.load(dir, s.agent);
    this.env.setState(s.env);
    this.evalEnv.setState(s.evalEnv);
    this.obs.set(s.obs);
    this.steps = s.steps;
    this.episodes = s.episodes;
    this.episodeReturn = s.episodeReturn;
    this.evalMeans.splice(0, this.evalMeans.length, ...s.evalMeans);
    this.lastEval = s.lastEval;
  }

  /** Frees engine memory (MuJoCo) when runs share a thread. */
  close(): void {
    this.env.close();
    this.evalEnv.close();
  }
}
