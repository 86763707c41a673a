/**
 * Runs a peer group (group.ts) on its schedule (schedule.ts), evaluates every acting peer every evalFreq of its own
 * steps on evalEpisodes greedy episodes, and writes the run folder: config.json, metrics.jsonl (one line per
 * evaluation, with follow counts, trust and agent values; one line per peer epoch with that epoch's follow counts),
 * final/peer-<i>/model.safetensors and summary.json.
 */
import type { GroupRunConfig } from "./config.js";
import { GroupRun, type GroupTrainOptions } from "./group-run.js";
import { precisionOf, usePrecision } from "../nn/kernels/precision.js";
import type { GroupSummary, PeerSummary } from "./group-summary.js";

export type { GroupSummary, GroupTrainOptions, PeerSummary };

export function trainGroup(config: GroupRunConfig, options: GroupTrainOptions): GroupSummary {
  const before = precisionOf(options.kernels);
  try {
    return new GroupRun(config, options).finish();
  } finally {
    usePrecision(options.kernels, before);
  }
}
