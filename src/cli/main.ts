#!/usr/bin/env node
/**
 * The `peerlearn` command line. User mistakes (an unknown command or option, a bad value) print one line and exit
 * with code 2; anything else is a bug and keeps its stack trace.
 */
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { UserError, oneOf } from "../core/errors.js";
import { DivergenceError } from "../agents/agent.js";
import { BACKEND_NAMES, type BackendName } from "../nn/kernels/kernels.js";
import { getKernels } from "../nn/kernels/select.js";
import { NATIVE_ISAS } from "../nn/kernels/native.js";
import { runBench } from "../bench/run.js";
import { formatBench } from "../bench/format.js";
import { sweepBench } from "../bench/sweep-bench.js";
import { defaultExperimentWorkers } from "../experiments/runner.js";
import { EXPERIMENTS, planRuns, stepsPerSecondEstimate } from "../experiments/catalog.js";
import { listEnvs, prepareEnv, resolveEnvOptions } from "../envs/registry.js";
import { randomPolicyStats } from "../bench/random-policy.js";
import { applyOverride } from "./train.js";
import { PRESETS } from "../peers/presets.js";
import { TRAIN_USAGE, trainCommand } from "./train.js";
import { EXPERIMENT_USAGE, experimentCommand, reportCommand } from "./experiment.js";
import { defaultWorkers, formatStartTable, runStart } from "../experiments/start.js";

const USAGE = `Usage: peerlearn <command> [options]

Commands:
  start                 the default job: Room-v21 peer learning vs single agent, small budget, report
      --steps N         env steps per peer (default 30000)
      --seed K          seed (default 0)
      --out DIR         where runs and the report go (default runs/start)
      --workers W       processes at a time (default: one per core)
${TRAIN_USAGE}
${EXPERIMENT_USAGE}
  list envs|presets     the environments and their options; the paper's experiments with their cost
  bench                 NN engine and training throughput per kernel backend, with PyTorch's updates measured
                        in the same run when it is installed
      --json            print one JSON object as the last line
      --seconds S       seconds per measurement (default 1)
      --backend B       benchmark only this backend, as the one in use (${BACKEND_NAMES.join(", ")})
      --no-torch        skip the PyTorch reference
      --sweep           instead: experiment throughput with 1 worker thread and with one per core
  random-policy ENV     return and episode length of a uniform random policy (mean and std)
      --episodes N      episodes (default 100)
      --seed K          seed (default 0)
      --set K=V         an env option, e.g. --set terminateWhenUnhealthy=false (repeatable)
  help                  this text

Environment: PEERLEARN_BACKEND=${BACKEND_NAMES.join("|")} forces the kernel backend (default: the best available);
PEERLEARN_ISA=${NATIVE_ISAS.join("|")} forces the native backend's instruction-set path (default: this CPU's best).`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function positiveNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (!(x > 0) || !Number.isFinite(x))
    throw new UserError(`--${name} must be a positive number, got ${JSON.stringify(value)}`);
  return x;
}

async function bench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: "boolean", default: false },
      seconds: { type: "string" },
      backend: { type: "string" },
      "no-torch": { type: "boolean", default: false },
      sweep: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.sweep) {
    const workers = Math.max(2, defaultExperimentWorkers());
    const r = await sweepBench(workers, (line) => process.stderr.write(`${line}\n`));
    console.log(
      `experiment sweep (fig4, budget 0.01, ${r.runs} runs): ${Object.entries(r.stepsPerSecond)
        .map(([k, v]) => `${k} ${v.toFixed(0)}`)
        .join(", ")} env steps/s; speed-up ${r.speedup.toFixed(2)}x`,
    );
    if (values.json) console.log(JSON.stringify(r));
    return;
  }
  const backend = values.backend;
  if (backend !== undefined && !(BACKEND_NAMES as readonly string[]).includes(backend)) {
    throw new UserError(`--backend must be ${oneOf(BACKEND_NAMES)}, got ${JSON.stringify(backend)}`);
  }
  getKernels(backend); // the backend in use; fails early, with a clear message, on a bad PEERLEARN_BACKEND
  const result = await runBench({
    seconds: positiveNumber("seconds", values.seconds, 1),
    backends: backend ? [backend as BackendName] : undefined,
    torch: !values["no-torch"],
    log: (line) => process.stderr.write(`${line}\n`),
  });
  console.log(formatBench(result));
  if (values.json) console.log(JSON.stringify(result));
}

