/** `peerlearn experiment` and `peerlearn report`: the paper's tables and figures, run on all cores, then reported. */
import { integerOption, parseCommand, positiveOption } from "./args.js";
import { capLine } from "./failure.js";
import { ensureDir } from "../core/folders.js";
import { startDashboardThread } from "../dashboard/dashboard-thread.js";
import { UserError, count, oneOf, shortSteps } from "../core/errors.js";
import { EXPERIMENTS, findExperiment, planRuns, stepsPerSecondEstimate } from "../experiments/catalog.js";
import { defaultExperimentWorkers, runExperiment, type RunnerOptions } from "../experiments/runner.js";
import { runNatsSweep } from "../distributed/sweeps/nats-sweep.js";
import { runNatsWorker } from "../distributed/sweeps/nats-worker.js";
import { formatRows, writeExperimentReport } from "../experiments/report.js";
import { formatDuration } from "../runs/progress.js";

export const EXPERIMENT_USAGE = `  experiment NAME       run one of the paper's tables or figures (${EXPERIMENTS.map((e) => e.name).join(", ")}):
                        every (task, method, seed) run on a pool of worker threads, then the report.
                        Safe to kill: rerunning the command skips finished runs and resumes the others
      --tasks A,B       only these tasks (default: the experiment's)
      --seeds N         seeds per method (default 3)
      --budget F        fraction of the paper's env steps (default 1; e.g. 0.1 for a quick look)
      --workers W       worker threads (default: one per core)
      --variant V       faithful (default: as the published code ran) or corrected
      --out DIR         experiment folder (default runs/<NAME>-budget<F>[-corrected])
      --dry-run         list the runs and their cost, run nothing
      --dashboard       serve a live page of the sweep on http://127.0.0.1:8080/ while it runs
      --port P          the dashboard's port (default 8080; 0: any free port, printed)
      --nats URL        run it on \`peerlearn worker\` processes through NATS JetStream (nats:// or tls://;
                        credentials: PEERLEARN_NATS_CREDS, or NATS_USER and NATS_PASSWORD)
      --reuse-remote    with --nats, for a new folder: take the results of the server's earlier sweep of a
                        folder of this name (by default a new folder starts afresh)
      --retry-failed    with --nats: queue again the runs that failed on a worker
  report DIR            (re)write report.md, report.html, runs.csv and curves.csv of an experiment folder`;

