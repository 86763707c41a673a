/**
 * Trains one agent: the off-policy loop (off-policy-loop.ts) driven alone, with a metrics line per evaluation and a
 * checkpoint every checkpointFreq steps. A checkpoint holds everything needed to continue bit for bit (weights,
 * optimiser, replay buffer, every generator, both envs, the loop's counters), and a run started again on the same
 * folder resumes from it.
 *
 * Everything random derives from the run's seed, so the same seed gives identical metrics files.
 */
import { Random } from "../core/random.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import type { Env } from "../envs/env.js";
import { make } from "../envs/registry.js";
import { agentSpec, buildLearner } from "./algorithms.js";
import type { OffPolicyAgent } from "./agent.js";
import { runSettings, type RunConfig } from "./config.js";
import { OffPolicyLoop, type LoopState } from "./off-policy-loop.js";
import { z } from "zod";
import { RunClock, RunSummaryBaseSchema, backendName } from "../runs/run-summary.js";
import { RunDir, writeJsonAtomic } from "../runs/run-dir.js";
import { precisionOf, usePrecision } from "../nn/kernels/precision.js";
import { Progress } from "../runs/progress.js";

export type { RunConfig };

export const TrainSummarySchema = RunSummaryBaseSchema.extend({
  algo: z.string().max(64),
  evaluations: z.number().int().nonnegative(),
});
export type TrainSummary = z.infer<typeof TrainSummarySchema>;

export interface TrainOptions {
  /** Run folder (metrics, checkpoints, final model). */
  out: string;
  kernels: Kernels;
  /** Progress lines (default: none). */
  progress?: (line: string, final: boolean) => void;
}

/** The agent for a run's algorithm, checking that it fits the env's action space. */
function makeAgent(config: RunConfig, env: Env, kernels: Kernels, rng: Random): OffPolicyAgent {
  const what = config.algo.toUpperCase();
  const spec = agentSpec(runSettings(config), env.observationSpace.dim, env.actionSpace, what, config.env);
  return buildLearner(spec, kernels, rng);
}

/**
 * A single-agent run that advances in slices (`advance(n)`: up to n more env steps), can checkpoint where it stands
 * and ends with `finish()`; the steps are the same however it is sliced.
 */
export class AgentRun {
  readonly dir: RunDir;
  private readonly finished: TrainSummary | null = null;
  private agent!: OffPolicyAgent;
  private loop!: OffPolicyLoop;
  private progress!: Progress;
  private clock!: RunClock;
  private resumedFrom: number | null = null;
  /** The step of the newest checkpoint on disk (saving it again would first remove it). */
  private savedAt: number | null = null;

  constructor(
    private readonly config: RunConfig,
    private readonly options: TrainOptions,
  ) {
    usePrecision(options.kernels, config.precision); // first: a refusal leaves no folder; train() restores it
    this.dir = new RunDir(options.out);
    this.dir.prepare(config);
    if (this.dir.isComplete()) {
      this.finished = this.dir.readSummary(TrainSummarySchema, "single-agent run");
      return;
    }
    // Every generator derives from the seed: the env's goals, the evaluation env's, the agent's exploration/sampling.
    const root = new Random(config.seed);
    const envSeed = root.integer(0, 2 ** 31);
    const evalSeed = root.integer(0, 2 ** 31);
    const env = make(config.env, config.envOptions);
    const agent = makeAgent(config, env, options.kernels, root.fork());
    const loop = new OffPolicyLoop(agent, env, make(config.env, config.envOptions), config, {
      onEvaluation: (ev, returns) => {
        this.dir.appendMetrics({
          step: loop.steps,
          evalMean: ev.mean,
          evalStd: ev.std,
          evalReturns: [...returns],
          episodes: loop.episodes,
          ...agent.logValues(),
        });
        this.progress.setEval(ev.mean);
      },
    });
    this.agent = agent;
    this.loop = loop;
    loop.progressTotal = config.steps;
    const restored = this.dir.resume<LoopState>((ckpt, state) => loop.load(ckpt, state));
    if (!restored) loop.start(envSeed, evalSeed);
    this.resumedFrom = this.savedAt = restored ? restored.steps : null;
    this.progress = new Progress(config.steps, loop.steps, options.progress);
    this.clock = new RunClock(loop.steps);
  }

  get done(): boolean {
    return this.finished !== null || this.loop.steps >= this.config.steps;
  }

  /** Env steps taken so far. */
  get steps(): number {
    return this.finished ? this.finished.steps : this.loop.steps;
  }

  /** Takes up to `maxSteps` env steps; true once the run has taken them all. */
  advance(maxSteps = Infinity): boolean {
    if (this.done) return true;
    const { loop, config } = this;
    const until = Math.min(config.steps, loop.steps + maxSteps);
    while (loop.steps < until) {
      loop.collect();
      loop.trainIfDue();
      const step = loop.steps;
      if ((config.checkpointFreq > 0 && step % config.checkpointFreq === 0) || step === config.steps) {
        this.dir.saveCheckpoint(step, (ckpt) => loop.save(ckpt));
        this.savedAt = step;
      }
      this.progress.tick(step);
    }
    return this.done;
  }

  /** Saves the run where it stands; the steps saved, or null when there is nothing left to save. */
  checkpoint(): number | null {
    if (this.done) return null;
    if (this.savedAt !== this.loop.steps) this.dir.saveCheckpoint(this.loop.steps, (ckpt) => this.loop.save(ckpt));
    this.savedAt = this.loop.steps;
    return this.loop.steps;
  }

  /** Ends the run (advancing it to its end first): final weights, summary.json; the summary. */
  finish(): TrainSummary {
    if (this.finished) return this.finished;
    this.advance();
    const { loop, config, options } = this;
    const timing = this.clock.finish(loop.steps);
    loop.close();
    this.agent.save(this.dir.finalDir, false);
    this.progress.done(loop.steps);
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
      resumedFrom: this.resumedFrom,
    };
    writeJsonAtomic(this.dir.summaryPath, summary);
    return summary;
  }
}

export function train(config: RunConfig, options: TrainOptions): TrainSummary {
  const before = precisionOf(options.kernels);
  try {
    return new AgentRun(config, options).finish();
  } finally {
    usePrecision(options.kernels, before);
  }
}
