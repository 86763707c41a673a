/**
 * Statistics for few-seed RL results, as Agarwal et al. ("Deep RL at the Edge of the Statistical Precipice",
 * NeurIPS 2021; the rliable library) recommend: point estimates (mean, median, interquartile mean), 95%
 * confidence intervals from a stratified bootstrap (runs resampled with replacement within each task), the
 * probability of improvement P(X > Y) in its Mann-Whitney form, performance profiles, and Welch's t-test as a
 * secondary figure. Scores are given per task: `scores[t]` holds the runs of task t. Every bootstrap draws from a
 * seeded generator, so the same data and seed give the same intervals.
 */
import { Random } from "../core/random.js";

/** Runs of one method: per task, one score per run (tasks in the same order for every method). */
export type TaskScores = readonly (readonly number[])[];

export interface Interval {
  readonly point: number;
  readonly low: number;
  readonly high: number;
}

export interface BootstrapOptions {
  /** Bootstrap resamples (default 2,000). */
  readonly reps?: number;
  /** Seed of the resampling (default 0). */
  readonly seed?: number;
  /** Confidence level (default 0.95). */
  readonly confidence?: number;
}

const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

export function median(xs: readonly number[]): number {
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Interquartile mean: the mean of the middle half, dropping floor(n / 4) scores at each end (scipy's
 * trim_mean(x, 0.25), which rliable uses).
 */
export function iqm(xs: readonly number[]): number {
  const s = sorted(xs);
  const cut = Math.floor(s.length * 0.25);
  return mean(s.slice(cut, s.length - cut));
}

/** Unbiased sample variance. */
function variance(xs: readonly number[]): number {
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return s / (xs.length - 1);
}

/** An aggregate over all runs of all tasks (rliable's: the statistic of the flattened score matrix). */
export type Aggregate = (all: readonly number[]) => number;
export const AGGREGATES: Readonly<Record<"mean" | "median" | "iqm", Aggregate>> = { mean, median, iqm };

/** The q-quantile of sorted values, linear between order statistics (numpy's default). */
function quantile(s: readonly number[], q: number): number {
  const at = q * (s.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (s[hi] - s[lo]) * (at - lo);
}

/** One stratified resample: each task's runs drawn with replacement from that task's runs. */
function resample(scores: TaskScores, random: Random): number[][] {
  return scores.map((runs) => runs.map(() => runs[random.integer(0, runs.length)]));
}

/** A percentile interval of `statistic` over `reps` draws of `draw`, around the point estimate `point`. */
function percentileInterval(point: number, reps: number, confidence: number, draw: () => number): Interval {
  const values = Array.from({ length: reps }, draw).sort((a, b) => a - b);
  const tail = (1 - confidence) / 2;
  return { point, low: quantile(values, tail), high: quantile(values, 1 - tail) };
}

/** `aggregate` over all runs and tasks, with its stratified bootstrap percentile interval. */
export function aggregateInterval(scores: TaskScores, aggregate: Aggregate, o: BootstrapOptions = {}): Interval {
  checkScores(scores);
  const random = new Random(o.seed ?? 0);
  return percentileInterval(aggregate(scores.flat()), o.reps ?? 2000, o.confidence ?? 0.95, () =>
    aggregate(resample(scores, random).flat()),
  );
}

/** P(x > y) over all pairs of one task's runs, ties counting half (the Mann-Whitney U statistic over n m). */
export function pairwiseWins(x: readonly number[], y: readonly number[]): number {
  let wins = 0;
  for (const a of x) for (const b of y) wins += a > b ? 1 : a === b ? 0.5 : 0;
  return wins / (x.length * y.length);
}

/**
 * Probability of improvement of X over Y: P(X > Y) per task, averaged over tasks, with a bootstrap interval that
 * resamples X's and Y's runs independently within each task (rliable's StratifiedIndependentBootstrap).
 */
export function probabilityOfImprovement(x: TaskScores, y: TaskScores, o: BootstrapOptions = {}): Interval {
  checkScores(x);
  checkScores(y);
  if (x.length !== y.length) throw new RangeError(`X has ${x.length} tasks, Y ${y.length}`);
  const of = (a: TaskScores, b: TaskScores): number => mean(a.map((runs, t) => pairwiseWins(runs, b[t])));
  const random = new Random(o.seed ?? 0);
  return percentileInterval(of(x, y), o.reps ?? 2000, o.confidence ?? 0.95, () =>
    of(resample(x, random), resample(y, random)),
  );
}

/** The fraction of runs (all tasks) whose score is above each threshold: a performance profile. */
export function performanceProfile(scores: TaskScores, thresholds: readonly number[]): number[] {
  const all = scores.flat();
  return thresholds.map((tau) => all.filter((s) => s > tau).length / all.length);
}

/** Welch's two-sided t-test of equal means without equal variances: t, its degrees of freedom and p. */
export function welchTTest(x: readonly number[], y: readonly number[]): { t: number; df: number; p: number } {
  if (x.length < 2 || y.length < 2) return { t: NaN, df: NaN, p: NaN };
  const vx = variance(x) / x.length;
  const vy = variance(y) / y.length;
  const t = (mean(x) - mean(y)) / Math.sqrt(vx + vy);
  const df = (vx + vy) ** 2 / (vx ** 2 / (x.length - 1) + vy ** 2 / (y.length - 1));
  if (!Number.isFinite(t)) return { t, df, p: vx + vy === 0 && mean(x) === mean(y) ? 1 : 0 };
  // Two-sided p from Student's t: I_{df / (df + t^2)}(df / 2, 1 / 2).
  return { t, df, p: regularizedBeta(df / (df + t * t), df / 2, 0.5) };
}

/** Scores normalised by a reference: (s - low) / (high - low), e.g. random = 0 and a reference method = 1. */
export function normalise(scores: TaskScores, low: readonly number[], high: readonly number[]): number[][] {
  return scores.map((runs, t) => runs.map((s) => (s - low[t]) / (high[t] - low[t])));
}

function checkScores(scores: TaskScores): void {
  if (scores.length === 0 || scores.some((runs) => runs.length === 0))
    throw new RangeError("every task needs at least one run");
  if (scores.some((runs) => runs.some((s) => !Number.isFinite(s)))) throw new RangeError("scores must be finite");
}

/** ln Gamma (Lanczos, g = 7, 9 terms: about 15 digits). */
function logGamma(z: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const x = z - 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The regularised incomplete beta function I_x(a, b), by its continued fraction (Lentz's method). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
  if (x > (a + 1) / (a + b + 2)) return 1 - regularizedBeta(1 - x, b, a);
  const tiny = 1e-300;
  let f = 1;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  f = d;
  for (let m = 1; m <= 300; m++) {
    for (const step of [0, 1]) {
      const num =
        step === 0
          ? (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m))
          : -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
      d = 1 + num * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      f *= c * d;
    }
    if (Math.abs(c * d - 1) < 1e-15) break;
  }
  return (front * f) / a;
}
