/** Messages between `peerlearn experiment` and its worker threads. */
import type { GroupRunConfig } from "../peers/config.js";
import type { GroupSummary } from "../peers/train-group.js";

export type ToWorker =
  { type: "run"; id: number; config: GroupRunConfig; out: string; preset: string } | { type: "stop" };

export type FromWorker =
  | { type: "progress"; id: number; steps: number; total: number }
  | { type: "done"; id: number; summary: GroupSummary }
  | { type: "failed"; id: number; message: string; name: string; stack: string; code?: string; path?: string };
