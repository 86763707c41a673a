/**
 * `peerlearn experiment NAME ... --nats URL`: the same sweep as a local one, run by `peerlearn worker` processes
 * on any machines. Every run not complete in the experiment folder is published as a job (its id as the message
 * id, so publishing again adds nothing twice); the command then collects each run's results from the object store
 * into the folder as they arrive, with the local sweep's progress line (runs done, env steps/s over all workers,
 * ETA), and returns when every run is there (the caller writes the same report). Killed and started again, it
 * picks up where the sweep is.
 *
 * What the server holds is not believed: results are taken only when they name this sweep, the run and its config
 * (run.json, written by the worker) and carry a readable summary; a progress value out of bounds is ignored; a
 * failure's text is printed without its control characters. A new experiment folder is a new sweep (its id is
 * kept in experiment.json), so results left on the server by an earlier folder of the same name are not copied
 * back unless `--reuse-remote` asks for them.
 */
import { goOn } from "../../core/given-up.js";
import { rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, join, resolve } from "node:path";
import { UserError } from "../../core/errors.js";
import { confined } from "../../core/paths.js";
import { writeJsonAtomic } from "../../runs/run-dir.js";
import { validateGroupRunConfig } from "../../peers/validate-config.js";
import { findExperiment, planRuns, type RunSpec } from "../../experiments/catalog.js";
import { readSummary } from "../../experiments/curves.js";
import { progressLine, sweepProgress, writeProgress } from "../../experiments/sweep-progress.js";
import {
  prepareExperimentFolder,
  runComplete,
  type ExperimentManifest,
  type ExperimentResult,
  type RunnerOptions,
} from "../../experiments/runner.js";
import { unpack } from "./bundle.js";
import { connectNats, redactUrl } from "../nats-connection.js";
import { configHashOf, resultsBelong } from "./nats-worker.js";
import { retry } from "../retry.js";
import { ProgressSchema, SweepPlanSchema, failureText, type RunJob } from "./sweep-messages.js";
import { openSweepStore, progressKey, resultsName, runId, sweepId, sweepKey, type SweepStore } from "./sweep-store.js";

export interface NatsSweepOptions extends RunnerOptions {
  readonly url: string;
  /** How often results and progress are looked up. */
  readonly pollMs?: number;
  /** For a new experiment folder: take the results of the newest earlier sweep of the same folder name. */
  readonly reuseRemote?: boolean;
  /** Runs that failed on a worker are queued again (after their cause was fixed). */
  readonly retryFailed?: boolean;
}

/** Results refused (not this run's) more often than this stop the sweep: something keeps writing them. */
const MAX_REFUSED = 3;

/** The newest sweep on the server of the same folder name and settings (`base`), if any. */
async function earlierSweep(
  store: SweepStore,
  base: string,
): Promise<{ sweep: string; done: number; runs: number } | null> {
  let best: { sweep: string; done: number; runs: number; at: string } | null = null;
  for await (const key of await store.progress.keys("sweeps.*")) {
    const entry = await store.progress.get(key).catch(goOn(`sweep: its plan ${key} could not be read`, null));
    if (!entry || entry.length === 0) continue;
    let value: unknown;
    try {
      value = entry.json();
    } catch {
      continue; // not a plan: dashboards skip it too
    }
    const plan = SweepPlanSchema.safeParse(value);
    if (!plan.success || plan.data.base !== base || !plan.data.sweep) continue;
    if (!best || plan.data.updatedAt > best.at)
      best = { sweep: plan.data.sweep, done: plan.data.runsDone, runs: plan.data.runs, at: plan.data.updatedAt };
  }
  return best;
}

/** This folder's sweep id: the one it has, the one `--reuse-remote` finds, or a new one (saved in experiment.json). */
async function chooseSweep(
  store: SweepStore,
  manifest: ExperimentManifest,
  options: NatsSweepOptions,
  base: string,
): Promise<string> {
  if (manifest.natsSweep) return manifest.natsSweep;
  const earlier = await earlierSweep(store, base);
  let sweep = sweepId([base, randomBytes(8).toString("hex")]);
  if (earlier && options.reuseRemote) {
    sweep = earlier.sweep;
    options.log(
      `peerlearn experiment: taking the results of the earlier sweep ${sweep} (${earlier.done} of ${earlier.runs} runs done)`,
      false,
    );
  } else if (earlier)
    options.log(
      `peerlearn experiment: ${options.out} is a new folder: starting afresh as sweep ${sweep}; the server holds an earlier sweep of this folder (${earlier.sweep}, ${earlier.done} of ${earlier.runs} runs done): --reuse-remote takes its results instead`,
      false,
    );
  else if (options.reuseRemote)
    options.log(
      `peerlearn experiment: no earlier sweep of ${options.out} on the server: starting afresh as sweep ${sweep}`,
      false,
    );
  writeJsonAtomic(join(options.out, "experiment.json"), { ...manifest, natsSweep: sweep });
  return sweep;
}

