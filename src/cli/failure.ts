/**
 * The command line's one error path. A failure the user caused (a bad option or config field, an unknown env, a
 * damaged run folder, a config too large for memory, a run that diverged) prints one line naming the input, what
 * is wrong and what is allowed, and exits with code 2. Anything else is a bug in peerlearn: it says so, where to
 * report it, and shows the stack only under --debug (exit code 1). Every line is capped in length.
 */
import { UserError } from "../core/errors.js";
import { DivergenceError } from "../agents/agent.js";

/** The longest line an error prints: a message naming thousands of keys stays readable. */
export const MAX_MESSAGE = 400;

/** parseArgs's codes for an unknown option, a missing or bad value, a stray positional: user mistakes. */
const PARSE_ARGS_CODES = new Set([
  "ERR_PARSE_ARGS_UNKNOWN_OPTION",
  "ERR_PARSE_ARGS_INVALID_OPTION_VALUE",
  "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL",
]);

/** Out of memory while allocating what a config asked for (typed arrays, WebAssembly memory). */
const ALLOCATION =
  /allocation failed|invalid typed array length|invalid array length|array buffer|memory\.grow|out of memory/i;

export function capLine(text: string, max = MAX_MESSAGE): string {
  const line = text.split("\n")[0].replace(/\s+$/, "");
  return line.length <= max ? line : `${line.slice(0, max - 25)}... (${line.length - max + 25} more characters)`;
}

/** What the user is told; the exit code. */
export function describeFailure(e: unknown, debug: boolean): { lines: string[]; code: number } {
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown } | null)?.code;
  const ambiguous = /^Option '(-[\w-]+)[^']*' argument is ambiguous/.exec(message);
  if (ambiguous) {
    const name = ambiguous[1];
    return {
      lines: [`peerlearn: ${name} needs a value, and what follows it looks like an option; write ${name}=VALUE`],
      code: 2,
    };
  }
  if (e instanceof UserError || (typeof code === "string" && PARSE_ARGS_CODES.has(code))) {
    return { lines: [`peerlearn: ${capLine(message)}`], code: 2 };
  }
  if (e instanceof DivergenceError) {
    return {
      lines: [
        `peerlearn: ${capLine(message)}; the run stopped and its last checkpoint is intact (lower the learning rate?)`,
      ],
      code: 2,
    };
  }
  if (e instanceof RangeError && ALLOCATION.test(message)) {
    return {
      lines: [
        `peerlearn: the config asks for more memory than can be allocated (${capLine(message, 120)}): lower bufferSize, batchSize or netArch`,
      ],
      code: 2,
    };
  }
  const lines = [
    `peerlearn: internal error: ${capLine(message)}`,
    "peerlearn: this is a bug in peerlearn; please report it on the project's issue tracker with the command you ran" +
      (debug ? " and the stack below" : " and what it prints with --debug (which shows where it happened)"),
  ];
  if (debug && e instanceof Error && e.stack) lines.push(e.stack);
  return { lines, code: 1 };
}
