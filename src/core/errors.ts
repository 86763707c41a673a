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

/** The longest line an error prints: a message naming thousands of keys stays readable. */
export const MAX_MESSAGE = 400;

/** The first line of `text`, cut to `max` characters with a note of how many were left out. */
export function capLine(text: string, max = MAX_MESSAGE): string {
  const line = text.split("\n")[0].replace(/\s+$/, "");
  return line.length <= max ? line : `${line.slice(0, max - 25)}... (${line.length - max + 25} more characters)`;
}

/**
 * Text from outside (a message from the network, a file) made safe to print: control characters, terminal escapes
 * among them, become `?`, and it is cut to one line of at most `max` characters.
 */
export function printable(text: string, max = MAX_MESSAGE): string {
  // eslint-disable-next-line no-control-regex
  return capLine(text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "?").replace(/\n/g, " "), max);
}
