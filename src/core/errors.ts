/**
 * A mistake in what the user asked for (a config field, an env id, a file): the CLI prints only the message and
 * exits with code 2, without a stack trace.
 */
export class UserError extends Error {
  override readonly name = "UserError";
}

/** One line listing what is allowed, for error messages: `one of "a", "b", "c"`. */
export function oneOf(allowed: readonly string[]): string {
  return `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`;
}
