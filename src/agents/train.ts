/**
 * The off-policy training loop for one agent, with SB3 1.5's order of events per env step:
 *   act -> env.step -> (evaluate, every evalFreq steps) -> store the transition and per-step bookkeeping
 *   -> (train, every trainFreq steps once past learningStarts) -> (checkpoint, every checkpointFreq steps).
 * Evaluation plays evalEpisodes greedy episodes in a separate copy of the env. Metrics go to the run folder line by
 * line; a checkpoint holds everything needed to continue bit for bit (weights, optimiser, replay buffer, every
 * generator, both envs, the loop's counters), and a run started again on the same folder resumes from it.
 *
 * Everything random derives from the run's seed, so the same seed gives identical metrics files.
 */
import { join } from "node:path";
import { Random } from "../core/random.js";
import { UserError } from "../core/errors.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import type { Env, EnvState } from "../envs/env.js";
import { make } from "../envs/registry.js";
import { Dqn, type DqnConfig } from "./dqn.js";
import { Sac, type SacConfig } from "./sac.js";
import { Td3, type Td3Config } from "./td3.js";
import { DivergenceError, toEnvAction, type OffPolicyAgent } from "./agent.js";
import { RunDir, readJson, writeJsonAtomic } from "./run-dir.js";
import { Progress } from "./progress.js";

interface RunConfigBase {
  env: string;
  envOptions: Record<string, unknown>;
  /** Env steps of training. */
  steps: number;
  seed: number;
  /** Env steps between evaluations. */
  evalFreq: number;
  /** Greedy episodes per evaluation. */
  evalEpisodes: number;
  /** Env steps between checkpoints (0: only at the end). */
  checkpointFreq: number;
}

export type RunConfig = RunConfigBase & ({ algo: "dqn"; dqn: DqnConfig } | { algo: "sac"; sac: SacConfig } | { algo: "td3"; td3: Td3Config });

export interface EvalResult {
  mean: number;
  std: number;
}

export interface TrainSummary {
  env: string;
  algo: string;
  seed: number;
  steps: number;
  wallSeconds: number;
  stepsPerSecond: number;
  evaluations: number;
  lastEval: EvalResult | null;
  /** Mean of all evaluation means over training: the paper's "average reward over time". */
  averageRewardOverTime: number | null;
  backend: string;
  out: string;
  resumedFrom: number | null;
}

/** The loop's own counters, saved in every checkpoint. */
interface LoopState {
  step: number;
  obs: number[];
  episodes: number;
  episodeReturn: number;
  evaluations: number;
  evalSum: number;
  lastEval: EvalResult | null;
  env: EnvState;
  evalEnv: EnvState;
  agent: unknown;
  metricsBytes: number;
}

export interface TrainOptions {
  /** Run folder (metrics, checkpoints, final model). */
  out: string;
  kernels: Kernels;
  /** Progress lines (default: none). */
  progress?: (line: string, final: boolean) => void;
}

/** The agent for a run's algorithm, checking that it fits the env's action space. */
function makeAgent(config: RunConfig, env: Env, kernels: Kernels, rng: Random): OffPolicyAgent {
  const obsDim = env.observationSpace.dim;
  const space = env.actionSpace;
  if (config.algo === "dqn") {
    if (space.kind !== "discrete") throw new UserError(`DQN needs discrete actions; ${config.env} has continuous ones (use --algo sac or td3)`);
    return new Dqn(kernels, obsDim, space.n, config.dqn, rng);
  }
  if (space.kind !== "box") throw new UserError(`${config.algo.toUpperCase()} needs continuous actions; ${config.env} has discrete ones (use --algo dqn)`);
  return config.algo === "sac" ? new Sac(kernels, obsDim, space.dim, config.sac, rng) : new Td3(kernels, obsDim, space.dim, config.td3, rng);
}

