/**
 * An experiment folder's results, read back: its manifest, each run's summary and learning curve, each method's
 * score per task (mean +- std over seeds of the paper's "average reward over time"), Table 2's normalised scores,
 * and the series the report plots.
 */
import { isEpoch, readMetrics } from "../runs/metrics-line.js";
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { z } from "zod";
import { parseOrThrow } from "../config/validate.js";
import { UserError, count, printable } from "../core/errors.js";
import type { Series } from "../report/svg-plot.js";
import type { GroupSummary } from "../peers/group-summary.js";
import type { Experiment } from "./catalog.js";
import { learnerCurve, learnerIndices, readSummary } from "./curves.js";
import { ProvenanceSchema } from "../core/provenance.js";

/** A run of the plan as experiment.json lists it (a RunSpec without its config). */
const ManifestRunSchema = z.object({
  experiment: z.string().max(256),
  task: z.string().max(256),
  method: z.string().max(256),
  label: z.string().max(256),
  seed: z.number().int().nonnegative(),
  /** Folder of the run, relative to the experiment's folder (checked to stay inside it: readManifest). */
  dir: z.string().max(4096),
  cost: z.number().nonnegative(),
});

/** What experiment.json records: enough to rebuild the report and to refuse mixing settings in one folder. */
const ManifestSchema = z.object({
  experiment: z.string().max(256),
  tasks: z.array(z.string().max(256)).max(1000),
  seeds: z.number().int().positive(),
  budget: z.number().positive(),
  variant: z.string().max(64),
  runs: z.array(ManifestRunSchema).max(1_000_000),
  /** One entry per invocation that ran: command, commit, CPU, kernels, date (results/ keeps this file). */
  provenance: z.array(ProvenanceSchema).max(100_000).optional(),
  /** The id of this folder's sweep on NATS (`experiment --nats`): new for a new folder, kept while it lives. */
  natsSweep: z.string().max(256).optional(),
});
export type ExperimentManifest = z.infer<typeof ManifestSchema>;

export interface RunResult {
  readonly task: string;
  readonly method: string;
  readonly label: string;
  readonly seed: number;
  readonly dir: string;
  readonly summary: GroupSummary;
  readonly curve: { steps: number[]; mean: number[] };
}

export interface MethodRow {
  readonly task: string;
  readonly method: string;
  readonly label: string;
  readonly seeds: number;
  readonly mean: number;
  readonly std: number;
  readonly paper: string;
}

export const avg = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
export const sd = (xs: readonly number[]): number => Math.sqrt(avg(xs.map((x) => (x - avg(xs)) ** 2)));

export function readManifest(dir: string): ExperimentManifest {
  const path = join(dir, "experiment.json");
  if (!existsSync(path))
    throw new UserError(`${dir} is not an experiment folder (no experiment.json); run \`peerlearn experiment\` first`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new UserError(
      `${path} is not valid JSON (${printable((e as Error).message, 120)}): move it away and rerun the experiment, which writes it anew and keeps the finished runs`,
    );
  }
  const m = parseOrThrow(
    ManifestSchema,
    value,
    `${path} (move it away and rerun the experiment, which writes it anew)`,
  );
  for (const r of m.runs) {
    const rel = relative(resolve(dir), resolve(dir, r.dir));
    if (rel.startsWith("..") || isAbsolute(rel))
      throw new UserError(`${path}: run folder ${JSON.stringify(r.dir)} is outside the experiment folder`);
  }
  return m;
}

/**
 * The complete runs of the plan; a run without a summary is missing (not finished yet), one whose files cannot
 * be read is damaged: it is left out of the report and named in `damaged`.
 */
export function readRuns(
  dir: string,
  m: ExperimentManifest,
): { runs: RunResult[]; missing: number; damaged: string[] } {
  const runs: RunResult[] = [];
  const damaged: string[] = [];
  let missing = 0;
  for (const r of m.runs) {
    const runDir = join(dir, r.dir);
    if (!existsSync(join(runDir, "summary.json"))) {
      missing += 1;
      continue;
    }
    try {
      const summary = readSummary(runDir);
      const curve = learnerCurve(runDir, learnerIndices(summary));
      runs.push({ task: r.task, method: r.method, label: r.label, seed: r.seed, dir: r.dir, summary, curve });
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      damaged.push(e.message);
    }
  }
  return { runs, missing, damaged };
}

