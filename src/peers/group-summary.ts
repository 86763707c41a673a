/** What a peer group run's summary.json says: the run's fields, the group's variant and each peer's results. */
import { z } from "zod";
import { EvalResultSchema, RunSummaryBaseSchema } from "../runs/run-summary.js";

/** At most this many peers in a summary read back (a group of more is not a peer group anyone runs). */
const MAX_PEERS = 1024;

export const PeerSummarySchema = z.object({
  index: z.number().int().nonnegative(),
  kind: z.string().max(64),
  lastEval: EvalResultSchema.nullable(),
  averageRewardOverTime: z.number().nullable(),
  /** Share of this peer's follow decisions that went to each peer (null for peers that do not act). */
  followShare: z.array(z.number().min(0).max(1)).max(MAX_PEERS).nullable(),
});
export type PeerSummary = z.infer<typeof PeerSummarySchema>;

export const GroupSummarySchema = RunSummaryBaseSchema.extend({
  preset: z.string().max(256).nullable(),
  variant: z.string().max(64),
  peers: z.array(PeerSummarySchema).min(1).max(MAX_PEERS),
});
export type GroupSummary = z.infer<typeof GroupSummarySchema>;
