/**
 * `npm start` / `peerlearn start`: the embedded default job. Room-v21 peer learning (2 DQN peers, all mechanisms,
 * advantage) against the single agent as published (faithful) and a single agent that uses its epsilon schedule
 * (corrected), on a small budget, each run in its own process (two at a time, one per core), then a summary
 * table and a report with learning curves (report.md and a self-contained report.html).
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { linePlot } from "../report/svg-plot.js";
import { learnerCurve, learnerIndices, readSummary } from "./curves.js";
import type { GroupSummary } from "../peers/train-group.js";
import { ensureDir } from "../core/folders.js";

export interface StartOptions {
  readonly steps: number;
  readonly seed: number;
  readonly out: string;
  readonly workers: number;
  readonly log: (line: string) => void;
}

interface Job {
  readonly preset: string;
  readonly label: string;
  /** Table 1, Room-v21, average reward over time at 1M steps per peer. */
  readonly paper: string;
}

const JOBS: readonly Job[] = [
  { preset: "room-v21/peer-learning", label: "peer learning (2 peers)", paper: "72 ± 8" },
  { preset: "room-v21/single-agent", label: "single agent, as published", paper: "46 ± 16" },
  { preset: "room-v21/single-agent/corrected", label: "single agent, exploring", paper: "-" },
];

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "cli", "main.js");

function runJob(job: Job, options: StartOptions): Promise<void> {
  const dir = join(options.out, job.preset.replaceAll("/", "_"));
  const evalFreq = Math.max(1000, Math.floor(options.steps / 10 / 1000) * 1000);
  const args = [
    CLI,
    "train",
    "--preset",
    job.preset,
    "--steps",
    String(options.steps),
    "--seed",
    String(options.seed),
    "--set",
    `evalFreq=${evalFreq}`,
    "--out",
    dir,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    let tail = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      tail = (tail + chunk).slice(-2000);
      for (const line of chunk.split(/[\r\n]+/)) if (/%/.test(line)) options.log(`${job.preset}: ${line.trim()}`);
    });
    child.on("exit", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${job.preset} failed (exit ${code}): ${tail.trim().split("\n").pop()}`)),
    );
  });
}

async function runAll(options: StartOptions): Promise<void> {
  const queue = [...JOBS];
  const workers = Array.from({ length: Math.max(1, options.workers) }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await runJob(job, options);
  });
  await Promise.all(workers);
}

export interface StartResult {
  readonly rows: { job: Job; summary: GroupSummary }[];
  readonly reportPath: string;
}

export async function runStart(options: StartOptions): Promise<StartResult> {
  ensureDir(options.out);
  options.log(
    `peerlearn start: Room-v21, ${options.steps} env steps per peer, seed ${options.seed}, ${options.workers} processes at a time; runs in ${options.out}`,
  );
  await runAll(options);
  const rows = JOBS.map((job) => ({ job, summary: readSummary(join(options.out, job.preset.replaceAll("/", "_"))) }));
  const reportPath = writeReport(rows, options);
  return { rows, reportPath };
}

export function formatStartTable(result: StartResult): string {
  const lines = ["method                        avg reward over time   last eval     wall time   paper (1M steps)"];
  for (const { job, summary } of result.rows) {
    const last = summary.lastEval ? summary.lastEval.mean.toFixed(2) : "-";
    lines.push(
      `${job.label.padEnd(30)}${(summary.averageRewardOverTime?.toFixed(2) ?? "-").padEnd(23)}${last.padEnd(14)}${`${summary.wallSeconds.toFixed(0)} s`.padEnd(12)}${job.paper}`,
    );
  }
  lines.push(`report: ${result.reportPath}`);
  return lines.join("\n");
}

/** What one seed of each can and cannot say, and which single agent explores. */
const WHAT_IT_SAYS =
  'Which single agent explores: the one "as published" does not (the original\'s DQN single agent never uses its epsilon schedule, so it explores only in its 100 warm-up steps); the "exploring" one uses its epsilon schedule. The peers here are the published (faithful) ones, which suggest their greedy actions. How sure this is: not at all. One run per method cannot tell a difference from seed-to-seed spread, which on Room-v21 is large; the 10-seed comparison with confidence intervals (IQM, probability of improvement) is in docs/results.md, and `peerlearn experiment evidence` runs it (`peerlearn compare` reads it).';

function writeReport(rows: StartResult["rows"], options: StartOptions): string {
  const series = rows.map(({ job, summary }) => {
    const c = learnerCurve(join(options.out, job.preset.replaceAll("/", "_")), learnerIndices(summary));
    return { label: job.label, x: c.steps, y: c.mean };
  });
  const svg = linePlot(series, {
    title: `Room-v21, seed ${options.seed}: evaluation return (mean over learning peers)`,
    xLabel: "env steps per peer",
    yLabel: "mean evaluation return",
  });
  writeFileSync(join(options.out, "curves.svg"), svg);
  const table = [
    "| method | average reward over time | last evaluation | wall time | Table 1 (1M steps per peer, 10 seeds) |",
    "|---|---|---|---|---|",
    ...rows.map(
      ({ job, summary }) =>
        `| ${job.label} | ${summary.averageRewardOverTime?.toFixed(2) ?? "-"} | ${summary.lastEval?.mean.toFixed(2) ?? "-"} | ${summary.wallSeconds.toFixed(0)} s | ${job.paper} |`,
    ),
  ].join("\n");
  const intro = `Room-v21, ${options.steps} env steps per peer (the paper: 1,000,000), one seed (${options.seed}), evaluation: 10 greedy episodes. "Average reward over time" is the mean of all evaluation returns over training, the paper's metric; at this budget it is far from the paper's numbers, which average over 1M steps.`;
  const md = `# peerlearn start: peer learning vs single agent on Room-v21\n\n${intro}\n\n${table}\n\n${WHAT_IT_SAYS}\n\n![learning curves](curves.svg)\n\nRuns: ${rows.map(({ job }) => `\`${job.preset.replaceAll("/", "_")}/\``).join(", ")} (metrics.jsonl, summary.json, final weights).\n`;
  writeFileSync(join(options.out, "report.md"), md);
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>peerlearn start</title><style>body{font-family:sans-serif;max-width:760px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}</style></head><body><h1>Peer learning vs single agent on Room-v21</h1><p>${intro}</p><p>${WHAT_IT_SAYS.replace(/`/g, "")}</p><table><tr><th>method</th><th>average reward over time</th><th>last evaluation</th><th>wall time</th><th>Table 1 (1M steps)</th></tr>${rows.map(({ job, summary }) => `<tr><td>${job.label}</td><td>${summary.averageRewardOverTime?.toFixed(2) ?? "-"}</td><td>${summary.lastEval?.mean.toFixed(2) ?? "-"}</td><td>${summary.wallSeconds.toFixed(0)} s</td><td>${job.paper}</td></tr>`).join("")}</table>${svg}</body></html>\n`;
  const htmlPath = join(options.out, "report.html");
  writeFileSync(htmlPath, html);
  return htmlPath;
}

export function defaultWorkers(): number {
  return Math.max(1, Math.min(cpus().length, JOBS.length));
}