/** Method rows in the experiment's order: mean +- std of average reward over time over seeds. */
export function methodRows(e: Experiment, runs: readonly RunResult[]): MethodRow[] {
  const rows: MethodRow[] = [];
  const tasks = [...new Set(runs.map((r) => r.task))].sort((a, b) => e.tasks.indexOf(a) - e.tasks.indexOf(b));
  for (const task of tasks) {
    // The experiment's method order; methods it no longer lists (runs of an older plan) come last.
    const order = e.methods(task).map((m) => m.id);
    const methods = [...new Set(runs.filter((r) => r.task === task).map((r) => r.method))].sort(
      (a, b) => (order.indexOf(a) + 1 || 1e9) - (order.indexOf(b) + 1 || 1e9),
    );
    for (const method of methods) {
      const mine = runs.filter((r) => r.task === task && r.method === method);
      const scores = mine.map((r) => r.summary.averageRewardOverTime ?? Number.NaN);
      rows.push({
        task,
        method,
        label: mine[0].label,
        seeds: mine.length,
        mean: avg(scores),
        std: sd(scores),
        paper: e.paper[task]?.[method] ?? "",
      });
    }
  }
  return rows;
}

/** Table 2's score: each task's method means mapped to 0-100 (min to max), averaged over tasks. */
export function normalisedScores(rows: readonly MethodRow[]): Map<string, number> {
  const tasks = [...new Set(rows.map((r) => r.task))];
  const perMethod = new Map<string, number[]>();
  for (const task of tasks) {
    const mine = rows.filter((r) => r.task === task);
    const lo = Math.min(...mine.map((r) => r.mean));
    const hi = Math.max(...mine.map((r) => r.mean));
    for (const r of mine) {
      const list = perMethod.get(r.method) ?? [];
      list.push(hi > lo ? (100 * (r.mean - lo)) / (hi - lo) : 50);
      perMethod.set(r.method, list);
    }
  }
  return new Map([...perMethod].map(([m, xs]) => [m, avg(xs)]));
}

/** Mean curve over seeds per method on a task, with a standard-error band. */
export function curveSeries(runs: readonly RunResult[], task: string, rows: readonly MethodRow[]): Series[] {
  const methods = rows.filter((r) => r.task === task).map((r) => r.method); // the table's order
  return methods.map((method) => {
    const mine = runs.filter((r) => r.task === task && r.method === method);
    const steps = mine[0].curve.steps.filter((s) => mine.every((r) => r.curve.steps.includes(s)));
    const at = (r: RunResult, s: number): number => r.curve.mean[r.curve.steps.indexOf(s)];
    const y = steps.map((s) => avg(mine.map((r) => at(r, s))));
    const band = steps.map((s) => sd(mine.map((r) => at(r, s))) / Math.sqrt(mine.length));
    return { label: `${mine[0].label} (${count(mine.length, "seed")})`, x: steps, y, band };
  });
}

/** Fig. 6 style: per epoch, the share of the learners' follow decisions that went to each peer (mean over seeds). */
export function followSeries(dir: string, runs: readonly RunResult[]): Series[] {
  if (runs.length === 0) return [];
  const kinds = runs[0].summary.peers.map((p) => `peer ${p.index} (${p.kind})`);
  const learners = learnerIndices(runs[0].summary);
  const shares = new Map<number, number[][]>(); // epoch -> per run: share per peer
  for (const r of runs) {
    const byEpoch = new Map<number, number[]>();
    for (const el of readMetrics(join(dir, r.dir, "metrics.jsonl")).filter(isEpoch)) {
      if (!learners.includes(el.peer)) continue;
      const sum = byEpoch.get(el.epoch) ?? new Array<number>(kinds.length).fill(0);
      el.followCounts.forEach((c, i) => (sum[i] += c));
      byEpoch.set(el.epoch, sum);
    }
    for (const [epoch, counts] of byEpoch) {
      const total = counts.reduce((a, b) => a + b, 0);
      if (total === 0) continue;
      const list = shares.get(epoch) ?? [];
      list.push(counts.map((c) => c / total));
      shares.set(epoch, list);
    }
  }
  const epochs = [...shares.keys()].sort((a, b) => a - b);
  return kinds.map((label, i) => ({
    label,
    x: epochs,
    y: epochs.map((e) => avg((shares.get(e) as number[][]).map((s) => s[i]))),
  }));
}
