/**
 * What crosses NATS in a sweep, as zod schemas with bounds: a run job (work queue), a run's progress (key-value
 * bucket), a sweep's plan (key-value bucket, for dashboards), the record of a run's results (inside its results
 * bundle) and a failure's text. Whatever comes from the server is parsed here before anything acts on it: run
 * folders come only from ids of a fixed character set, and a job's config passes the same validation as `train`.
 */
import { z } from "zod";
import { UserError, printable } from "../../core/errors.js";
import { PathEscape, confined } from "../../core/paths.js";
import { type GroupRunConfig } from "../../peers/config.js";
import { validateGroupRunConfig } from "../../peers/validate-config.js";

/** A sweep's id: 16 hex digits (sweep-store.ts sweepId). */
export const SweepIdSchema = z.string().regex(/^[0-9a-f]{16}$/, "16 hex digits");

/** A run's folder inside its experiment: 1 to 8 segments of letters, digits, `.`, `_` and `-`, none `.` or `..`. */
export const RunDirSchema = z
  .string()
  .max(256)
  .regex(/^[A-Za-z0-9_.-]{1,64}(\/[A-Za-z0-9_.-]{1,64}){0,7}$/, "segments of letters, digits, '.', '_' or '-'")
  .refine((d) => d.split("/").every((s) => s !== "." && s !== ".."), "no '.' or '..' segment");

/** The largest job a worker reads (a config is a few kB). */
export const MAX_JOB_BYTES = 256 << 10;

export const RunJobSchema = z.strictObject({
  sweep: SweepIdSchema,
  dir: RunDirSchema,
  preset: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_./-]*$/),
  config: z.unknown(),
});

/** One run of a sweep, as a job. */
export interface RunJob {
  readonly sweep: string;
  /** The run's folder inside the experiment folder, e.g. Room-v21/adversarial/seed-0: its id within the sweep. */
  readonly dir: string;
  readonly preset: string;
  readonly config: GroupRunConfig;
}

/** A message that is not a job this version can run: why, for the dead-letter record and the log. */
export class BadJob extends Error {
  override readonly name = "BadJob";
}

/** The first issue of a failed parse, as `field: message`. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue.path.length > 0 ? issue.path.join(".") : "the message"}: ${issue.message}`;
}

/** Parses a job from the work queue; BadJob says what is wrong with it. */
export function parseJob(data: Uint8Array): RunJob {
  if (data.length > MAX_JOB_BYTES) throw new BadJob(`a job of ${data.length} bytes is larger than ${MAX_JOB_BYTES}`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data));
  } catch (e) {
    throw new BadJob(`not a JSON job (${printable((e as Error).message, 120)})`);
  }
  const r = RunJobSchema.safeParse(value);
  if (!r.success) throw new BadJob(firstIssue(r.error));
  let config: GroupRunConfig;
  try {
    config = validateGroupRunConfig(r.data.config);
  } catch (e) {
    if (e instanceof UserError) throw new BadJob(`its config: ${e.message}`);
    throw e;
  }
  // A frozen peer's weights are read on the worker: only from under the folder the worker runs in.
  for (const p of config.peers)
    if (p.kind === "frozen")
      try {
        confined(process.cwd(), p.checkpoint);
      } catch (e) {
        if (e instanceof PathEscape) throw new BadJob(`a frozen peer's checkpoint: ${e.message}`);
        throw e;
      }
  return { ...r.data, config };
}

/** A running run's progress, in the key-value bucket. */
export const ProgressSchema = z
  .strictObject({ steps: z.number().int().min(0).max(1e13), total: z.number().int().min(1).max(1e13) })
  .refine((p) => p.steps <= p.total, "steps past the total");

/** A sweep's plan and progress, in the key-value bucket (what `dashboard --nats` shows). */
export const SweepPlanSchema = z.looseObject({
  experiment: z.string().max(100),
  runsDone: z.number().int().min(0).max(1e6),
  runs: z.number().int().min(0).max(1e6),
  fractionOfSteps: z.number().min(0).max(1),
  runDirs: z.array(RunDirSchema).max(100_000),
  updatedAt: z.string().max(64),
  /** The sweep's folder name and settings, hashed: what `--reuse-remote` looks for. */
  base: z.string().max(64).optional(),
  sweep: SweepIdSchema.optional(),
});

/**
 * What a worker writes beside a run's results (run.json in the bundle): the run it belongs to. The sweep takes
 * results only when this names its own sweep, run folder and config.
 */
export const ResultsRecordSchema = z.strictObject({
  sweep: SweepIdSchema,
  dir: RunDirSchema,
  configHash: z.string().regex(/^[0-9a-f]{64}$/),
  delivery: z.number().int().min(1).max(1e9),
});
export type ResultsRecord = z.infer<typeof ResultsRecordSchema>;

/** A failure's text from the object store, safe to print (at most 4 kB read, control characters replaced). */
export function failureText(data: Uint8Array): string {
  return printable(new TextDecoder().decode(data.subarray(0, 4096)));
}
