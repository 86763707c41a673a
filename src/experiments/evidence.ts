/**
 * How sure a result is: per task, each method's IQM with its 95% stratified bootstrap CI, and each method's
 * probability of improvement over its single-agent baseline (P(X > Y) over run pairs, with its CI), Welch's
 * t-test as a secondary figure, and one sentence per comparison in plain words. Works from (task, method, seed,
 * score) rows, so the same tables come from an experiment folder, from a runs.csv kept in results/, or from run
 * folders named on the command line (`peerlearn compare`).
 */
import { findMethod, METHODS } from "../peers/presets.js";
import {
  aggregateInterval,
  iqm,
  mean,
  performanceProfile,
  probabilityOfImprovement,
  welchTTest,
  type BootstrapOptions,
  type Interval,
} from "../report/stats.js";

/** One finished run's score (the paper's average reward over time). */
export interface ScoreRow {
  readonly task: string;
  readonly method: string;
  readonly seed: number;
  readonly score: number;
}

export interface MethodEvidence {
  readonly task: string;
  readonly method: string;
  readonly label: string;
  readonly runs: number;
  /** How its env steps are counted: per agent (each peer the budget) or in total (the group's budget, one agent). */
  readonly accounting: "per agent" | "in total";
  readonly iqm: Interval;
  readonly mean: number;
}

export interface Comparison {
  readonly task: string;
  readonly method: string;
  readonly baseline: string;
  /** P(method > baseline) over pairs of their runs, with its 95% CI. */
  readonly probability: Interval;
  readonly welchP: number;
  readonly sentence: string;
}

export interface Evidence {
  readonly methods: MethodEvidence[];
  readonly comparisons: Comparison[];
}

const known = new Set(METHODS.map((m) => m.id));
export const labelOf = (method: string): string => (known.has(method) ? findMethod(method).label : method);
const accountingOf = (method: string): "per agent" | "in total" =>
  known.has(method) ? (findMethod(method).accounting ?? "per agent") : "per agent";

/**
 * The runs a method is measured against, where the task has them: a method in bf16 against itself in fp32; a
 * corrected method against the exploring single agent, per agent and at equal total samples; any other against the
 * single agent of its own experiment (faithful where the experiment is).
 */
export function baselinesOf(method: string, present: ReadonlySet<string>): string[] {
  // A method in bf16 against itself in fp32 (the precision experiment).
  if (method.endsWith("-bf16")) return [method.slice(0, -"-bf16".length)].filter((b) => present.has(b));
  if (method.startsWith("single-agent")) return [];
  const wanted = method.endsWith("-corrected")
    ? ["single-agent-corrected", "single-agent-equal-samples"]
    : ["single-agent"];
  return wanted.filter((b) => present.has(b));
}

const pct = (x: number): string => `${Math.round(100 * x)}%`;
export const fmtScore = (x: number): string =>
  Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1)) : "-";
export const fmtInterval = (i: Interval, f = fmtScore): string => `${f(i.point)} [${f(i.low)}, ${f(i.high)}]`;

/** The comparison in plain words: better, worse, or not told apart at 95%. */
export function sentenceOf(method: string, baseline: string, p: Interval, runs: [number, number]): string {
  const a = labelOf(method);
  const b = labelOf(baseline);
  const ci = `[${pct(p.low)}, ${pct(p.high)}]`;
  const n = `${runs[0]} vs ${runs[1]} runs`;
  if (p.low > 0.5) return `${a} is better than ${b} in ${pct(p.point)} of run pairs ${ci} (${n}).`;
  if (p.high < 0.5) return `${a} is worse than ${b}: better in only ${pct(p.point)} of run pairs ${ci} (${n}).`;
  return `${a} and ${b} are not told apart: ${a} is better in ${pct(p.point)} of run pairs ${ci}, an interval that holds 50% (${n}).`;
}

/** Per task, each method's IQM [CI] and each comparison with its baseline. Methods keep the order given. */
export function evidenceOf(rows: readonly ScoreRow[], o: BootstrapOptions = {}): Evidence {
  const methods: MethodEvidence[] = [];
  const comparisons: Comparison[] = [];
  const tasks = [...new Set(rows.map((r) => r.task))];
  for (const task of tasks) {
    const mine = rows.filter((r) => r.task === task && Number.isFinite(r.score));
    const order = [...new Set(mine.map((r) => r.method))];
    const scores = new Map(order.map((m) => [m, mine.filter((r) => r.method === m).map((r) => r.score)]));
    for (const method of order) {
      const s = scores.get(method) as number[];
      methods.push({
        task,
        method,
        label: labelOf(method),
        runs: s.length,
        accounting: accountingOf(method),
        iqm: aggregateInterval([s], iqm, o),
        mean: mean(s),
      });
    }
    const present = new Set(order);
    for (const method of order)
      for (const baseline of baselinesOf(method, present)) {
        const x = scores.get(method) as number[];
        const y = scores.get(baseline) as number[];
        const probability = probabilityOfImprovement([x], [y], o);
        comparisons.push({
          task,
          method,
          baseline,
          probability,
          welchP: welchTTest(x, y).p,
          sentence: sentenceOf(method, baseline, probability, [x.length, y.length]),
        });
      }
  }
  return { methods, comparisons };
}

/** Thresholds for a task's performance profile: 50 steps over the range of its scores. */
export function profileOf(rows: readonly ScoreRow[], task: string): { x: number[]; byMethod: Map<string, number[]> } {
  const mine = rows.filter((r) => r.task === task && Number.isFinite(r.score));
  const lo = Math.min(...mine.map((r) => r.score));
  const hi = Math.max(...mine.map((r) => r.score));
  const x = Array.from({ length: 51 }, (_, i) => lo + ((hi - lo) * i) / 50);
  const byMethod = new Map<string, number[]>();
  for (const method of new Set(mine.map((r) => r.method)))
    byMethod.set(
      method,
      performanceProfile(
        [mine.filter((r) => r.method === method).map((r) => r.score)],
        x.map((t) => t - 1e-9),
      ),
    );
  return { x, byMethod };
}

/** The evidence as markdown: per task a table of methods and the comparisons' sentences. */
export function evidenceMarkdown(ev: Evidence, paper: (task: string, method: string) => string = () => ""): string {
  const out: string[] = [];
  for (const task of [...new Set(ev.methods.map((m) => m.task))]) {
    const methods = ev.methods.filter((m) => m.task === task);
    const comps = ev.comparisons.filter((c) => c.task === task);
    const pOf = (m: string): string =>
      comps
        .filter((c) => c.method === m)
        .map((c) => `${fmtInterval(c.probability, pct)} vs ${labelOf(c.baseline)}`)
        .join("; ") || "–";
    out.push(
      `**${task}**`,
      "",
      "| method | runs | steps counted | IQM [95% CI] | mean | P(better than baseline) [95% CI] | paper |",
      "|---|---|---|---|---|---|---|",
      ...methods.map(
        (m) =>
          `| ${m.label} | ${m.runs} | ${m.accounting} | ${fmtInterval(m.iqm)} | ${fmtScore(m.mean)} | ${pOf(m.method)} | ${paper(task, m.method) || "–"} |`,
      ),
      "",
      ...comps.map((c) => `- ${c.sentence} Welch's t-test p = ${c.welchP.toFixed(3)}.`),
      "",
    );
  }
  return out.join("\n");
}