function list(args: string[]): void {
  if (args[0] === "presets") {
    console.log("Presets (peerlearn train --preset NAME); cost = env steps per peer x peers:");
    for (const p of PRESETS)
      console.log(
        `  ${p.name.padEnd(40)} ${`${((p.config.peers.length * p.config.steps) / 1e6).toFixed(1)}M`.padStart(6)}  ${p.description}`,
      );
    console.log(
      "\nExperiments (peerlearn experiment NAME), at the paper's budget and seeds; core-hours at this project's measured speeds:",
    );
    for (const e of EXPERIMENTS) {
      const runs = planRuns(e, { seeds: e.paperSeeds, budget: 1, variant: "faithful" });
      const steps = runs.reduce((a, r) => a + r.cost, 0);
      const hours = runs.reduce((a, r) => a + r.cost / stepsPerSecondEstimate(r.task), 0) / 3600;
      console.log(
        `  ${e.name.padEnd(8)} ${runs.length} runs, ${(steps / 1e6).toFixed(0)}M env steps, ~${hours.toFixed(0)} core-hours  ${e.description}`,
      );
    }
    return;
  }
  if (args[0] !== "envs") throw new UserError(`list what? use ${oneOf(["envs", "presets"])}`);
  for (const e of listEnvs()) {
    const opts = Object.entries(e.options)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(" ");
    console.log(`${e.id.padEnd(12)} ${e.description}\n${"".padEnd(12)} options: ${opts}`);
  }
}

async function start(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      steps: { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
      workers: { type: "string" },
    },
    strict: true,
  });
  const steps = positiveNumber("steps", values.steps, 30_000);
  const seed = values.seed === undefined ? 0 : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0)
    throw new UserError(`--seed must be a non-negative integer, got ${JSON.stringify(values.seed)}`);
  const workers = Math.round(positiveNumber("workers", values.workers, defaultWorkers()));
  const result = await runStart({
    steps: Math.round(steps),
    seed,
    out: values.out ?? "runs/start",
    workers,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  console.log(formatStartTable(result));
}

async function randomPolicy(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      episodes: { type: "string" },
      seed: { type: "string" },
      set: { type: "string", multiple: true, default: [] },
    },
    strict: true,
  });
  const env = positionals[0];
  if (!env || positionals.length > 1) throw new UserError("random-policy takes one env id (see `peerlearn list envs`)");
  const options: Record<string, unknown> = {};
  for (const s of values.set) applyOverride(options, s);
  resolveEnvOptions(env, options);
  await prepareEnv(env);
  const episodes = Math.round(positiveNumber("episodes", values.episodes, 100));
  const seed = Math.round(Number(values.seed ?? 0));
  const r = randomPolicyStats(env, options, episodes, seed);
  console.log(
    `${env} ${JSON.stringify(options)}: ${episodes} episodes, return ${r.returnMean.toFixed(1)} +- ${r.returnStd.toFixed(1)}, length ${r.lengthMean.toFixed(1)} +- ${r.lengthStd.toFixed(1)}`,
  );
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case "start":
      return start(rest);
    case "train":
      return trainCommand(rest);
    case "list":
      return list(rest);
    case "bench":
      return bench(rest);
    case "experiment":
      return experimentCommand(rest);
    case "report":
      return reportCommand(rest);
    case "random-policy":
      return randomPolicy(rest);
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
      throw new UserError(
        `unknown command ${JSON.stringify(command)}: use ${oneOf(["start", "train", "experiment", "report", "bench", "list", "random-policy", "help"])}`,
      );
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  // parseArgs reports unknown options and missing values with these codes: they are user mistakes too.
  const code = (e as { code?: string }).code;
  if (
    e instanceof UserError ||
    code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ||
    code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" ||
    code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL"
  ) {
    console.error(`peerlearn: ${(e as Error).message.split("\n")[0]}`);
    process.exit(2);
  }
  if (e instanceof DivergenceError) {
    console.error(
      `peerlearn: ${e.message}; the run stopped, and its last checkpoint is intact (lower the learning rate?)`,
    );
    process.exit(3);
  }
  console.error(e);
  process.exit(1);
});
