/**
 * `peerlearn compare`: how sure is a difference? The same IQM [95% CI] table and plain-words sentences as an
 * experiment's report, on the terminal (or as JSON), for
 * - one experiment folder: every method against its single-agent baseline, or the methods named after it, each
 *   against the last one named (`compare runs/evidence peer-learning-corrected single-agent-corrected`);
 * - folders of runs (a run folder, or a folder holding run folders such as `.../peer-learning/`): each against the
 *   last one, task by task.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { UserError, oneOf } from "../core/errors.js";
import { readSummary } from "../experiments/curves.js";
import {
  evidenceOf,
  fmtInterval,
  fmtScore,
  sentenceOf,
  type Evidence,
  type ScoreRow,
} from "../experiments/evidence.js";
import { readManifest, readRuns } from "../experiments/results.js";
import { keepResult, readKept, resultsMarkdown } from "../experiments/kept-results.js";
import { probabilityOfImprovement, welchTTest } from "../report/stats.js";
import { integerOption, parseCommand } from "./args.js";

export const COMPARE_USAGE = `  compare DIR [METHOD ...]   how sure a difference is: IQM [95% CI] per method and P(better) [95% CI]
                        against a baseline, in plain words. DIR an experiment folder: every method against
                        its single agent, or the METHODs named, each against the last; or several folders of
                        runs (run folders, or folders holding them): each against the last
      --json            print one JSON object
      --reps N          bootstrap resamples (default 2000)
      --seed K          seed of the resampling (default 0)`;

/** The runs under a folder: itself when it is a run, else the run folders below it (3 levels at most). */
function runFolders(dir: string, depth = 0): string[] {
  if (existsSync(join(dir, "summary.json"))) return [dir];
  if (depth >= 3) return [];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return entries
    .filter((e) => !["checkpoints", "final", "node_modules"].includes(e))
    .map((e) => join(dir, e))
    .filter((p) => statSync(p).isDirectory())
    .flatMap((p) => runFolders(p, depth + 1));
}

/** Scores of the runs in a folder of runs, named by the folder. */
function folderScores(dir: string): ScoreRow[] {
  if (!existsSync(dir)) throw new UserError(`compare: ${dir} does not exist`);
  const runs = runFolders(dir);
  if (runs.length === 0) throw new UserError(`compare: ${dir} holds no finished run (no summary.json below it)`);
  const name = basename(resolve(dir));
  return runs.map((r) => {
    const s = readSummary(r);
    return { task: s.env, method: name, seed: s.seed, score: s.averageRewardOverTime ?? Number.NaN };
  });
}

/** Each group of rows against the last one (explicit comparisons), task by task. */
function againstLast(rows: readonly ScoreRow[], order: readonly string[], reps: number, seed: number): Evidence {
  const base = evidenceOf(rows, { reps, seed });
  const baseline = order[order.length - 1];
  const comparisons = base.methods
    .filter((m) => m.method !== baseline)
    .flatMap((m) => {
      const scores = (method: string): number[] =>
        rows.filter((r) => r.task === m.task && r.method === method && Number.isFinite(r.score)).map((r) => r.score);
      const x = scores(m.method);
      const y = scores(baseline);
      if (y.length === 0) return [];
      const probability = probabilityOfImprovement([x], [y], { reps, seed });
      return [
        {
          task: m.task,
          method: m.method,
          baseline,
          probability,
          welchP: welchTTest(x, y).p,
          sentence: sentenceOf(m.method, baseline, probability, [x.length, y.length]),
        },
      ];
    });
  return { methods: base.methods, comparisons };
}

/**
 * The scores of an experiment folder: from its run folders, or, for a result kept in results/ (no run folders,
 * only runs.csv), from runs.csv.
 */
