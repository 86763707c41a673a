/**
 * The shapes of the peer protocol's messages (peer-protocol.ts carries them): one zod schema for each request's
 * fields, checked by the serving peer before it acts, and for each reply's, checked by the coordinator before it
 * believes one. Every number has bounds, every list a length; the arrays' lengths are checked against the group's
 * dimensions where they are read (f32 and f64 with a length).
 */
import { z } from "zod";
import { PEER_KINDS } from "../../peers/peer.js";
import { ProtocolError, type Message } from "./peer-protocol.js";

/** At most this many states in one critic or value query (a replay batch is 256; Early Advising asks one). */
export const MAX_BATCH = 1 << 14;
/** At most this many value queries in one request. */
const MAX_QUERIES = 256;
const count = z.number().int().min(0).max(1e13);
const finite = z.number().finite();

/** Who coordinates: a random id peer 0 makes at its start; save, load and finish must carry it. */
export const SessionSchema = z.string().regex(/^[0-9a-f]{32}$/, "a 32-digit hex session id");
/** A checkpoint's name as both sides give it: step-<env steps>. It becomes a folder name, so nothing else passes. */
export const CheckpointNameSchema = z.string().regex(/^step-\d{1,13}$/, "step-<digits>");

const QueryHeadSchema = z.object({
  k: z.number().int().min(1).max(MAX_BATCH),
  two: z.boolean(),
  newRows: z.array(z.number().int().min(0).max(MAX_BATCH)).max(MAX_BATCH),
});
const AskSchema = z.object({ explore: z.boolean() }).nullable();
const EvalSchema = z.object({ mean: finite, std: finite });
const NumbersSchema = z.array(finite).max(1 << 16);

/** What a loop's checkpoint says of it (the agent's own part is checked by the agent's loader). */
export const LoopStateSchema = z.looseObject({
  steps: count,
  obs: NumbersSchema,
  episodes: count,
  episodeReturn: finite,
  evalMeans: NumbersSchema,
  lastEval: EvalSchema.nullable(),
  env: z.unknown(),
  evalEnv: z.unknown(),
  agent: z.unknown(),
});

/** The fields of each request a peer serves, by operation. */
export const RequestSchemas = {
  join: z.looseObject({ configHash: z.string().max(128), session: SessionSchema }),
  suggest: z.looseObject({ explore: z.boolean() }),
  critic: z.looseObject({ n: z.number().int().min(1).max(MAX_BATCH) }),
  values: z.looseObject({ queries: z.array(QueryHeadSchema).max(MAX_QUERIES) }),
  act: z.looseObject({ t: count }),
  beforeStep: z.looseObject({ t: count }),
  step: z.looseObject({
    progressTotal: count,
    before: z.array(QueryHeadSchema).max(MAX_QUERIES),
    queries: z.array(QueryHeadSchema).max(MAX_QUERIES),
    own: AskSchema,
    prefetch: AskSchema,
  }),
  train: z.looseObject({ prefetch: AskSchema }),
  save: z.looseObject({ name: CheckpointNameSchema, session: SessionSchema }),
  load: z.looseObject({ name: CheckpointNameSchema, state: LoopStateSchema, session: SessionSchema }),
  finish: z.looseObject({ session: SessionSchema }),
  probe: z.looseObject({ instance: z.string().max(64), startedAt: count }),
} as const;

/** What a peer process reports about itself when the coordinator says hello (presence.ts: PeerInfo). */
export const PeerInfoSchema = z.looseObject({
  index: z.number().int().min(1).max(1024),
  kind: z.enum(PEER_KINDS),
  learns: z.boolean(),
  actionWidth: z.number().int().min(1).max(4096),
  discrete: z.boolean(),
  obsDim: z
    .number()
    .int()
    .min(1)
    .max(1 << 16),
  gamma: z.number().min(0).max(1),
  learningStarts: count,
  trainFreq: z.number().int().min(1).max(1e9),
  beforeStep: z.boolean(),
  view: z.object({ obs: NumbersSchema, steps: count, evalMeans: NumbersSchema, lastEval: EvalSchema.nullable() }),
  resumed: z.boolean(),
});

/** The fields of an env step's reply. */
export const StepReplySchema = z.looseObject({
  reward: finite,
  terminated: z.boolean(),
  truncated: z.boolean(),
  steps: count,
  eval: EvalSchema.nullable(),
  returns: NumbersSchema,
  reset: z.boolean(),
});

export const SaveReplySchema = z.looseObject({ state: LoopStateSchema });

/** A message's fields in the shape `schema` says, or ProtocolError naming the first field that is not. */
export function fields<T extends z.ZodType>(schema: T, m: Message, what: string): z.infer<T> {
  const r = schema.safeParse(m.meta);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const at = issue.path.length > 0 ? issue.path.join(".") : "its fields";
  throw new ProtocolError(`${what}: ${at}: ${issue.message}`);
}