export async function runNatsSweep(experiment: string, options: NatsSweepOptions): Promise<ExperimentResult> {
  const e = findExperiment(experiment);
  const runs = planRuns(e, options);
  const manifest = prepareExperimentFolder(e, runs, options);
  const base = sweepId([e.name, options.budget, options.variant, basename(resolve(options.out))]);
  const isDone = (r: RunSpec): boolean => runComplete(options.out, r.dir, options.log);
  const todo = runs.filter((r) => !isDone(r));
  const skipped = runs.length - todo.length;
  const nc = await connectNats(options.url, `peerlearn experiment ${e.name}`);
  try {
    const store = await retry("opening the sweep store", () => openSweepStore(nc));
    const sweep = await chooseSweep(store, manifest, options, base);
    const jobOf = (r: RunSpec): RunJob => ({
      sweep,
      dir: r.dir,
      preset: `${r.task.toLowerCase()}/${r.method}`,
      config: validateGroupRunConfig(r.config),
    });
    const hashes = new Map(todo.map((r) => [r, configHashOf(jobOf(r).config)]));
    const publish = (r: RunSpec, again: string): Promise<unknown> =>
      retry("publishing a run", () =>
        store.js.publish(`peerlearn.runs.${sweep}`, JSON.stringify(jobOf(r)), { msgID: runId(sweep, r.dir) + again }),
      );
    let published = 0;
    for (const r of todo) {
      const failed = `${sweep}/${r.dir}/failed`;
      const retrying = options.retryFailed && (await retry("looking up failures", () => store.objects.info(failed)));
      if (retrying) await retry("clearing a failure", () => store.objects.delete(failed));
      else if (await retry("looking up results", () => store.objects.info(resultsName(sweep, r.dir)))) continue;
      await publish(r, retrying ? `#retry-${Date.now()}` : "");
      published += 1;
    }
    options.log(
      `peerlearn experiment ${e.name}: ${runs.length} runs (${skipped} already complete, ${published} queued) on NATS ${redactUrl(options.url)}, sweep ${sweep}; start \`peerlearn worker --nats URL\` on any machine; out ${options.out}`,
      false,
    );
    const totalCost = todo.reduce((a, r) => a + r.cost, 0);
    const pending = new Set(todo);
    const refused = new Map<RunSpec, number>();
    const start = performance.now();
    const costDone = new Map<RunSpec, number>();
    while (pending.size > 0) {
      for (const r of [...pending]) {
        const failed = await retry("looking up failures", () => store.objects.getBlob(`${sweep}/${r.dir}/failed`));
        if (failed)
          throw new UserError(
            `run ${r.dir} failed on a worker: ${failureText(failed)}; fix its cause, then run the same command with --retry-failed`,
          );
        const results = await retry("fetching results", () => store.objects.getBlob(resultsName(sweep, r.dir)));
        if (results) {
          const wrong = resultsBelong(results, jobOf(r), hashes.get(r) as string);
          if (wrong === null) {
            const dir = confined(options.out, r.dir);
            rmSync(dir, { recursive: true, force: true });
            unpack(results, dir);
            pending.delete(r);
            costDone.set(r, r.cost);
            continue;
          }
          const times = (refused.get(r) ?? 0) + 1;
          refused.set(r, times);
          if (times > MAX_REFUSED)
            throw new UserError(
              `the results on the server for run ${r.dir} were refused ${times} times (${wrong}): something else writes to this sweep's object store; secure the server (docs/errors.md, Security model)`,
            );
          options.log(
            `peerlearn experiment: refused the results on the server for ${r.dir} (${wrong}): queued again`,
            false,
          );
          await retry("removing refused results", () => store.objects.delete(resultsName(sweep, r.dir)));
          await publish(r, `#refused-${times}-${Date.now()}`);
        }
        const entry = await store.progress
          .get(progressKey(sweep, r.dir))
          .catch(goOn(`sweep: the progress of ${r.dir} could not be read`, null));
        if (entry && entry.length > 0) {
          let value: unknown = null;
          try {
            value = entry.json();
          } catch {
            value = null; // not progress: the next put replaces it
          }
          const p = ProgressSchema.safeParse(value);
          if (p.success) costDone.set(r, Math.min(r.cost, (p.data.steps / p.data.total) * r.cost));
        }
      }
      const done = [...costDone.values()].reduce((a, b) => a + b, 0);
      const seconds = (performance.now() - start) / 1000;
      const p = sweepProgress(e.name, runs.length - pending.size, runs.length, done, totalCost, seconds);
      writeProgress(options.out, p);
      // Dashboards on other machines read the plan and the progress from here (dashboard --nats).
      const plan = { ...p, runDirs: runs.map((r) => r.dir), updatedAt: new Date().toISOString(), base, sweep };
      await store.progress
        .put(sweepKey(sweep), JSON.stringify(plan))
        .catch(goOn("sweep: its plan could not be stored; the next poll stores it", 0));
      options.log(progressLine(p), pending.size === 0);
      if (pending.size > 0) await new Promise((r) => setTimeout(r, options.pollMs ?? 1000));
    }
    const wallSeconds = (performance.now() - start) / 1000;
    const summaries = runs.map((r) => readSummary(join(options.out, r.dir)));
    return { manifest, summaries, skipped, wallSeconds, stepsPerSecond: totalCost / Math.max(wallSeconds, 1e-9) };
  } finally {
    await nc.drain().catch(goOn("sweep: the NATS connection did not close cleanly", undefined));
  }
}
