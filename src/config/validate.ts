/**
 * Turns zod's validation issues into one user-facing message that names the field, the value given and what is
 * allowed, e.g. `dqn.batchSize: got -3, expected an integer > 0`.
 */
import { z } from "zod";
import { UserError } from "../core/errors.js";

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path)
    v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

/** A word on an unknown field, at `path`: where it belongs, or the names it is close to. */
export type FieldHint = (key: string, path: readonly PropertyKey[]) => string;

function describe(issue: z.core.$ZodIssue, input: unknown, hint?: FieldHint): string {
  const where = issue.path.length ? issue.path.map(String).join(".") : "config";
  if (issue.code === "unrecognized_keys") {
    const known = (issue as { known?: string[] }).known;
    const shown = issue.keys.slice(0, 5).map((k) => JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}...` : k));
    const more = issue.keys.length > 5 ? ` and ${issue.keys.length - 5} more` : "";
    const said = hint && issue.keys.length === 1 ? hint(issue.keys[0], issue.path) : "";
    return `${where}: unknown field${issue.keys.length > 1 ? "s" : ""} ${shown.join(", ")}${more}${known ? ` (allowed: ${known.join(", ")})` : ""}${said}`;
  }
  const got = valueAt(input, issue.path);
  const shown = got === undefined ? "nothing" : JSON.stringify(got);
  return `${where}: got ${shown}, ${issue.message.replace(/^Invalid input: /, "").replace(/^Too (small|big): /, "")}`;
}

/** Parses `input` with `schema`, or throws a UserError listing every problem (first ones first). */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
  hint?: FieldHint,
): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const lines = r.error.issues.slice(0, 5).map((i) => describe(i, input, hint));
  const more = r.error.issues.length > 5 ? `; and ${r.error.issues.length - 5} more` : "";
  throw new UserError(`invalid ${what}: ${lines.join("; ")}${more}`);
}

/** The first of `error`'s problems with `input`, in the same words (for a message of its own). */
export function firstProblem(error: z.ZodError, input: unknown): string {
  const issue = error.issues[0];
  return issue ? describe(issue, input) : "no problem named";
}

/**
 * A discriminated union of objects built at run time from a table (one per algorithm), typed as T: zod infers no
 * type for a list it did not see written out, so the caller states it (and the table's tests check the two agree).
 */
export function tableUnion<T>(discriminator: string, options: readonly z.ZodObject[]): z.ZodType<T> {
  const [first, ...rest] = options;
  if (!first) throw new Error("a table union needs at least one option");
  return z.discriminatedUnion(discriminator, [first, ...rest]) as unknown as z.ZodType<T>;
}

/** An object shape built at run time from a table (a section per algorithm), typed as T (as tableUnion). */
export function tableShape<T extends z.ZodRawShape>(entries: readonly (readonly [string, z.ZodType])[]): T {
  const shape: z.ZodRawShape = Object.fromEntries(entries);
  return shape as T;
}
