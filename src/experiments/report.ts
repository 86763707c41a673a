/**
 * `peerlearn report <dir>`: turns an experiment folder into report.md, a self-contained report.html (tables with
 * the paper's numbers beside ours, SVG plots inline) and CSV files for pandas (runs.csv, curves.csv).
 *
 * Metrics: a run's score is the paper's "average reward over time" (the mean of all its learning peers'
 * evaluation returns over training); a method's is mean +- std over seeds. Table 2's normalisation is not
 * specified in the paper; we map each task's method means linearly to 0-100 (lowest method 0, highest 100) and
 * average over tasks.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../core/errors.js";
import { intervalPlot, linePlot, type Series } from "../report/svg-plot.js";
import { evidenceMarkdown, evidenceOf, labelOf, profileOf, type ScoreRow } from "./evidence.js";
import type { GroupSummary } from "../peers/train-group.js";
import { findExperiment } from "./catalog.js";
import {
  curveSeries,
  followSeries,
  methodRows,
  normalisedScores,
  readManifest,
  readRuns,
  type MethodRow,
} from "./results.js";

export { normalisedScores, readManifest, type MethodRow };

/** Each acting peer's shares of follow decisions per peer, e.g. "0:0.52/0.48 1:0.45/0.55". */
function followShares(s: GroupSummary): string {
  return s.peers
    .filter((p) => p.followShare)
    .map((p) => `${p.index}:${(p.followShare as number[]).map((x) => x.toFixed(3)).join("/")}`)
    .join(" ");
}

/** Mean ± std over seeds; one seed has no spread to show. */
const meanStd = (r: MethodRow): string => (r.seeds > 1 ? `${fmt(r.mean)} ± ${fmt(r.std)}` : `${fmt(r.mean)} (1 seed)`);
const fmt = (x: number): string => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1)) : "-");
const csvCell = (v: string | number): string =>
  typeof v === "number" ? String(v) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;

export interface ReportFiles {
  readonly markdown: string;
  readonly html: string;
  readonly rows: MethodRow[];
  readonly missing: number;
  /** One line per run whose files are damaged (left out of the report). */
  readonly damaged: string[];
}