export async function experimentCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    args,
    {
      tasks: { type: "string" },
      seeds: { type: "string" },
      budget: { type: "string" },
      workers: { type: "string" },
      variant: { type: "string" },
      out: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      nats: { type: "string" },
      dashboard: { type: "boolean", default: false },
      port: { type: "string" },
      "reuse-remote": { type: "boolean", default: false },
      "retry-failed": { type: "boolean", default: false },
    },
    true,
  );
  if (positionals.length !== 1)
    throw new UserError(`experiment takes one name: ${oneOf(EXPERIMENTS.map((e) => e.name))}`);
  const e = findExperiment(positionals[0]);
  const variant = values.variant ?? "faithful";
  if (variant !== "faithful" && variant !== "corrected")
    throw new UserError(`--variant must be ${oneOf(["faithful", "corrected"])}, got ${JSON.stringify(variant)}`);
  const tasks = values.tasks?.split(",").map((t) => t.trim());
  const repeated = tasks?.find((t, i) => tasks.indexOf(t) !== i);
  if (repeated !== undefined)
    throw new UserError(`--tasks lists ${JSON.stringify(repeated)} twice: name each task once`);
  const options = {
    tasks,
    seeds: integerOption("seeds", values.seeds, 3, 1, 1000),
    budget: positiveOption("budget", values.budget, 1, 1),
    variant: variant as "faithful" | "corrected",
  };
  const out = values.out ?? `runs/${e.name}-budget${options.budget}${variant === "corrected" ? "-corrected" : ""}`;
  const workers = integerOption("workers", values.workers, defaultExperimentWorkers(), 1, 1024);
  if (values["dry-run"]) {
    const runs = planRuns(e, options);
    for (const r of runs)
      console.log(`${r.dir.padEnd(44)} ${r.config.steps} steps x ${count(r.config.peers.length, "peer")}`);
    const steps = runs.reduce((a, r) => a + r.cost, 0);
    const hours = runs.reduce((a, r) => a + r.cost / stepsPerSecondEstimate(r.task), 0) / 3600;
    console.log(
      `${count(runs.length, "run")}, ${shortSteps(steps)} env steps in all, ~${hours < 1 ? `${Math.ceil(hours * 60)} core-minutes` : `${hours.toFixed(1)} core-hours`} (at this project's speeds on a 2-core AMD EPYC; one run per core)`,
    );
    return;
  }
  if ((values["reuse-remote"] || values["retry-failed"]) && values.nats === undefined)
    throw new UserError("--reuse-remote and --retry-failed are for a sweep on NATS: add --nats URL");
  const port = integerOption("port", values.port, 8080, 0, 65535);
  if (values.port !== undefined && !values.dashboard) throw new UserError("--port is the dashboard's: add --dashboard");
  if (values.dashboard) {
    ensureDir(out);
    const url = await startDashboardThread({ folders: [out], port, host: "127.0.0.1" });
    process.stderr.write(`peerlearn dashboard: ${url}\n`);
  }
  // Runs finish or checkpoint in their worker threads; say how to go on when the user stops the sweep.
  process.once("SIGINT", () => {
    process.stderr.write(
      "\npeerlearn: interrupted; finished runs are kept: the same command resumes the others from their checkpoints\n",
    );
    process.exit(130);
  });
  const run =
    values.nats === undefined
      ? runExperiment
      : (name: string, o: RunnerOptions) =>
          runNatsSweep(name, {
            ...o,
            url: values.nats as string,
            reuseRemote: values["reuse-remote"],
            retryFailed: values["retry-failed"],
          });
  const result = await run(e.name, {
    ...options,
    out,
    workers,
    log: (line, final) => process.stderr.write(process.stderr.isTTY && !final ? `\r${line}` : `${line}\n`),
  });
  const report = writeExperimentReport(out);
  console.log(formatRows(report.rows));
  console.log(
    `${count(result.summaries.length, "run")} (${result.skipped} already complete), ${formatDuration(result.wallSeconds)}, ${result.stepsPerSecond.toFixed(0)} env steps/s; report: ${report.html}`,
  );
}

export function reportCommand(args: string[]): void {
  const { positionals } = parseCommand(args, {}, true);
  if (positionals.length !== 1) throw new UserError("report takes one experiment folder");
  const report = writeExperimentReport(positionals[0]);
  for (const d of report.damaged.slice(0, 10))
    process.stderr.write(`peerlearn: left out of the report: ${capLine(d)}\n`);
  console.log(formatRows(report.rows));
  console.log(
    `report: ${report.markdown}, ${report.html}${report.missing ? ` (${report.missing} runs not complete yet)` : ""}`,
  );
}

export const WORKER_USAGE = `  worker                run the runs of sweeps started with \`experiment ... --nats URL\`, on this machine
      --nats URL        the NATS server with JetStream (nats:// or tls://)
      --workers W       runs at a time (default: one per core)`;

export async function workerCommand(args: string[]): Promise<void> {
  const { values } = parseCommand(args, { nats: { type: "string" }, workers: { type: "string" } });
  if (values.nats === undefined) throw new UserError("worker needs --nats URL (the server the sweep was started on)");
  const slots = integerOption("workers", values.workers, defaultExperimentWorkers(), 1, 1024);
  await runNatsWorker({ url: values.nats, slots, log: (line) => process.stderr.write(`${line}\n`) });
}
