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

/** Levenshtein distance, for "did you mean" (short strings only: names of presets, envs, options, fields). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** The allowed names closest to a mistyped one (case ignored; at most `max`, nearest first), for "did you mean". */
export function closest(input: string, allowed: readonly string[], max = 3): string[] {
  const lower = input.toLowerCase();
  const limit = Math.max(2, Math.floor(input.length / 3));
  return allowed
    .map((name) => {
      const n = name.toLowerCase();
      const d = n === lower ? 0 : n.startsWith(lower) || lower.startsWith(n) ? 1 : editDistance(lower, n);
      return { name, d };
    })
    .filter((x, _, all) => x.d <= limit && (x.d === 0 || !all.some((y) => y.d === 0)))
    .sort((a, b) => a.d - b.d)
    .slice(0, max)
    .map((x) => x.name);
}

/** ` (did you mean "a" or "b"?)`, or nothing when no allowed name is close (an exact match but for case: only it). */
export function didYouMean(
  input: string,
  allowed: readonly string[],
  quote: (name: string) => string = (n) => JSON.stringify(n),
): string {
  const near = closest(input, allowed);
  if (near.length === 0) return "";
  return ` (did you mean ${near.map((n) => quote(n)).join(" or ")}?)`;
}

/** `1 run`, `2 runs`: a count with its noun (plural by an s, or as given). */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** A step count in a few characters that never rounds to zero: 20k, 1.5M, 700M. */
export function shortSteps(n: number): string {
  if (n < 1000) return `${n}`;
  if (n < 1e6) return `${+(n / 1e3).toPrecision(3)}k`;
  return `${+(n / 1e6).toPrecision(3)}M`;
}