/** Plays `episodes` episodes with `policy` and returns the mean and (population) std of their returns. */
export function evaluate(env: Env, policy: (obs: Float32Array) => number | Float32Array, episodes: number, returns: number[] = []): EvalResult {
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

export function train(config: RunConfig, options: TrainOptions): TrainSummary {
  const dir = new RunDir(options.out);
  if (dir.isComplete()) return readJson<TrainSummary>(dir.summaryPath);
  dir.prepare(config);

  // Every generator derives from the seed: the env's goals, the evaluation env's, the agent's exploration/sampling.
  const root = new Random(config.seed);
  const envSeed = root.integer(0, 2 ** 31);
  const evalSeed = root.integer(0, 2 ** 31);
  const env = make(config.env, config.envOptions);
  const evalEnv = make(config.env, config.envOptions);
  const agent = makeAgent(config, env, options.kernels, root.fork());
  const space = env.actionSpace;
  const envAction = new Float32Array(space.kind === "box" ? space.dim : 0);

  const obs = new Float32Array(env.observationSpace.dim);
  let step = 0;
  let episodes = 0;
  let episodeReturn = 0;
  let evaluations = 0;
  let evalSum = 0;
  let lastEval: EvalResult | null = null;
  let resumedFrom: number | null = null;

  const checkpoint = dir.latestCheckpoint();
  if (checkpoint) {
    const s = readJson<LoopState>(join(checkpoint, "state.json"));
    agent.load(checkpoint, s.agent);
    env.setState(s.env);
    evalEnv.setState(s.evalEnv);
    obs.set(s.obs);
    ({ step, episodes, episodeReturn, evaluations, evalSum, lastEval } = s);
    dir.truncateMetrics(s.metricsBytes);
    resumedFrom = step;
  } else {
    dir.truncateMetrics(0);
    obs.set(env.reset(envSeed));
    evalEnv.reset(evalSeed);
  }

  const saveCheckpoint = (): void => {
    const ckpt = dir.newCheckpointDir(step);
    const state: LoopState = {
      step,
      obs: [...obs],
      episodes,
      episodeReturn,
      evaluations,
      evalSum,
      lastEval,
      env: env.getState(),
      evalEnv: evalEnv.getState(),
      agent: agent.save(ckpt),
      metricsBytes: dir.metricsBytes(),
    };
    writeJsonAtomic(join(ckpt, "state.json"), state);
    dir.commitCheckpoint(step);
  };

  const total = config.steps;
  const progress = new Progress(total, step, options.progress);
  const greedy = (o: Float32Array): number | Float32Array => toEnvAction(space, agent.predict(o), envAction);
  const evalReturns: number[] = [];
  const start = performance.now();
  const startStep = step;
  while (step < total) {
    const action = agent.act(obs, step);
    const r = env.step(toEnvAction(space, action, envAction));
    step += 1;
    episodeReturn += r.reward;
    if (step % config.evalFreq === 0) {
      lastEval = evaluate(evalEnv, greedy, config.evalEpisodes, evalReturns);
      evaluations += 1;
      evalSum += lastEval.mean;
      dir.appendMetrics({ step, evalMean: lastEval.mean, evalStd: lastEval.std, evalReturns, episodes, ...agent.logValues() });
      progress.setEval(lastEval.mean);
    }
    // r.obs is the episode's final observation when it ends (SB3 stores terminal_observation, not the reset one).
    agent.observe(obs, r.obs, action, r.reward, r.terminated, step, total);
    if (r.terminated || r.truncated) {
      episodes += 1;
      episodeReturn = 0;
      obs.set(env.reset());
    } else {
      obs.set(r.obs);
    }
    if (agent.maybeTrain(step)) {
      // Stop before anything from a broken state is written: the last checkpoint stays the last good one.
      const bad = agent.nonFinite();
      if (bad) throw new DivergenceError(step, bad);
    }
    if ((config.checkpointFreq > 0 && step % config.checkpointFreq === 0) || step === total) saveCheckpoint();
    progress.tick(step);
  }
  const wallSeconds = (performance.now() - start) / 1000;
  env.close(); // frees engine memory (MuJoCo) when runs share a thread
  evalEnv.close();
  agent.save(dir.finalDir, false);
  progress.done(step);
  const summary: TrainSummary = {
    env: config.env,
    algo: config.algo,
    seed: config.seed,
    steps: step,
    wallSeconds,
    stepsPerSecond: (step - startStep) / Math.max(wallSeconds, 1e-9),
    evaluations,
    lastEval,
    averageRewardOverTime: evaluations > 0 ? evalSum / evaluations : null,
    backend: `${options.kernels.name} (${options.kernels.variant})`,
    out: options.out,
    resumedFrom,
  };
  writeJsonAtomic(dir.summaryPath, summary);
  return summary;
}
