/**
 * The command line's one error path. A failure the user caused (a bad option or config field, an unknown env, a
 * damaged run folder, a config too large for memory, a run that diverged) prints one line naming the input, what
 * is wrong and what is allowed, and exits with code 2. Anything else is a bug in peerlearn: it says so, where to
 * report it, and shows the stack only under --debug (exit code 1). Every line is capped in length.
 */
import { MAX_MESSAGE, UserError, capLine } from "../core/errors.js";
import { DivergenceError } from "../agents/agent.js";

export { MAX_MESSAGE, capLine };

/** parseArgs's codes for an unknown option, a missing or bad value, a stray positional: user mistakes. */
const PARSE_ARGS_CODES = new Set([
  "ERR_PARSE_ARGS_UNKNOWN_OPTION",
  "ERR_PARSE_ARGS_INVALID_OPTION_VALUE",
  "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL",
]);

/** Out of memory while allocating what a config asked for (typed arrays, WebAssembly memory). */
const ALLOCATION =
  /allocation failed|invalid typed array length|invalid array length|array buffer|memory\.grow|out of memory/i;

/** What the user is told; the exit code. */
/** System resources a run can exhaust: the user's to free, not bugs. */
const RESOURCES: Record<string, string> = {
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is used up",
  EMFILE: "this process has too many files open (raise `ulimit -n`)",
  ENFILE: "the system has too many files open",
  ENOMEM: "the system is out of memory",
};

export function describeFailure(e: unknown, debug: boolean): { lines: string[]; code: number } {
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown } | null)?.code;
  const resource = typeof code === "string" ? RESOURCES[code] : undefined;
  if (resource) {
    const path = (e as { path?: unknown }).path;
    return {
      lines: [
        `peerlearn: ${resource} (${code}${typeof path === "string" ? ` writing ${path}` : ""}): free it and run the same command again; finished runs and the last checkpoint are kept, and the run resumes from there`,
      ],
      code: 2,
    };
  }
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
