/**
 * Command-line arguments, the same way for every command: options parsed strictly (an unknown one is named), a
 * negative number accepted as an option's value (`--seed -1` reaches the check that says what is allowed, instead
 * of "argument is ambiguous"), and numbers checked by one rule: decimal digits only (no hex, no "1e3" where an
 * integer is asked, no trailing junk), within the option's range.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UserError, didYouMean } from "../core/errors.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** `--name -3` as `--name=-3` for options that take a value, so that a negative number is a value, not an option. */
function joinNegativeValues(args: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const name = a.startsWith("--") ? a.slice(2) : null;
    const next = args[i + 1];
    if (name && options[name]?.type === "string" && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${a}=${next}`);
      i += 1;
    } else {
      out.push(a);
    }
  }
  return out;
}

/** parseArgs, strict, with negative numbers taken as values. */
export function parseCommand<O extends Options>(
  args: readonly string[],
  options: O,
  allowPositionals = false,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean; strict: true }>> {
  try {
    return parseArgs({ args: joinNegativeValues(args, options), options, allowPositionals, strict: true });
  } catch (e) {
    const unknown = /^Unknown option '(--?[^']+)'/.exec((e as Error).message);
    if ((e as { code?: string }).code !== "ERR_PARSE_ARGS_UNKNOWN_OPTION" || !unknown) throw e;
    const names = Object.keys(options).map((n) => `--${n}`);
    throw new UserError(
      `unknown option ${unknown[1]}${didYouMean(unknown[1], names, (n) => n)}: this command takes ${names.join(", ")} (--help says what each does)`,
    );
  }
}

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** An integer option: decimal digits, in [min, max]. */
export function integerOption(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (!INTEGER.test(value) || !Number.isSafeInteger(x) || x < min || x > max) {
    throw new UserError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return x;
}

/** A number option (decimal, optionally with an exponent), > 0 and at most max. */
export function positiveOption(
  name: string,
  value: string | undefined,
  fallback: number,
  max = Number.MAX_VALUE,
): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (!DECIMAL.test(value) || !(x > 0) || x > max) {
    throw new UserError(
      `--${name} must be a number > 0${max < Number.MAX_VALUE ? ` and at most ${max}` : ""}, got ${JSON.stringify(value)}`,
    );
  }
  return x;
}
