/**
 * What every run's summary.json says, single agent or group: where and how it ran, how fast, and the paper's
 * metric. The drivers add what is theirs (the algorithm; the group's variant and its peers).
 */
import type { Kernels } from "../nn/kernels/kernels.js";

/** The mean and standard deviation of one evaluation's returns. */
export interface EvalResult {
  mean: number;
  std: number;
}

export interface RunSummaryBase {
  env: string;
  seed: number;
  /** Env steps (per acting peer, in a group). */
  steps: number;
  wallSeconds: number;
  /** Env steps per second of wall time since this process started the run (all acting peers together). */
  stepsPerSecond: number;
  /** Mean of all evaluation means over training: the paper's "average reward over time" (a group: over its learners). */
  averageRewardOverTime: number | null;
  lastEval: EvalResult | null;
  backend: string;
  out: string;
  /** Env steps (per peer) at the checkpoint this run resumed from, or null. */
  resumedFrom: number | null;
}

/** Times a run from the step count it started (or resumed) at. */
export class RunClock {
  private readonly start = performance.now();

  constructor(private readonly startSteps: number) {}

  finish(steps: number): { wallSeconds: number; stepsPerSecond: number } {
    const wallSeconds = (performance.now() - this.start) / 1000;
    return { wallSeconds, stepsPerSecond: (steps - this.startSteps) / Math.max(wallSeconds, 1e-9) };
  }
}

export const backendName = (kernels: Kernels): string => `${kernels.name} (${kernels.variant})`;

export const meanOf = (xs: readonly number[]): number | null =>
  xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
