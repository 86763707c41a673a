/** Reading a group run's metrics back: learning curves and summaries for reports. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { GroupSummary } from "../peers/train-group.js";

export interface Curve {
  readonly steps: number[];
  /** Mean over the run's learning peers of their evaluation mean at each step. */
  readonly mean: number[];
}

interface EvalLine {
  type: "eval";
  peer: number;
  step: number;
  evalMean: number;
}

/** The learners' mean evaluation curve of the run in `dir`. */
export function learnerCurve(dir: string, learners: readonly number[]): Curve {
  const byStep = new Map<number, number[]>();
  for (const line of readFileSync(join(dir, "metrics.jsonl"), "utf8").split("\n")) {
    if (!line) continue;
    const r = JSON.parse(line) as EvalLine | { type: string };
    if (r.type !== "eval") continue;
    const e = r as EvalLine;
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

export function readSummary(dir: string): GroupSummary {
  return JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as GroupSummary;
}

export function learnerIndices(s: GroupSummary): number[] {
  return s.peers.filter((p) => p.kind === "dqn" || p.kind === "sac").map((p) => p.index);
}
