/**
 * What the dashboard reads of a run or experiment folder, as zod schemas with bounds: a file that does not match
 * is shown as missing (a run still running, or a damaged file), never passed to the page as it was.
 */
import { z } from "zod";
import { TrainSummarySchema } from "../agents/train.js";
import { GroupSummarySchema } from "../peers/group-summary.js";

/** A run's config.json, the two fields shown while the run has no summary. */
export const ConfigViewSchema = z.looseObject({
  env: z.string().max(256).optional(),
  peers: z
    .array(z.looseObject({ kind: z.string().max(64).optional() }))
    .max(1024)
    .optional(),
});

/** A finished run's summary.json: a peer group's or a single agent's. */
export const SummaryViewSchema = z.union([GroupSummarySchema, TrainSummarySchema]);

/** An experiment folder's experiment.json as the dashboard needs it (the NATS mirror writes only these fields). */
export const SweepFolderSchema = z.looseObject({
  experiment: z.string().max(512),
  runs: z.array(z.looseObject({ dir: z.string().max(4096) })).max(1_000_000),
});

/** Its progress.json: the figures the page shows. */
export const SweepProgressViewSchema = z.looseObject({
  stepsPerSecond: z.number().nonnegative().optional(),
  etaSeconds: z.number().nonnegative().nullable().optional(),
  finished: z.boolean().optional(),
});
