/**
 * What every run's summary.json says, single agent or group: where and how it ran, how fast, and the paper's
 * metric. The drivers add what is theirs (the algorithm; the group's variant and its peers).
 */
import { z } from "zod";
import type { Kernels } from "../nn/kernels/kernels.js";

/** The mean and standard deviation of one evaluation's returns. */
export const EvalResultSchema = z.object({ mean: z.number(), std: z.number().nonnegative() });
export type EvalResult = z.infer<typeof EvalResultSchema>;

/** A text field of a summary read back (bounded: a file may have been written by anyone). */
const text = z.string().max(4096);

/** The fields every run's summary.json has; the drivers extend it (agents/train.ts, peers/group-summary.ts). */
export const RunSummaryBaseSchema = z.object({
  env: text,
  seed: z.number().int(),
  /** Env steps (per acting peer, in a group). */
  steps: z.number().int().nonnegative(),
  wallSeconds: z.number().nonnegative(),
  /** Env steps per second of wall time since this process started the run (all acting peers together). */
  stepsPerSecond: z.number().nonnegative(),
  /** Mean of all evaluation means over training: the paper's "average reward over time" (a group: over its learners). */
  averageRewardOverTime: z.number().nullable(),
  lastEval: EvalResultSchema.nullable(),
  backend: text,
  out: text,
  /** Env steps (per peer) at the checkpoint this run resumed from, or null. */
  resumedFrom: z.number().int().nonnegative().nullable(),
});
export type RunSummaryBase = z.infer<typeof RunSummaryBaseSchema>;

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
