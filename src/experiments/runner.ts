/**
 * `peerlearn experiment`: runs an experiment's (task, method, seed) runs on a pool of worker threads, one run per
 * thread at a time, with one progress line for the whole experiment (runs done, steps/s, ETA).
 *
 * Safe to kill at any moment: every run writes checkpoints and an atomic summary.json at its end; a rerun of the
 * same command skips finished runs and resumes the others from their last checkpoint, with the same results as an
 * uninterrupted run. The plan (experiment.json) is written first and checked on a rerun, so a rerun with other
 * settings into the same folder is refused instead of mixing results.
 */
import { existsSync, renameSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { Worker } from "node:worker_threads";
import { UserError, printable } from "../core/errors.js";
import { readSummary } from "./curves.js";
import { readManifest, type ExperimentManifest } from "./results.js";
import { writeJsonAtomic } from "../runs/run-dir.js";
import type { GroupSummary } from "../peers/train-group.js";
import { findExperiment, planRuns, type Experiment, type ExperimentOptions, type RunSpec } from "./catalog.js";
import type { FromWorker, ToWorker } from "./run-protocol.js";
import { progressLine, sweepProgress, writeProgress } from "./sweep-progress.js";
import { ensureDir } from "../core/folders.js";
import { getKernels } from "../nn/kernels/select.js";
import { provenance } from "../core/provenance.js";
import { usePrecision } from "../nn/kernels/precision.js";

/** `peerlearn <args>` as typed, for the record (the script path left out). */
const commandLine = (): string => ["peerlearn", ...process.argv.slice(2)].join(" ");

export interface RunnerOptions extends ExperimentOptions {
  readonly out: string;
  readonly workers: number;
  readonly log: (line: string, final: boolean) => void;
  /** The command line that started this invocation, recorded in experiment.json (default: this process's argv). */
  readonly command?: string;
}

export type { ExperimentManifest };

export interface ExperimentResult {
  readonly manifest: ExperimentManifest;
  readonly summaries: GroupSummary[];
  /** Runs already complete before this invocation. */
  readonly skipped: number;
  readonly wallSeconds: number;
  /** All acting peers' env steps per second over this invocation's work. */
  readonly stepsPerSecond: number;
}

/**
 * Whether the run in `dir` (inside the experiment folder `out`) is complete: its summary.json is there and
 * readable. A run whose summary is damaged is moved aside whole (to `<dir>.damaged`, nothing is deleted), said
 * in one line, and runs again.
 */
export function runComplete(out: string, dir: string, log: (line: string, final: boolean) => void): boolean {
  const path = join(out, dir);
  if (!existsSync(join(path, "summary.json"))) return false;
  try {
    readSummary(path);
    return true;
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    let aside = `${path}.damaged`;
    for (let i = 2; existsSync(aside); i++) aside = `${path}.damaged-${i}`;
    renameSync(path, aside);
    log(`peerlearn experiment: ${printable(e.message)}: moved to ${aside}; the run starts again`, false);
    return false;
  }
}

export function defaultExperimentWorkers(): number {
  return Math.max(1, cpus().length);
}

function checkManifest(path: string, m: ExperimentManifest): void {
  if (!existsSync(path)) return;
  const old = readManifest(dirname(path));
  const key = (x: ExperimentManifest): string => JSON.stringify([x.experiment, x.budget, x.variant]);
  if (key(old) !== key(m)) {
    throw new UserError(
      `${path} belongs to ${old.experiment} at budget ${old.budget} (${old.variant}); use another --out for ${m.experiment} at budget ${m.budget} (${m.variant})`,
    );
  }
}

/**
 * The experiment folder for `runs`: experiment.json written (a rerun with more seeds or tasks adds runs; the report
 * covers every run the folder holds), refused if the folder holds another experiment.
 */
export function prepareExperimentFolder(
  e: Experiment,
  runs: readonly RunSpec[],
  options: RunnerOptions,
): ExperimentManifest {
  ensureDir(options.out);
  const manifestPath = join(options.out, "experiment.json");
  const strip = ({ config: _config, ...rest }: RunSpec): Omit<RunSpec, "config"> => rest;
  let manifest: ExperimentManifest = {
    experiment: e.name,
    tasks: [...(options.tasks ?? e.tasks)],
    seeds: options.seeds,
    budget: options.budget,
    variant: options.variant,
    runs: runs.map(strip),
  };
  checkManifest(manifestPath, manifest);
  const here = provenance(options.command ?? commandLine(), `${getKernels().name}/${getKernels().variant}`);
  manifest = { ...manifest, provenance: [here] };
  if (existsSync(manifestPath)) {
    const old = readManifest(options.out);
    const dirs = new Set(manifest.runs.map((r) => r.dir));
    const tasks = [...new Set([...old.tasks, ...manifest.tasks])];
    manifest = {
      ...manifest,
      tasks,
      seeds: Math.max(old.seeds, manifest.seeds),
      runs: [...manifest.runs, ...old.runs.filter((r) => !dirs.has(r.dir))],
      provenance: [...(old.provenance ?? []), here],
      ...(old.natsSweep ? { natsSweep: old.natsSweep } : {}),
    };
  }
  writeJsonAtomic(manifestPath, manifest);
  return manifest;
}

/** Runs `experiment` (a catalog name) with the given options; resolves when every run is complete. */
export async function runExperiment(experiment: string, options: RunnerOptions): Promise<ExperimentResult> {
  const e = findExperiment(experiment);
  const runs = planRuns(e, options);
  // Runs in bf16 need kernels that compute in it: refused here, before the folder, rather than by every worker.
  if (runs.some((r) => r.config.precision === "bf16")) usePrecision(getKernels(), usePrecision(getKernels(), "bf16"));
  const manifest = prepareExperimentFolder(e, runs, options);

  const isDone = (r: RunSpec): boolean => runComplete(options.out, r.dir, options.log);
  const todo = runs.filter((r) => !isDone(r));
  const skipped = runs.length - todo.length;
  const totalCost = todo.reduce((a, r) => a + r.cost, 0);
  const workers = Math.max(1, Math.min(options.workers, todo.length));
  options.log(
    `peerlearn experiment ${e.name}: ${runs.length} runs (${skipped} already complete), ${workers} worker threads, budget ${options.budget}, ${options.variant}; out ${options.out}`,
    false,
  );

  const start = performance.now();
  const progress = new Map<number, number>(); // run index -> steps done (all peers)
  let finished = 0;
  let lastLine = 0;
  const report = (final: boolean): void => {
    const now = performance.now();
    if (!final && now - lastLine < 1000) return;
    lastLine = now;
    const done = [...progress.values()].reduce((a, b) => a + b, 0);
    const p = sweepProgress(e.name, skipped + finished, runs.length, done, totalCost, (now - start) / 1000);
    writeProgress(options.out, p);
    options.log(progressLine(p), final);
  };

  const queue = todo.map((r, i) => ({ r, i }));
  let failure: Error | undefined;
  const workerUrl = new URL("./run-worker.js", import.meta.url);
  await Promise.all(
    Array.from(
      { length: todo.length ? workers : 0 },
      () =>
        new Promise<void>((resolve) => {
          const w = new Worker(workerUrl);
          const next = (): void => {
            const job = failure ? undefined : queue.shift();
            if (!job) {
              const stop: ToWorker = { type: "stop" };
              w.postMessage(stop);
              void w.terminate().then(() => resolve());
              return;
            }
            const msg: ToWorker = {
              type: "run",
              id: job.i,
              config: job.r.config,
              out: join(options.out, job.r.dir),
              preset: `${job.r.task.toLowerCase()}/${job.r.method}`,
            };
            w.postMessage(msg);
          };
          w.on("message", (m: FromWorker) => {
            if (m.type === "progress") {
              progress.set(m.id, m.steps);
              report(false);
              return;
            }
            if (m.type === "failed") {
              failure ??=
                m.name === "UserError"
                  ? new UserError(m.message)
                  : Object.assign(new Error(`${todo[m.id].dir} failed: ${m.message}\n${m.stack}`), {
                      code: m.code,
                      path: m.path,
                    });
            } else {
              progress.set(m.id, todo[m.id].cost);
              finished += 1;
              report(false);
            }
            next();
          });
          w.on("error", (err) => {
            failure ??= err;
            resolve();
          });
          next();
        }),
    ),
  );
  if (failure) throw failure;
  report(true);
  const wallSeconds = (performance.now() - start) / 1000;
  const summaries = runs.map((r) => readSummary(join(options.out, r.dir)));
  return { manifest, summaries, skipped, wallSeconds, stepsPerSecond: totalCost / Math.max(wallSeconds, 1e-9) };
}
