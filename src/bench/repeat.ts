/**
 * Figures of whole loops (env steps per second of a training run, of an env with random actions): each loop is run
 * several times and its figure is the median, kept with the range, as the engine's figures are (nn-bench.ts).
 */
import type { Measured } from "./nn-bench.js";

/** Runs per loop figure in a measuring bench (a smoke run does one). */
export const LOOP_REPETITIONS = 3;

/** Median and range of each named rate over `times` runs of `run`. */
export function repeatedRates<K extends string>(times: number, run: () => Record<K, number>): Record<K, Measured> {
  const samples = new Map<K, number[]>();
  for (let r = 0; r < times; r++)
    for (const [name, value] of Object.entries(run()) as [K, number][])
      samples.set(name, [...(samples.get(name) ?? []), value]);
  const out = {} as Record<K, Measured>;
  for (const [name, values] of samples) {
    values.sort((a, b) => a - b);
    out[name] = { value: values[Math.floor((values.length - 1) / 2)], low: values[0], high: values[values.length - 1] };
  }
  return out;
}