/** Writes report.md, report.html, runs.csv and curves.csv into the experiment folder `dir`. */
export function writeExperimentReport(dir: string): ReportFiles {
  const m = readManifest(dir);
  const e = findExperiment(m.experiment);
  const { runs, missing, damaged } = readRuns(dir, m);
  const rows = methodRows(e, runs);
  const budgetText = `budget ${m.budget} of the paper's (${runs[0]?.summary.steps ?? "?"} env steps per peer), ${m.variant} variant, seeds per method up to ${m.seeds} (the paper: ${e.paperSeeds})`;

  const plots: { title: string; svg: string; file: string }[] = [];
  const tasks = [...new Set(rows.map((r) => r.task))];
  if (e.plots.includes("curves")) {
    for (const task of tasks) {
      const svg = linePlot(curveSeries(runs, task, rows), {
        title: `${task}: evaluation return (mean over seeds, band: standard error)`,
        xLabel: "env steps per peer",
        yLabel: "evaluation return",
      });
      plots.push({ title: `${task} learning curves`, svg, file: `curves-${task}.svg` });
    }
  }
  if (e.plots.includes("follow")) {
    for (const r of rows.filter((x) =>
      runs.some((y) => y.task === x.task && y.method === x.method && y.summary.peers.length > 1),
    )) {
      const series = followSeries(
        dir,
        runs.filter((x) => x.task === r.task && x.method === r.method),
      );
      if (series.length)
        plots.push({
          title: `${r.task} ${r.label}: whose advice the learners followed`,
          svg: linePlot(series, {
            title: `${r.task}, ${r.label}: share of follow decisions per peer`,
            xLabel: "epoch",
            yLabel: "share of follows",
          }),
          file: `follow-${r.task}-${r.method}.svg`,
        });
    }
  }
  if (e.plots.includes("groupSize")) {
    for (const task of tasks) {
      const mine = rows
        .filter((r) => r.task === task)
        .map((r) => ({ n: Number.parseInt(r.method, 10), r }))
        .filter((x) => Number.isFinite(x.n))
        .sort((a, b) => a.n - b.n);
      const series: Series[] = [
        {
          label: "average reward over time (band: standard error)",
          x: mine.map((x) => x.n),
          y: mine.map((x) => x.r.mean),
          band: mine.map((x) => x.r.std / Math.sqrt(x.r.seeds)),
        },
      ];
      plots.push({
        title: `${task}: group size`,
        svg: linePlot(series, {
          title: `${task}: average reward over time by group size`,
          xLabel: "peers in the group",
          yLabel: "average reward over time",
        }),
        file: `group-size-${task}.svg`,
      });
    }
  }
  // How sure: IQM with bootstrap CIs and the probability of improvement over the single agent, per task.
  const scores: ScoreRow[] = runs.map((r) => ({
    task: r.task,
    method: r.method,
    seed: r.seed,
    score: r.summary.averageRewardOverTime ?? Number.NaN,
  }));
  const ev = evidenceOf(scores);
  for (const task of tasks) {
    const mine = ev.methods.filter((x) => x.task === task);
    if (mine.length === 0) continue;
    plots.push({
      title: `${task}: IQM of average reward over time, 95% bootstrap CI`,
      svg: intervalPlot(
        mine.map((x) => ({ label: `${x.label} (${x.runs})`, ...x.iqm })),
        { title: `${task}: IQM with 95% stratified bootstrap CI`, xLabel: "average reward over time" },
      ),
      file: `iqm-${task}.svg`,
    });
    const profile = profileOf(scores, task);
    plots.push({
      title: `${task}: performance profile`,
      svg: linePlot(
        [...profile.byMethod].map(([method, y]) => ({ label: labelOf(method), x: profile.x, y })),
        {
          title: `${task}: share of runs scoring above each value`,
          xLabel: "average reward over time",
          yLabel: "share of runs above",
        },
      ),
      file: `profile-${task}.svg`,
    });
  }
  for (const p of plots) writeOutput(join(dir, p.file), p.svg);
  const evidenceMd = evidenceMarkdown(ev, (task, method) => e.paper[task]?.[method] ?? "");

  const norm = e.plots.includes("normalised") ? normalisedScores(rows) : null;
  const header = ["task", "method", "seeds", "average reward over time (ours)", "paper"];
  const table = rows.map((r) => [r.task, r.label, String(r.seeds), meanStd(r), r.paper || "–"]);
  const normRows = norm
    ? [...norm].map(([method, score]) => [
        rows.find((r) => r.method === method)?.label ?? method,
        fmt(score),
        e.paper["mean over tasks"]?.[method] ?? "–",
      ])
    : [];
  const mdTable = (head: string[], body: string[][]): string =>
    [
      `| ${head.join(" | ")} |`,
      `|${head.map(() => "---").join("|")}|`,
      ...body.map((r) => `| ${r.join(" | ")} |`),
    ].join("\n");
  const note =
    (missing > 0
      ? `\n\n${missing} run(s) of the plan are not complete yet; rerun the experiment command to finish them.`
      : "") +
    (damaged.length > 0
      ? `\n\n${damaged.length} run(s) are damaged and left out (delete their folders and rerun the experiment command to run them again):\n${damaged.map((d) => `- ${d}`).join("\n")}`
      : "");
  const md = [
    `# ${e.title}`,
    "",
    `${e.description}. ${budgetText}. Score: average reward over time (mean of all evaluation returns of the learning peers over training), mean ± std over seeds; the paper's numbers are at its full budget.${note}`,
    "",
    mdTable(header, table),
    "",
    "## How sure",
    "",
    `IQM: the interquartile mean of the runs' scores; 95% CIs from 2,000 stratified bootstrap resamples; P(better than baseline): the probability that a run of the method scores above a run of its single-agent baseline (pairs of runs, ties half), with its bootstrap CI (Agarwal et al., NeurIPS 2021). Steps counted: per agent, each peer had the budget; in total, one agent had the whole group's.`,
    "",
    evidenceMd,
    ...e.notes.flatMap((n) => ["", `Note: ${n}`]),
    ...(norm
      ? [
          "",
          "Normalised 0-100 per task (lowest method 0, highest 100), averaged over tasks:",
          "",
          mdTable(["method", "ours", "paper"], normRows),
        ]
      : []),
    "",
    ...plots.map((p) => `![${p.title}](${p.file})`),
    "",
    "Data: [runs.csv](runs.csv) (one line per run), [curves.csv](curves.csv) (one line per evaluation); each run folder has config.json, metrics.jsonl, summary.json.",
    "",
  ].join("\n");
  writeOutput(join(dir, "report.md"), md);

  const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const htmlTable = (head: string[], body: string[][]): string =>
    `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>${body.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("")}</table>`;
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${esc(e.title)}</title><style>body{font-family:sans-serif;max-width:900px;margin:2em auto}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px}td:nth-child(n+3){text-align:right}svg{display:block;margin:1em 0}</style></head><body><h1>${esc(e.title)}</h1><p>${esc(e.description)}. ${esc(budgetText)}. Score: average reward over time, mean ± std over seeds; the paper's numbers are at its full budget.${esc(note)}</p>${htmlTable(header, table)}<h2>How sure</h2>${markdownToHtml(evidenceMd)}${e.notes.map((n) => `<p><em>Note:</em> ${esc(n)}</p>`).join("")}${norm ? `<p>Normalised 0-100 per task, averaged over tasks:</p>${htmlTable(["method", "ours", "paper"], normRows)}` : ""}${plots.map((p) => `<h2>${esc(p.title)}</h2>${p.svg}`).join("")}<p>Data: <a href="runs.csv">runs.csv</a> (one line per run), <a href="curves.csv">curves.csv</a> (one line per evaluation).</p></body></html>\n`;
  const htmlPath = join(dir, "report.html");
  writeOutput(htmlPath, html);

  const runsCsv = [
    [
      "experiment",
      "task",
      "method",
      "seed",
      "steps_per_peer",
      "average_reward_over_time",
      "last_eval_mean",
      "wall_seconds",
      "steps_per_second",
      "follow_shares",
    ].join(","),
    ...runs.map((r) =>
      [
        m.experiment,
        r.task,
        r.method,
        r.seed,
        r.summary.steps,
        r.summary.averageRewardOverTime ?? "",
        r.summary.lastEval?.mean ?? "",
        r.summary.wallSeconds,
        r.summary.stepsPerSecond,
        followShares(r.summary),
      ]
        .map((v) => csvCell(v))
        .join(","),
    ),
  ];
  writeOutput(join(dir, "runs.csv"), `${runsCsv.join("\n")}\n`);
  const curvesCsv = [
    ["task", "method", "seed", "step", "eval_mean"].join(","),
    ...runs.flatMap((r) =>
      r.curve.steps.map((s, i) => [r.task, r.method, r.seed, s, r.curve.mean[i]].map((v) => csvCell(v)).join(",")),
    ),
  ];
  writeOutput(join(dir, "curves.csv"), `${curvesCsv.join("\n")}\n`);
  return { markdown: join(dir, "report.md"), html: htmlPath, rows, missing, damaged };
}

