/**
 * `peerlearn experiment NAME ... --nats URL`: the same sweep as a local one, run by `peerlearn worker` processes
 * on any machines. Every run not complete in the experiment folder is published as a job (its id as the message
 * id, so publishing again adds nothing twice); the command then collects each run's results from the object store
 * into the folder as they arrive, with the local sweep's progress line (runs done, env steps/s over all workers,
 * ETA), and returns when every run is there (the caller writes the same report). Killed and started again, it
 * picks up where the sweep is.
 */
import { rmSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { UserError } from "../core/errors.js";
import { findExperiment, planRuns, type RunSpec } from "../experiments/catalog.js";
import { readSummary } from "../experiments/curves.js";
import { progressLine, sweepProgress, writeProgress } from "../experiments/sweep-progress.js";
import { prepareExperimentFolder, type ExperimentResult, type RunnerOptions } from "../experiments/runner.js";
import { existsSync } from "node:fs";
import { unpack } from "./bundle.js";
import { connectNats, redactUrl } from "./nats-connection.js";
import { retry } from "./retry.js";
import { openSweepStore, progressKey, resultsName, runId, sweepId, sweepKey, type RunJob } from "./sweep-store.js";

export interface NatsSweepOptions extends RunnerOptions {
  readonly url: string;
  /** How often results and progress are looked up. */
  readonly pollMs?: number;
}

export async function runNatsSweep(experiment: string, options: NatsSweepOptions): Promise<ExperimentResult> {
  const e = findExperiment(experiment);
  const runs = planRuns(e, options);
  const manifest = prepareExperimentFolder(e, runs, options);
  const sweep = sweepId([e.name, options.budget, options.variant, basename(resolve(options.out))]);
  const isDone = (r: RunSpec): boolean => existsSync(join(options.out, r.dir, "summary.json"));
  const todo = runs.filter((r) => !isDone(r));
  const skipped = runs.length - todo.length;
  const nc = await connectNats(options.url, `peerlearn experiment ${e.name}`);
  try {
    const store = await retry("opening the sweep store", () => openSweepStore(nc));
    let published = 0;
    for (const r of todo) {
      if (await retry("looking up results", () => store.objects.info(resultsName(sweep, r.dir)))) continue;
      const job: RunJob = { sweep, dir: r.dir, preset: `${r.task.toLowerCase()}/${r.method}`, config: r.config };
      await retry("publishing a run", () =>
        store.js.publish(`peerlearn.runs.${sweep}`, JSON.stringify(job), { msgID: runId(sweep, r.dir) }),
      );
      published += 1;
    }
    options.log(
      `peerlearn experiment ${e.name}: ${runs.length} runs (${skipped} already complete, ${published} queued) on NATS ${redactUrl(options.url)}, sweep ${sweep}; start \`peerlearn worker --nats URL\` on any machine; out ${options.out}`,
      false,
    );
    const totalCost = todo.reduce((a, r) => a + r.cost, 0);
    const pending = new Set(todo);
    const start = performance.now();
    const costDone = new Map<RunSpec, number>();
    while (pending.size > 0) {
      for (const r of [...pending]) {
        const failed = await retry("looking up failures", () => store.objects.getBlob(`${sweep}/${r.dir}/failed`));
        if (failed) throw new UserError(`run ${r.dir} failed on a worker: ${new TextDecoder().decode(failed)}`);
        const results = await retry("fetching results", () => store.objects.getBlob(resultsName(sweep, r.dir)));
        if (results) {
          const dir = join(options.out, r.dir);
          rmSync(dir, { recursive: true, force: true });
          unpack(results, dir);
          pending.delete(r);
          costDone.set(r, r.cost);
          continue;
        }
        const entry = await store.progress.get(progressKey(sweep, r.dir)).catch(() => null);
        if (entry && entry.length > 0) {
          const p = JSON.parse(entry.string()) as { steps: number };
          costDone.set(r, p.steps);
        }
      }
      const done = [...costDone.values()].reduce((a, b) => a + b, 0);
      const seconds = (performance.now() - start) / 1000;
      const p = sweepProgress(e.name, runs.length - pending.size, runs.length, done, totalCost, seconds);
      writeProgress(options.out, p);
      // Dashboards on other machines read the plan and the progress from here (dashboard --nats).
      const plan = { ...p, runDirs: runs.map((r) => r.dir), updatedAt: new Date().toISOString() };
      await store.progress.put(sweepKey(sweep), JSON.stringify(plan)).catch(() => {});
      options.log(progressLine(p), pending.size === 0);
      if (pending.size > 0) await new Promise((r) => setTimeout(r, options.pollMs ?? 1000));
    }
    const wallSeconds = (performance.now() - start) / 1000;
    const summaries = runs.map((r) => readSummary(join(options.out, r.dir)));
    return { manifest, summaries, skipped, wallSeconds, stepsPerSecond: totalCost / Math.max(wallSeconds, 1e-9) };
  } finally {
    await nc.drain().catch(() => {});
  }
}
