/**
 * The lines of a run's metrics.jsonl, declared once for the code that writes them (AgentRun, GroupRun) and the
 * code that reads them (reports, curves, the dashboard), which need only the fields marked required (files of
 * older versions and hand-made ones stay readable): a group's `eval` line per evaluation of a peer and
 * `epoch` line per peer epoch, a single agent's evaluation line (no type). Evaluation lines carry more fields:
 * what value terms and agents log under their own names (trust, agentValues, explorationRate, ...).
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { UserError, printable } from "../core/errors.js";

const count = z.number().int().min(0);
const numbers = z.array(z.number()).max(1_000_000);

export const GroupEvalLineSchema = z
  .object({
    type: z.literal("eval"),
    peer: count,
    step: count,
    evalMean: z.number(),
    epoch: count.optional(),
    evalStd: z.number().optional(),
    evalReturns: numbers.optional(),
    followCounts: numbers.optional(),
  })
  .loose();

export const EpochLineSchema = z.object({
  type: z.literal("epoch"),
  peer: count,
  epoch: count,
  solo: z.boolean().optional(),
  followCounts: numbers,
});

export const AgentEvalLineSchema = z
  .object({
    step: count,
    evalMean: z.number(),
    evalStd: z.number().optional(),
    evalReturns: numbers.optional(),
    episodes: count.optional(),
  })
  .loose();

export const MetricsLineSchema = z.union([GroupEvalLineSchema, EpochLineSchema, AgentEvalLineSchema]);

export type GroupEvalLine = z.infer<typeof GroupEvalLineSchema>;
export type EpochLine = z.infer<typeof EpochLineSchema>;
export type AgentEvalLine = z.infer<typeof AgentEvalLineSchema>;
export type MetricsLine = z.infer<typeof MetricsLineSchema>;

/** A line that is not JSON or not of any declared shape, named by file and line. */
export class DamagedMetrics extends UserError {}

/** One line, checked; `where` names it in the error ("runs/x/metrics.jsonl: line 3"). */
export function parseMetricsLine(text: string, where: string): MetricsLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DamagedMetrics(`${where} is not JSON`);
  }
  const r = MetricsLineSchema.safeParse(value);
  if (!r.success)
    throw new DamagedMetrics(`${where} is not a metrics line (${printable(r.error.issues[0].message, 120)})`);
  return r.data;
}

/**
 * The lines of metrics text: a damaged one throws (reports: a run is whole or left out) or, with `skipDamaged`,
 * is left out (the dashboard, which reads files while they are written).
 */
export function parseMetrics(text: string, source: string, skipDamaged = false): MetricsLine[] {
  const out: MetricsLine[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]) continue;
    try {
      out.push(parseMetricsLine(lines[i], `${source}: line ${i + 1}`));
    } catch (e) {
      if (!(skipDamaged && e instanceof DamagedMetrics)) throw e;
    }
  }
  return out;
}

/** A run folder's metrics file, every line checked. */
export function readMetrics(path: string): MetricsLine[] {
  return parseMetrics(readFileSync(path, "utf8"), path);
}

export const isGroupEval = (l: MetricsLine): l is GroupEvalLine => "type" in l && l.type === "eval";
export const isEpoch = (l: MetricsLine): l is EpochLine => "type" in l && l.type === "epoch";