/** The little markdown the evidence section uses (bold task lines, tables, bullet sentences) as HTML. */
function markdownToHtml(md: string): string {
  const esc = (t: string): string => t.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const out: string[] = [];
  let table: string[][] = [];
  const flush = (): void => {
    if (table.length === 0) return;
    const [head, , ...body] = table;
    out.push(
      `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>${body.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("")}</table>`,
    );
    table = [];
  };
  for (const line of md.split("\n")) {
    if (line.startsWith("|")) {
      table.push(
        line
          .slice(1, -1)
          .split("|")
          .map((c) => c.trim()),
      );
      continue;
    }
    flush();
    if (line.startsWith("**")) out.push(`<h3>${esc(line.replace(/\*\*/g, ""))}</h3>`);
    else if (line.startsWith("- ")) out.push(`<p>${esc(line.slice(2))}</p>`);
  }
  flush();
  return out.join("");
}

/** The method table as text for the terminal. */
export function formatRows(rows: readonly MethodRow[]): string {
  const lines = rows.map(
    (r) =>
      `${r.task.padEnd(16)}${r.label.padEnd(42)}${String(r.seeds).padStart(5)}   ${meanStd(r).padEnd(18)}${r.paper || "–"}`,
  );
  return [
    `${"task".padEnd(16)}${"method".padEnd(42)}${"seeds".padStart(5)}   ${"ours".padEnd(18)}paper (full budget)`,
    ...lines,
  ].join("\n");
}

/** Writes one of the report's files; a path the user's folder blocks (a folder of that name, no permission) is one line. */
function writeOutput(path: string, data: string): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EISDIR" || code === "ENOTDIR" || code === "EACCES" || code === "EPERM" || code === "EROFS")
      throw new UserError(
        `cannot write ${path} (${code}): move what is in the way or fix its permissions, then run the same command again`,
      );
    throw e;
  }
}
