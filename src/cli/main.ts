#!/usr/bin/env node
/**
 * The `peerlearn` command line. User mistakes (an unknown command or option, a bad value) print one line and exit
 * with code 2; anything else is a bug (failure.ts). `--help` after any command prints that command's usage.
 */
import { readFileSync, realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { UserError, count, oneOf, shortSteps } from "../core/errors.js";
import { describeFailure } from "./failure.js";
import { integerOption, parseCommand, positiveOption } from "./args.js";
import { BACKEND_NAMES, type BackendName } from "../nn/kernels/kernels.js";
import { getKernels } from "../nn/kernels/select.js";
import { NATIVE_ISAS } from "../nn/kernels/native.js";
import { runBench } from "../bench/run.js";
import { formatBench } from "../bench/format.js";
import { natsSweepBench, sweepBench } from "../bench/sweep-bench.js";
import { peerBench } from "../bench/peer-bench.js";
import { defaultExperimentWorkers } from "../experiments/runner.js";
import { EXPERIMENTS, planRuns, stepsPerSecondEstimate } from "../experiments/catalog.js";
import { listEnvs, prepareEnv, resolveEnvOptions } from "../envs/registry.js";
import { randomPolicyStats } from "../bench/random-policy.js";
import { applyOverride } from "./train.js";
import { PRESETS } from "../peers/presets.js";
import { TRAIN_USAGE, trainCommand } from "./train.js";
import { EXPERIMENT_USAGE, WORKER_USAGE, experimentCommand, reportCommand, workerCommand } from "./experiment.js";
import { serveUntilStopped } from "./serve.js";
import { COMPARE_USAGE, RESULTS_USAGE, compareCommand, resultsCommand } from "./compare.js";
import { defaultWorkers, formatStartTable, runStart } from "../experiments/start.js";
import { startDashboard } from "../dashboard/server.js";
import { startDemoServer } from "../demo/server.js";
import { PEER_USAGE, peerCommand } from "./peer.js";

const START_USAGE = `  start                 the default job: Room-v21 peer learning vs single agent, small budget, report
      --steps N         env steps per peer (default 30000)
      --seed K          seed (default 0)
      --out DIR         where runs and the report go (default runs/start)
      --workers W       processes at a time (default: one per core)`;
const DASHBOARD_USAGE = `  dashboard [FOLDER...] a live page of the runs under these folders (default runs): learning curves per peer,
                        follow shares, trust and agent values, a table of runs; read-only, updates as they train
      --port P          port (default 8080)
      --host H          address to listen on (default 127.0.0.1: this machine only)
      --nats URL        also the sweeps on this NATS server (experiment --nats): plans, progress, running and
                        finished runs (credentials: PEERLEARN_NATS_CREDS, or NATS_USER and NATS_PASSWORD)`;
const DEMO_USAGE = `  demo                  peer learning on Room in a web page (training in the browser, in a Web Worker): the
                        rooms, controls, live curves, follow shares and trust; demo/dist is the same as a static site
      --port P          port (default 8080)
      --host H          address to listen on (default 127.0.0.1: this machine only)`;
const LIST_USAGE = `  list envs|presets     the environments and their options; the paper's experiments with their cost`;
const BENCH_USAGE = `  bench                 NN engine and training throughput per kernel backend, with PyTorch's updates measured
                        in the same run when it is installed
      --json            print one JSON object as the last line
      --seconds S       seconds per measurement (default 1)
      --backend B       benchmark only this backend, as the one in use (${BACKEND_NAMES.join(", ")})
      --no-torch        skip the PyTorch reference
      --smoke           a few steps of everything: checks that the bench runs (its figures mean nothing)
      --sweep           instead: experiment throughput with 1 worker thread and with one per core
      --nats URL        with --sweep: local worker threads vs as many \`peerlearn worker\` processes on NATS
      --peers           with --nats: advice round trip to a peer process (p50, p99), and a 2-peer Room group
                        over NATS processes vs in one process with trainer threads`;
const RANDOM_POLICY_USAGE = `  random-policy ENV     return and episode length of a uniform random policy (mean and std)
      --episodes N      episodes (default 100)
      --seed K          seed (default 0)
      --set K=V         an env option, e.g. --set terminateWhenUnhealthy=false (repeatable)`;

/** Each command's part of the usage, for `peerlearn <command> --help`. */
const COMMAND_USAGE: Record<string, string> = {
  start: START_USAGE,
  train: TRAIN_USAGE,
  experiment: EXPERIMENT_USAGE,
  report: EXPERIMENT_USAGE,
  compare: COMPARE_USAGE,
  results: RESULTS_USAGE,
  worker: WORKER_USAGE,
  peer: PEER_USAGE,
  dashboard: DASHBOARD_USAGE,
  demo: DEMO_USAGE,
  list: LIST_USAGE,
  bench: BENCH_USAGE,
  "random-policy": RANDOM_POLICY_USAGE,
};

const USAGE = `Usage: peerlearn <command> [options]   (--help after a command: its options; --debug: stacks of internal errors)

Commands:
${START_USAGE}
${TRAIN_USAGE}
${EXPERIMENT_USAGE}
${COMPARE_USAGE}
${RESULTS_USAGE}
${WORKER_USAGE}
${PEER_USAGE}
${DASHBOARD_USAGE}
${DEMO_USAGE}
${LIST_USAGE}
${BENCH_USAGE}
${RANDOM_POLICY_USAGE}
  help                  this text

Environment: PEERLEARN_BACKEND=${BACKEND_NAMES.join("|")} forces the kernel backend (default: the best available);
PEERLEARN_ISA=${NATIVE_ISAS.join("|")} forces the native backend's instruction-set path (default: this CPU's best).`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

async function bench(args: string[]): Promise<void> {
  const { values } = parseCommand(args, {
    json: { type: "boolean", default: false },
    seconds: { type: "string" },
    backend: { type: "string" },
    "no-torch": { type: "boolean", default: false },
    smoke: { type: "boolean", default: false },
    sweep: { type: "boolean", default: false },
    peers: { type: "boolean", default: false },
    nats: { type: "string" },
  });
  if (values.peers) {
    if (values.nats === undefined)
      throw new UserError("bench --peers needs --nats URL (a NATS server on this machine)");
    const r = await peerBench(values.nats, getKernels(values.backend), (line) => process.stderr.write(`${line}\n`));
    console.log(
      `peers over NATS: advice round trip p50 ${(r.roundTripMs.p50 * 1000).toFixed(0)} us, p99 ${(r.roundTripMs.p99 * 1000).toFixed(0)} us; 2-peer Room-v21 group: one process (trainer threads) ${r.oneProcess.toFixed(0)}, NATS processes ${r.nats.toFixed(0)} env steps/s; ratio ${r.ratio.toFixed(2)}`,
    );
    if (values.json) console.log(JSON.stringify(r));
    return;
  }
  if (values.sweep && values.nats !== undefined) {
    const workers = Math.max(2, defaultExperimentWorkers());
    const r = await natsSweepBench(values.nats, workers, (line) => process.stderr.write(`${line}\n`));
    console.log(
      `experiment sweep (fig4, budget 0.01) with ${workers} workers: local threads ${r.local.toFixed(0)}, NATS worker processes ${r.nats.toFixed(0)} env steps/s; ratio ${r.ratio.toFixed(2)}`,
    );
    if (values.json) console.log(JSON.stringify(r));
    return;
  }
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
    seconds: positiveOption("seconds", values.seconds, 1, 600),
    backends: backend ? [backend as BackendName] : undefined,
    torch: !values["no-torch"],
    smoke: values.smoke,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  console.log(formatBench(result));
  if (values.json) console.log(JSON.stringify(result));
}

function list(args: string[]): void {
  const [what, ...extra] = args;
  if (what !== "envs" && what !== "presets") throw new UserError(`list what? use ${oneOf(["envs", "presets"])}`);
  if (extra.length > 0)
    throw new UserError(`list ${what} takes nothing more, got ${extra.map((a) => JSON.stringify(a)).join(" ")}`);
  if (what === "presets") {
    console.log("Presets (peerlearn train --preset NAME); cost = env steps per peer x peers:");
    for (const p of PRESETS)
      console.log(
        `  ${p.name.padEnd(40)} ${shortSteps(p.config.peers.length * p.config.steps).padStart(6)}  ${p.description}`,
      );
    console.log(
      "\nExperiments (peerlearn experiment NAME), at the paper's budget and seeds; core-hours at this project's measured speeds:",
    );
    for (const e of EXPERIMENTS) {
      const runs = planRuns(e, { seeds: e.paperSeeds, budget: 1, variant: "faithful" });
      const steps = runs.reduce((a, r) => a + r.cost, 0);
      const hours = runs.reduce((a, r) => a + r.cost / stepsPerSecondEstimate(r.task), 0) / 3600;
      console.log(
        `  ${e.name.padEnd(8)} ${count(runs.length, "run")}, ${shortSteps(steps)} env steps, ~${hours.toFixed(0)} core-hours  ${e.description}`,
      );
    }
    return;
  }
  for (const e of listEnvs()) {
    const opts = Object.entries(e.options)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(" ");
    console.log(`${e.id.padEnd(12)} ${e.description}\n${"".padEnd(12)} options: ${opts}`);
  }
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

async function dashboard(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    args,
    { port: { type: "string" }, host: { type: "string" }, nats: { type: "string" } },
    true,
  );
  const d = await startDashboard({
    folders: positionals.length || values.nats ? positionals : ["runs"],
    nats: values.nats,
    port: integerOption("port", values.port, 8080, 0, 65535),
    host: values.host ?? "127.0.0.1",
  });
  process.stderr.write(`peerlearn dashboard: ${d.url} (read-only; Ctrl-C stops it)\n`);
  await serveUntilStopped();
}

async function demo(args: string[]): Promise<void> {
  const { values } = parseCommand(args, { port: { type: "string" }, host: { type: "string" } });
  const d = await startDemoServer({
    port: integerOption("port", values.port, 8080, 0, 65535),
    host: values.host ?? "127.0.0.1",
  });
  process.stderr.write(`peerlearn demo: ${d.url} (Ctrl-C stops it)\n`);
  await serveUntilStopped();
}

async function randomPolicy(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    args,
    {
      episodes: { type: "string" },
      seed: { type: "string" },
      set: { type: "string", multiple: true, default: [] },
    },
    true,
  );
  const env = positionals[0];
  if (!env || positionals.length > 1) throw new UserError("random-policy takes one env id (see `peerlearn list envs`)");
  const options: Record<string, unknown> = {};
  for (const s of values.set) applyOverride(options, s);
  resolveEnvOptions(env, options);
  await prepareEnv(env);
  const episodes = integerOption("episodes", values.episodes, 100, 1, 1e7);
  const seed = integerOption("seed", values.seed, 0, 0, 2 ** 32 - 1);
  const r = randomPolicyStats(env, options, episodes, seed);
  console.log(
    `${env} ${JSON.stringify(options)}: ${episodes} episodes, return ${r.returnMean.toFixed(1)} +- ${r.returnStd.toFixed(1)}, length ${r.lengthMean.toFixed(1)} +- ${r.lengthStd.toFixed(1)}`,
  );
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const usage = command !== undefined ? COMMAND_USAGE[command] : undefined;
  if (usage && (rest.includes("--help") || rest.includes("-h"))) {
    console.log(`Usage: peerlearn ${command} [options]\n${usage}`);
    return;
  }
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
    case "compare":
      return compareCommand(rest);
    case "results":
      return resultsCommand(rest);
    case "worker":
      return workerCommand(rest);
    case "peer":
      return peerCommand(rest);
    case "dashboard":
      return dashboard(rest);
    case "demo":
      return demo(rest);
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
        `unknown command ${JSON.stringify(command)}: use ${oneOf([
          "start",
          "train",
          "experiment",
          "report",
          "compare",
          "results",
          "worker",
          "peer",
          "dashboard",
          "demo",
          "bench",
          "list",
          "random-policy",
          "help",
        ])}`,
      );
  }
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
