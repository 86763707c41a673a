/**
 * The dashboard page (bundled into dist/dashboard/page.js by scripts/build-demo.mjs, served by server.ts): every
 * run's metrics lines as they arrive, drawn as charts per run (evaluation return per peer, agent values, trust),
 * follow shares and a table of runs; the sweeps' progress. `window.__dashboard` is read by the browser tests.
 */
import uPlot from "uplot";
import { afterFirstTenth, fitLabels } from "../../web/axes.js";
import type { RunInfo, SweepInfo } from "../runs.js";

/** A metrics line as the page reads it (runs/metrics-line.ts declares them; the page tolerates what it lacks). */
interface Line {
  type?: string;
  peer?: number;
  step: number;
  evalMean?: number;
  followCounts?: number[];
  trust?: number[];
  agentValues?: number[];
}

interface Summary {
  env?: string;
  averageRewardOverTime?: number | null;
  peers?: { kind: string }[];
}

type ChartName = "curve" | "agent" | "trust";

interface Run {
  lines: Line[];
  next: number;
  charts: Partial<Record<ChartName, uPlot>>;
  slots: Record<ChartName, HTMLElement>;
  follow: HTMLElement;
  row: HTMLTableRowElement;
  summary: Summary | null;
  name: string;
  env: string | null;
  kinds: string[] | null;
  busy: boolean;
  again: boolean;
}

declare global {
  interface Window {
    __dashboard: { points: Record<string, number>; draws: number; charts: () => uPlot[] };
  }
}

const runs = new Map<string, Run>();
window.__dashboard = {
  points: {},
  draws: 0,
  charts: () => [...runs.values()].flatMap((r) => Object.values(r.charts)),
};
const colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = "", text = ""): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text) e.textContent = text;
  return e;
}

/** Aligned [steps, series...] of `value(item)` for each key of `keyOf(item)`. */
function aligned<T extends { step: number }>(items: readonly T[], keyOf: (t: T) => number, value: (t: T) => number) {
  const steps = [...new Set(items.map((l) => l.step))].sort((a, b) => a - b);
  const keys = [...new Set(items.map(keyOf))].sort((a, b) => a - b);
  const at = new Map(steps.map((s, i) => [s, i]));
  const ys: (number | null)[][] = keys.map(() => steps.map(() => null));
  for (const l of items) ys[keys.indexOf(keyOf(l))][at.get(l.step) as number] = value(l);
  return { keys, data: [steps, ...ys] as uPlot.AlignedData };
}

function chart(
  run: Run,
  name: ChartName,
  title: string,
  keys: readonly number[],
  label: (k: number) => string,
  data: uPlot.AlignedData,
): void {
  const old = run.charts[name];
  if (old && old.series.length === keys.length + 1) return old.setData(data);
  old?.destroy();
  // Each chart keeps its place (curve, agent values, trust), whatever order they first appear in.
  run.charts[name] = new uPlot(
    {
      title,
      width: 460,
      height: 240,
      series: [
        { label: "env steps" },
        ...keys.map((k, i) => ({ label: label(k), stroke: colors[i % colors.length], spanGaps: true })),
      ],
      // Trust and agent values start at 200 and fall within a few hundred steps: their y range is that of the run
      // after its first tenth, where the peers' differences show.
      scales: { x: { time: false }, ...(name === "curve" ? {} : { y: { range: (u) => afterFirstTenth(u.data) } }) },
      axes: [
        { label: "env steps", labelSize: 18 },
        { label: title, labelSize: 18, size: fitLabels },
      ],
    },
    data,
    run.slots[name],
  );
}

