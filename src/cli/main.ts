#!/usr/bin/env node
/**
 * The `peerlearn` command line. User mistakes (an unknown command or option, a bad value) print one line and exit
 * with code 2; anything else is a bug (failure.ts). `--help` after any command prints that command's usage.
 */
import { readFileSync, realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { UserError, didYouMean, oneOf } from "../core/errors.js";
import { describeFailure } from "./failure.js";
import { integerOption, parseCommand } from "./args.js";
import { BACKEND_NAMES } from "../nn/kernels/kernels.js";
import { NATIVE_ISAS } from "../nn/kernels/native.js";
import { TRAIN_USAGE, trainCommand } from "./train.js";
import { EXPERIMENT_USAGE, WORKER_USAGE, experimentCommand, reportCommand, workerCommand } from "./experiment.js";
import { COMPARE_USAGE, RESULTS_USAGE, compareCommand, resultsCommand } from "./compare.js";
import { defaultWorkers, formatStartTable, runStart } from "../experiments/start.js";
import { DASHBOARD_USAGE, DEMO_USAGE, dashboard, demo } from "./pages.js";
import { BENCH_USAGE, LIST_USAGE, RANDOM_POLICY_USAGE, bench, list, randomPolicy } from "./tools.js";
import { PEER_USAGE, peerCommand } from "./peer.js";
import { EXPORT_USAGE, exportCommand } from "./export.js";

const START_USAGE = `  start                 the default job: Room-v21 peer learning vs single agent, small budget, report
      --steps N         env steps per peer (default 30000)
      --seed K          seed (default 0)
      --out DIR         where runs and the report go (default runs/start)
      --workers W       processes at a time (default: one per core)`;

interface Command {
  readonly name: string;
  readonly usage: string;
  readonly run: (args: string[]) => Promise<void> | void;
}

/** Every command: its usage (for `help` and `<command> --help`) and what runs it. A new command is one line. */
const COMMANDS: readonly Command[] = [
  { name: "start", usage: START_USAGE, run: start },
  { name: "train", usage: TRAIN_USAGE, run: trainCommand },
  { name: "experiment", usage: EXPERIMENT_USAGE, run: experimentCommand },
  { name: "report", usage: EXPERIMENT_USAGE, run: reportCommand },
  { name: "compare", usage: COMPARE_USAGE, run: compareCommand },
  { name: "results", usage: RESULTS_USAGE, run: resultsCommand },
  { name: "worker", usage: WORKER_USAGE, run: workerCommand },
  { name: "peer", usage: PEER_USAGE, run: peerCommand },
  { name: "dashboard", usage: DASHBOARD_USAGE, run: dashboard },
  { name: "demo", usage: DEMO_USAGE, run: demo },
  { name: "bench", usage: BENCH_USAGE, run: bench },
  { name: "export", usage: EXPORT_USAGE, run: exportCommand },
  { name: "list", usage: LIST_USAGE, run: list },
  { name: "random-policy", usage: RANDOM_POLICY_USAGE, run: randomPolicy },
];

const USAGE = `Usage: peerlearn <command> [options]   (--help after a command: its options; --debug: stacks of internal errors)

Commands:
${[...new Set(COMMANDS.map((c) => c.usage))].join("\n")}
  help                  this text

Environment: PEERLEARN_BACKEND=${BACKEND_NAMES.join("|")} forces the kernel backend (default: the best available);
PEERLEARN_ISA=${NATIVE_ISAS.join("|")} forces the native backend's instruction-set path (default: this CPU's best).`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

async function start(args: string[]): Promise<void> {
  const { values } = parseCommand(args, {
    steps: { type: "string" },
    seed: { type: "string" },
    out: { type: "string" },
    workers: { type: "string" },
  });
  const steps = integerOption("steps", values.steps, 30_000, 1, 1e9);
  const seed = integerOption("seed", values.seed, 0, 0, 2 ** 32 - 1);
  const workers = integerOption("workers", values.workers, defaultWorkers(), 1, 1024);
  const result = await runStart({
    steps,
    seed,
    out: values.out ?? "runs/start",
    workers,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  console.log(formatStartTable(result));
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    console.log(USAGE);
    return;
  }
  if (name === "--version" || name === "-v") {
    console.log(version());
    return;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const names = [...COMMANDS.map((c) => c.name), "help"];
    throw new UserError(`unknown command ${JSON.stringify(name)}${didYouMean(name, names)}: use ${oneOf(names)}`);
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(`Usage: peerlearn ${name} [options]\n${command.usage}`);
    return;
  }
  return command.run(rest);
}

/** Runs the command line on `argv` (without node and the script); returns the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const debug = argv.includes("--debug");
  try {
    await main(argv.filter((a) => a !== "--debug"));
    return 0;
  } catch (e) {
    const { lines, code } = describeFailure(e, debug);
    for (const line of lines) process.stderr.write(`${line}\n`);
    return code;
  }
}

// Run when executed as the command (not when imported, as the fuzz test does).
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  runCli(process.argv.slice(2)).then((code) => {
    // A failure stops at once (worker threads included); success lets pending output drain.
    if (code !== 0) process.exit(code);
  });
}
