/**
 * Whether the bench's figures held still: each figure of the engine is the median of several timed repetitions
 * (nn-bench.ts), kept with its range; a range wider than UNSTEADY of its median, or an FMA peak that moved between
 * the start and the end of the run, is flagged in the output and in `--json`.
 */
import type { Measured } from "./nn-bench.js";

/** A range wider than this share of the median flags its figure. */
export const UNSTEADY = 0.1;
/** An FMA peak that moved by more than this share between the start and the end flags the run. */
export const PEAK_MOVED = 0.05;

/** A figure's range: [lowest, highest] of its repetitions, in the figure's unit. */
export interface Spread {
  readonly low: number;
  readonly high: number;
}

export const spreadOf = (m: Measured): Spread => ({ low: m.low, high: m.high });

/** The figures whose range is wider than UNSTEADY of their median, as "name (low-high around median)". */
export function unsteadyFigures(
  values: Readonly<Record<string, number>>,
  spreads: Readonly<Record<string, Spread>>,
): string[] {
  return Object.entries(spreads)
    .filter(([name, s]) => (s.high - s.low) / Math.abs(values[name] ?? Number.NaN) > UNSTEADY)
    .map(
      ([name, s]) =>
        `${name} (${s.low.toPrecision(3)}-${s.high.toPrecision(3)} around ${values[name]?.toPrecision(3)})`,
    );
}

/** What moved in a run: the unsteady figures and a moved peak, in words; null when everything held still. */
export function steadinessWarning(
  unsteady: readonly string[],
  peakStart: number | null,
  peakEnd: number | null,
): string | null {
  const words: string[] = [];
  if (unsteady.length)
    words.push(
      `${unsteady.length} figure(s) varied by more than ${100 * UNSTEADY}% between repetitions: ${unsteady.join("; ")}`,
    );
  if (peakStart && peakEnd && Math.abs(peakEnd / peakStart - 1) > PEAK_MOVED)
    words.push(`the FMA peak moved from ${peakStart.toFixed(1)} to ${peakEnd.toFixed(1)} GFLOP/s during the run`);
  return words.length
    ? `${words.join("; ")}: the machine's speed changed (other work, frequency); rerun on an idle machine`
    : null;
}

/** A backend's engine figures by the names its spreads use. */
export function engineFigures(r: {
  readonly gemmShapes: Readonly<Record<string, number>>;
  readonly dqnUpdateMs: number;
  readonly sacUpdateMs: number;
  readonly sac150x200UpdateMs: number;
  readonly productMs: Readonly<Record<string, number>> | null;
}): Record<string, number> {
  return {
    ...Object.fromEntries(Object.entries(r.gemmShapes).map(([label, g]) => [`gemm ${label}`, g])),
    dqnUpdate: r.dqnUpdateMs,
    sacUpdate: r.sacUpdateMs,
    sac150x200Update: r.sac150x200UpdateMs,
    ...Object.fromEntries(Object.entries(r.productMs ?? {}).map(([update, ms]) => [`products ${update}`, ms])),
  };
}