function draw(id: string): void {
  const run = runs.get(id) as Run;
  const evals = run.lines.filter((l) => (l.type === "eval" || l.type === undefined) && typeof l.evalMean === "number");
  const group = evals.some((l) => l.type === "eval");
  const withPeer = evals.map((l) => ({ ...l, peer: l.peer ?? 0, evalMean: l.evalMean as number }));
  const curve = aligned(
    withPeer,
    (l) => l.peer,
    (l) => l.evalMean,
  );
  chart(run, "curve", "evaluation return", curve.keys, (k) => (group ? `peer ${k}` : "agent"), curve.data);
  const agent = withPeer.filter((l) => Array.isArray(l.agentValues) && l.peer === 0);
  if (agent.length) {
    const n = (agent[0].agentValues as number[]).length;
    const data = [
      agent.map((l) => l.step),
      ...Array.from({ length: n }, (_, j) => agent.map((l) => (l.agentValues as number[])[j])),
    ] as uPlot.AlignedData;
    chart(run, "agent", "agent values", [...Array(n).keys()], (j) => `peer ${j}`, data);
  }
  const trust = withPeer.filter((l) => Array.isArray(l.trust));
  if (trust.length) {
    const pairs: { step: number; key: number; v: number }[] = [];
    for (const l of trust)
      (l.trust as number[]).forEach((v, j) => pairs.push({ step: l.step, key: l.peer * 100 + j, v }));
    const t = aligned(
      pairs,
      (p) => p.key,
      (p) => p.v,
    );
    chart(
      run,
      "trust",
      "trust (peer -> peer it trusts)",
      t.keys,
      (k) => `${Math.floor(k / 100)} -> ${k % 100}`,
      t.data,
    );
  }
  // Follow shares: each peer's latest cumulative follow counts.
  const latest = new Map<number, number[]>();
  for (const l of withPeer) if (Array.isArray(l.followCounts)) latest.set(l.peer, l.followCounts);
  run.follow.textContent = [...latest]
    .map(([p, c]) => {
      const total = c.reduce((a, b) => a + b, 0) || 1;
      return `peer ${p} followed: ${c.map((x, j) => `${j}: ${((100 * x) / total).toFixed(0)}%`).join("  ")}`;
    })
    .join("\n");
  const last = evals.length ? Math.max(...evals.map((l) => l.step)) : 0;
  const score =
    run.summary?.averageRewardOverTime ??
    (evals.length ? evals.reduce((a, l) => a + (l.evalMean as number), 0) / evals.length : null);
  const peers =
    run.summary?.peers?.map((p) => p.kind).join(", ") ??
    run.kinds?.join(", ") ??
    (group ? `${curve.keys.length}` : "1");
  run.row.replaceChildren(
    ...[
      run.name,
      run.summary?.env ?? run.env ?? "",
      peers,
      String(last),
      score === null || score === undefined ? "-" : score.toFixed(2) + (run.summary ? "" : " (so far)"),
    ].map((t) => el("td", "", t)),
  );
  window.__dashboard.points[id] = evals.length;
  window.__dashboard.draws += 1;
}

async function update(id: string): Promise<void> {
  const run = runs.get(id) as Run;
  if (run.busy) {
    run.again = true;
    return;
  }
  run.busy = true;
  try {
    const r = (await fetch(`/api/metrics?run=${encodeURIComponent(id)}&from=${run.next}`).then((x) => x.json())) as {
      lines: Line[];
      next: number;
    };
    run.lines.push(...r.lines);
    run.next = r.next;
    if (r.lines.length) draw(id);
  } finally {
    run.busy = false;
    if (run.again) {
      run.again = false;
      void update(id);
    }
  }
}

function addRun(info: RunInfo): void {
  if (runs.has(info.id)) return;
  const card = el("div", "run");
  card.append(el("h2", "", info.name));
  const chartsBox = el("div", "charts");
  const slots = { curve: el("div"), agent: el("div"), trust: el("div") };
  chartsBox.append(slots.curve, slots.agent, slots.trust);
  const follow = el("div", "follow");
  card.append(chartsBox, follow);
  (document.getElementById("runs") as HTMLElement).append(card);
  const row = el("tr");
  (document.querySelector("#table tbody") as HTMLElement).append(row);
  runs.set(info.id, {
    lines: [],
    next: 0,
    charts: {},
    slots,
    follow,
    row,
    summary: (info.summary as Summary | null) ?? null,
    name: info.name,
    env: info.env,
    kinds: info.kinds,
    busy: false,
    again: false,
  });
  void update(info.id);
}

async function refreshSweeps(): Promise<void> {
  const box = document.getElementById("sweeps") as HTMLElement;
  const sweeps = (await fetch("/api/sweeps").then((r) => r.json())) as SweepInfo[];
  box.replaceChildren(
    ...sweeps.map((s) => {
      const p = (s.progress ?? {}) as { stepsPerSecond?: unknown; etaSeconds?: unknown; finished?: unknown };
      const rate = typeof p.stepsPerSecond === "number" ? `  ${p.stepsPerSecond.toFixed(0)} env steps/s` : "";
      const eta = typeof p.etaSeconds === "number" && !p.finished ? `  ETA ${Math.round(p.etaSeconds)} s` : "";
      return el("div", "sweep", `sweep ${s.experiment} (${s.id}): runs ${s.done}/${s.runs}${rate}${eta}`);
    }),
  );
}

async function refreshRuns(): Promise<void> {
  for (const info of (await fetch("/api/runs").then((r) => r.json())) as RunInfo[]) {
    addRun(info);
    const run = runs.get(info.id) as Run;
    if (info.summary && !run.summary) {
      run.summary = info.summary as Summary;
      if (run.lines.length) draw(info.id); // the row drops its "(so far)"
    }
  }
}

const status = (text: string): void => {
  (document.getElementById("status") as HTMLElement).textContent = text;
};

void refreshSweeps();
void refreshRuns().then(() => {
  const events = new EventSource("/events");
  events.onopen = () => status("live: charts redraw as runs write their metrics");
  events.onerror = () => status("reconnecting...");
  events.addEventListener("run", () => void refreshRuns());
  events.addEventListener("sweeps", () => void refreshSweeps());
  let lastRefresh = 0;
  events.addEventListener("grew", (e) => {
    const { id } = JSON.parse((e as MessageEvent<string>).data) as { id: string };
    if (runs.has(id)) void update(id);
    // A finished run writes its summary last: look again now and then.
    if (!runs.has(id) || Date.now() - lastRefresh > 2000) {
      lastRefresh = Date.now();
      void refreshRuns();
    }
  });
});
