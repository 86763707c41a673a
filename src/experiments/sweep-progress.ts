/**
 * A sweep's progress, the same for a local sweep and one on NATS: runs done, share of env steps, env steps per
 * second over all workers and the time left, as the progress line and as progress.json in the experiment folder
 * (which the dashboard shows).
 */
import { join } from "node:path";
import { writeJsonAtomic } from "../runs/run-dir.js";
import { formatDuration } from "../runs/progress.js";

export interface SweepProgress {
  readonly experiment: string;
  readonly runsDone: number;
  readonly runs: number;
  /** Share of this invocation's env steps done, in [0, 1]. */
  readonly fractionOfSteps: number;
  readonly stepsPerSecond: number;
  readonly etaSeconds: number | null;
  readonly finished: boolean;
}

export function sweepProgress(
  experiment: string,
  runsDone: number,
  runs: number,
  stepsDone: number,
  totalSteps: number,
  seconds: number,
): SweepProgress {
  const rate = stepsDone / Math.max(seconds, 1e-9);
  const eta = rate > 0 ? (totalSteps - stepsDone) / rate : null;
  return {
    experiment,
    runsDone,
    runs,
    fractionOfSteps: stepsDone / Math.max(totalSteps, 1),
    stepsPerSecond: rate,
    etaSeconds: eta,
    finished: runsDone === runs,
  };
}

export function progressLine(p: SweepProgress): string {
  return `runs ${p.runsDone}/${p.runs}  ${(100 * p.fractionOfSteps).toFixed(0)}% of steps  ${p.stepsPerSecond.toFixed(0)} steps/s  ETA ${formatDuration(p.etaSeconds ?? Infinity)}`;
}

/** Writes progress.json into the experiment folder (atomically: a reader never sees half of it). */
export function writeProgress(out: string, p: SweepProgress): void {
  writeJsonAtomic(join(out, "progress.json"), { ...p, updatedAt: new Date().toISOString() });
}
