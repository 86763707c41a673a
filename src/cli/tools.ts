/** The commands that inspect and measure: `list`, `bench`, `random-policy`. */
import { UserError, count, oneOf, shortSteps } from "../core/errors.js";
import { integerOption, parseCommand, positiveOption } from "./args.js";
import { BACKEND_NAMES, type BackendName } from "../nn/kernels/kernels.js";
import { getKernels } from "../nn/kernels/select.js";
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

export const LIST_USAGE = `  list envs|presets     the environments and their options; the paper's experiments with their cost`;
export const BENCH_USAGE = `  bench                 NN engine and training throughput per kernel backend, with PyTorch's updates measured
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
export const RANDOM_POLICY_USAGE = `  random-policy ENV     return and episode length of a uniform random policy (mean and std)
      --episodes N      episodes (default 100)
      --seed K          seed (default 0)
      --set K=V         an env option, e.g. --set terminateWhenUnhealthy=false (repeatable)`;

export async function bench(args: string[]): Promise<void> {
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
      `peers over NATS: advice round trip p50 ${(r.roundTripMs.p50 * 1000).toFixed(0)} us, p99 ${(r.roundTripMs.p99 * 1000).toFixed(0)} us; 2-peer Room-v21 group: one process (trainer threads) ${r.oneProcess.toFixed(0)}, NATS processes ${r.nats.toFixed(0)} env steps/s; ratio ${r.ratio.toFixed(2)}; ${r.requestsPerStep.toFixed(2)} requests per lockstep step`,
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

export function list(args: string[]): void {
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
    const width = Math.max(...EXPERIMENTS.map((e) => e.name.length));
    for (const e of EXPERIMENTS) {
      const runs = planRuns(e, { seeds: e.paperSeeds, budget: 1, variant: "faithful" });
      const steps = runs.reduce((a, r) => a + r.cost, 0);
      const hours = runs.reduce((a, r) => a + r.cost / stepsPerSecondEstimate(r.task), 0) / 3600;
      console.log(
        `  ${e.name.padEnd(width)} ${count(runs.length, "run")}, ${shortSteps(steps)} env steps, ~${hours.toFixed(0)} core-hours  ${e.description}`,
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

export async function randomPolicy(args: string[]): Promise<void> {
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
