/**
 * Throughput of `peerlearn experiment` with one worker thread and with several, on the same small sweep (Fig. 4 on
 * Room-v21 at 1% of the paper's budget: 2 seeds x 2 methods, 4 runs of 10k steps per peer): all runs' env steps per
 * second of wall time, and the speed-up.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runExperiment } from "../experiments/runner.js";

export interface SweepBench {
  readonly runs: number;
  readonly stepsPerSecond: Record<string, number>;
  readonly speedup: number;
}

export async function sweepBench(workers: number, log: (line: string) => void): Promise<SweepBench> {
  const rates: Record<string, number> = {};
  let runs = 0;
  for (const w of [1, workers]) {
    const out = mkdtempSync(join(tmpdir(), "peerlearn-sweep-"));
    try {
      log(`sweep with ${w} worker thread${w > 1 ? "s" : ""}`);
      const r = await runExperiment("fig4", {
        seeds: 2,
        budget: 0.01,
        variant: "faithful",
        out,
        workers: w,
        log: () => {},
      });
      rates[`${w} worker${w > 1 ? "s" : ""}`] = r.stepsPerSecond;
      runs = r.summaries.length;
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  const values = Object.values(rates);
  return { runs, stepsPerSecond: rates, speedup: values[values.length - 1] / values[0] };
}
