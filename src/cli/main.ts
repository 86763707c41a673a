#!/usr/bin/env node
/**
 * The `peerlearn` command line. User mistakes (an unknown command or option, a bad value) print one line and exit
 * with code 2; anything else is a bug and keeps its stack trace.
 */
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { UserError, oneOf } from "../core/errors.js";
import { BACKEND_NAMES, type BackendName } from "../nn/kernels/kernels.js";
import { getKernels } from "../nn/kernels/select.js";
import { formatBench, runBench } from "../bench/run.js";
import { listEnvs } from "../envs/registry.js";
import { TRAIN_USAGE, trainCommand } from "./train.js";

const USAGE = `Usage: peerlearn <command> [options]

Commands:
  start                 the main job (until peer learning lands: the benchmark)
${TRAIN_USAGE}
  list envs             the environments and their options
  bench                 NN engine throughput per kernel backend, with PyTorch's in the same run when installed
      --json            print one JSON object as the last line
      --seconds S       seconds per measurement (default 1)
      --backend B       benchmark only this backend, as the one in use (${BACKEND_NAMES.join(", ")})
      --no-torch        skip the PyTorch reference
  help                  this text

Environment: PEERLEARN_BACKEND=${BACKEND_NAMES.join("|")} forces the kernel backend (default: the best available).`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function positiveNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (!(x > 0) || !Number.isFinite(x)) throw new UserError(`--${name} must be a positive number, got ${JSON.stringify(value)}`);
  return x;
}

function bench(args: string[]): void {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: "boolean", default: false },
      seconds: { type: "string" },
      backend: { type: "string" },
      "no-torch": { type: "boolean", default: false },
    },
    strict: true,
  });
  const backend = values.backend;
  if (backend !== undefined && !(BACKEND_NAMES as readonly string[]).includes(backend)) {
    throw new UserError(`--backend must be ${oneOf(BACKEND_NAMES)}, got ${JSON.stringify(backend)}`);
  }
  getKernels(backend); // the backend in use; fails early, with a clear message, on a bad PEERLEARN_BACKEND
  const result = runBench({
    seconds: positiveNumber("seconds", values.seconds, 1),
    backends: backend ? [backend as BackendName] : undefined,
    torch: !values["no-torch"],
    log: (line) => process.stderr.write(`${line}\n`),
  });
  console.log(formatBench(result));
  if (values.json) console.log(JSON.stringify(result));
}

function list(args: string[]): void {
  if (args[0] !== "envs") throw new UserError(`list what? use ${oneOf(["envs"])}`);
  for (const e of listEnvs()) {
    const opts = Object.entries(e.options).map(([k, v]) => `${k}=${v}`).join(" ");
    console.log(`${e.id.padEnd(12)} ${e.description}\n${"".padEnd(12)} options: ${opts}`);
  }
}

function main(argv: string[]): void {
  const [command, ...rest] = argv;
  switch (command) {
    case "train":
      return trainCommand(rest);
    case "list":
      return list(rest);
    case "bench":
    case "start":
      return bench(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return;
    case "--version":
    case "-v":
      console.log(version());
      return;
    default:
      throw new UserError(`unknown command ${JSON.stringify(command)}: use ${oneOf(["start", "train", "bench", "list", "help"])}`);
  }
}

try {
  main(process.argv.slice(2));
} catch (e) {
  // parseArgs reports unknown options and missing values with these codes: they are user mistakes too.
  const code = (e as { code?: string }).code;
  if (e instanceof UserError || code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" || code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" || code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    console.error(`peerlearn: ${(e as Error).message.split("\n")[0]}`);
    process.exit(2);
  }
  throw e;
}
