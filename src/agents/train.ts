/**
 * Trains one agent: the off-policy loop (off-policy-loop.ts) driven alone, with a metrics line per evaluation and a
 * checkpoint every checkpointFreq steps. A checkpoint holds everything needed to continue bit for bit (weights,
 * optimiser, replay buffer, every generator, both envs, the loop's counters), and a run started again on the same
 * folder resumes from it.
 *
 * Everything random derives from the run's seed, so the same seed gives identical metrics files.
 */
import { Random } from "../core/random.js";
import { UserError } from "../core/errors.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import type { Env } from "../envs/env.js";
import { make } from "../envs/registry.js";
import { Dqn } from "./dqn.js";
import { Sac } from "./sac.js";
import { Td3 } from "./td3.js";
import type { OffPolicyAgent } from "./agent.js";
import type { RunConfig } from "./config.js";
import { OffPolicyLoop, type LoopState } from "./off-policy-loop.js";
import { RunClock, backendName, type RunSummaryBase } from "./run-summary.js";
import { RunDir, writeJsonAtomic } from "./run-dir.js";
import { Progress } from "./progress.js";

export type { RunConfig };

export interface TrainSummary extends RunSummaryBase {
  algo: string;
  evaluations: number;
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
    if (space.kind !== "discrete")
      throw new UserError(`DQN needs discrete actions; ${config.env} has continuous ones (use --algo sac or td3)`);
    return new Dqn(kernels, obsDim, space.n, config.dqn, rng);
  }
  if (space.kind !== "box")
    throw new UserError(
      `${config.algo.toUpperCase()} needs continuous actions; ${config.env} has discrete ones (use --algo dqn)`,
    );
  return config.algo === "sac"
    ? new Sac(kernels, obsDim, space.dim, config.sac, rng)
    : new Td3(kernels, obsDim, space.dim, config.td3, rng);
}

export function train(config: RunConfig, options: TrainOptions): TrainSummary {
  const dir = new RunDir(options.out);
  dir.prepare(config);
  if (dir.isComplete())
    return dir.readSummary<TrainSummary>(
      (s) => typeof s.algo === "string" && typeof s.steps === "number",
      "single-agent run",
    );

  // Every generator derives from the seed: the env's goals, the evaluation env's, the agent's exploration/sampling.
  const root = new Random(config.seed);
  const envSeed = root.integer(0, 2 ** 31);
  const evalSeed = root.integer(0, 2 ** 31);
  const env = make(config.env, config.envOptions);
  const agent = makeAgent(config, env, options.kernels, root.fork());
  const loop = new OffPolicyLoop(agent, env, make(config.env, config.envOptions), config, {
    onEvaluation: (ev, returns) => {
      dir.appendMetrics({
        step: loop.steps,
        evalMean: ev.mean,
        evalStd: ev.std,
        evalReturns: returns,
        episodes: loop.episodes,
        ...agent.logValues(),
      });
      progress.setEval(ev.mean);
    },
  });
  const total = config.steps;
  loop.progressTotal = total;
  const restored = dir.resume<LoopState>((ckpt, state) => loop.load(ckpt, state));
  if (!restored) loop.start(envSeed, evalSeed);

  const progress = new Progress(total, loop.steps, options.progress);
  const clock = new RunClock(loop.steps);
  while (loop.steps < total) {
    loop.collect();
    loop.trainIfDue();
    const step = loop.steps;
    if ((config.checkpointFreq > 0 && step % config.checkpointFreq === 0) || step === total)
      dir.saveCheckpoint(step, (ckpt) => loop.save(ckpt));
    progress.tick(step);
  }
  const timing = clock.finish(loop.steps);
  loop.close();
  agent.save(dir.finalDir, false);
  progress.done(loop.steps);
  const summary: TrainSummary = {
    env: config.env,
    algo: config.algo,
    seed: config.seed,
    steps: loop.steps,
    ...timing,
    evaluations: loop.evalMeans.length,
    lastEval: loop.lastEval,
    averageRewardOverTime: loop.averageRewardOverTime,
    backend: backendName(options.kernels),
    out: options.out,
    resumedFrom: restored ? restored.steps : null,
  };
  writeJsonAtomic(dir.summaryPath, summary);
  return summary;
}