function experimentScores(dir: string): ScoreRow[] {
  const m = readManifest(dir);
  const { runs } = readRuns(dir, m);
  if (runs.length === 0 && existsSync(join(dir, "runs.csv"))) return readKept(dir).rows;
  return runs.map((r) => ({
    task: r.task,
    method: r.method,
    seed: r.seed,
    score: r.summary.averageRewardOverTime ?? Number.NaN,
  }));
}

export function compareCommand(args: string[]): void {
  const { values, positionals } = parseCommand(
    args,
    { json: { type: "boolean", default: false }, reps: { type: "string" }, seed: { type: "string" } },
    true,
  );
  const reps = integerOption("reps", values.reps, 2000, 100, 1_000_000);
  const seed = integerOption("seed", values.seed, 0, 0, 2 ** 32 - 1);
  if (positionals.length === 0) throw new UserError("compare takes an experiment folder, or folders of runs");
  let ev: Evidence;
  const [first, ...more] = positionals;
  if (existsSync(join(first, "experiment.json"))) {
    const rows = experimentScores(first);
    if (rows.length === 0) throw new UserError(`compare: ${first} has no finished run yet`);
    const present = [...new Set(rows.map((r) => r.method))];
    for (const name of more)
      if (!present.includes(name))
        throw new UserError(`compare: ${first} has no method ${JSON.stringify(name)}: use ${oneOf(present)}`);
    if (more.length === 1) throw new UserError("compare: name two methods or more (each against the last), or none");
    ev =
      more.length === 0
        ? evidenceOf(rows, { reps, seed })
        : againstLast(
            rows.filter((r) => more.includes(r.method)),
            more,
            reps,
            seed,
          );
  } else {
    if (positionals.length < 2)
      throw new UserError("compare: give two folders of runs or more (each against the last)");
    const names = positionals.map((p) => basename(resolve(p)));
    if (new Set(names).size !== names.length)
      throw new UserError(`compare: the folders must have different names, got ${names.join(", ")}`);
    ev = againstLast(positionals.flatMap(folderScores), names, reps, seed);
  }
  if (values.json) {
    console.log(JSON.stringify(ev));
    return;
  }
  for (const task of [...new Set(ev.methods.map((m) => m.task))]) {
    console.log(task);
    for (const m of ev.methods.filter((x) => x.task === task))
      console.log(
        `  ${m.label.padEnd(40)} ${String(m.runs).padStart(3)} runs  IQM ${fmtInterval(m.iqm).padEnd(24)} mean ${fmtScore(m.mean)}`,
      );
    for (const c of ev.comparisons.filter((x) => x.task === task))
      console.log(`  ${c.sentence} Welch's t-test p = ${c.welchP.toFixed(3)}.`);
  }
}

export const RESULTS_USAGE = `  results               write docs/results.md from the results kept in results/ (each: experiment.json,
                        runs.csv, curves.csv); no result number in the docs is typed by hand
      --keep DIR        first keep an experiment folder's result as results/<its folder name> (--name N)
      --check           write nothing: exit 2 when docs/results.md differs from what results/ gives`;

/** `peerlearn results`: the docs' result tables from the files in results/. */
export function resultsCommand(args: string[]): void {
  const { values } = parseCommand(args, {
    keep: { type: "string" },
    name: { type: "string" },
    check: { type: "boolean", default: false },
  });
  if (values.keep !== undefined) {
    const kept = keepResult(values.keep, "results", values.name ?? basename(resolve(values.keep)));
    process.stderr.write(`peerlearn results: kept ${values.keep} as ${kept}\n`);
  }
  const text = resultsMarkdown("results");
  const path = join("docs", "results.md");
  if (values.check) {
    const now = existsSync(path) ? readFileSync(path, "utf8") : "";
    if (now !== text) throw new UserError(`${path} differs from what results/ gives: run npm run results`);
    console.log(`${path} matches results/`);
    return;
  }
  mkdirSync("docs", { recursive: true });
  writeFileSync(path, text);
  console.log(`wrote ${path}`);
}
