/**
 * Throughput of `peerlearn experiment` with one worker thread and with several, on the same small sweep (Fig. 4 on
 * Room-v21 at 1% of the paper's budget: 2 seeds x 2 methods, 4 runs of 10k steps per peer): all runs' env steps per
 * second of wall time, and the speed-up.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runExperiment } from "../experiments/runner.js";
import { runNatsSweep } from "../distributed/sweeps/nats-sweep.js";

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

/**
 * The same sweep run by `workers` local worker threads and by `workers` `peerlearn worker` processes through the
 * NATS server at `url` (same machine), measured in the same run: env steps per second of each, and their ratio.
 */
export async function natsSweepBench(
  url: string,
  workers: number,
  log: (line: string) => void,
): Promise<{ local: number; nats: number; ratio: number }> {
  const options = { seeds: 2, budget: 0.01, variant: "faithful" as const, workers, log: () => {} };
  const localOut = mkdtempSync(join(tmpdir(), "peerlearn-sweep-"));
  const natsOut = mkdtempSync(join(tmpdir(), "peerlearn-sweep-"));
  const cli = fileURLToPath(new URL("../cli/main.js", import.meta.url));
  const procs = Array.from({ length: workers }, () =>
    spawn(process.execPath, [cli, "worker", "--nats", url, "--workers", "1"], { stdio: "ignore" }),
  );
  try {
    log(`sweep with ${workers} worker threads`);
    const local = (await runExperiment("fig4", { ...options, out: localOut })).stepsPerSecond;
    log(`sweep with ${workers} NATS worker processes`);
    const nats = (await runNatsSweep("fig4", { ...options, out: natsOut, url, pollMs: 200 })).stepsPerSecond;
    return { local, nats, ratio: nats / local };
  } finally {
    for (const p of procs) p.kill("SIGKILL");
    rmSync(localOut, { recursive: true, force: true });
    rmSync(natsOut, { recursive: true, force: true });
  }
}
