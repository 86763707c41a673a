/** Reading a group run's metrics back: learning curves and summaries for reports. */
import { isGroupEval, readMetrics } from "../runs/metrics-line.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../core/errors.js";
import { parseOrThrow } from "../config/validate.js";
import { GroupSummarySchema, type GroupSummary } from "../peers/group-summary.js";

export interface Curve {
  readonly steps: number[];
  /** Mean over the run's learning peers of their evaluation mean at each step. */
  readonly mean: number[];
}

/** The learners' mean evaluation curve of the run in `dir`. */
export function learnerCurve(dir: string, learners: readonly number[]): Curve {
  const byStep = new Map<number, number[]>();
  for (const e of readMetrics(join(dir, "metrics.jsonl")).filter(isGroupEval)) {
    if (!learners.includes(e.peer)) continue;
    const list = byStep.get(e.step) ?? [];
    list.push(e.evalMean);
    byStep.set(e.step, list);
  }
  const steps = [...byStep.keys()].sort((a, b) => a - b);
  return {
    steps,
    mean: steps.map((s) => (byStep.get(s) as number[]).reduce((a, b) => a + b, 0) / (byStep.get(s) as number[]).length),
  };
}

/** A group run's summary.json, checked whole against its schema (peers/group-summary.ts). */
export function readSummary(dir: string): GroupSummary {
  const path = join(dir, "summary.json");
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new UserError(`${path} cannot be read as JSON (${(e as Error).message.split("\n")[0]})`);
  }
  return parseSummary(value, path);
}

/** A summary's fields, checked (UserError naming `what` when they are not those of a summary). */
export function parseSummary(value: unknown, what: string): GroupSummary {
  return parseOrThrow(GroupSummarySchema, value, what);
}

export function learnerIndices(s: GroupSummary): number[] {
  return s.peers.filter((p) => p.kind === "dqn" || p.kind === "sac" || p.kind === "td3").map((p) => p.index);
}
