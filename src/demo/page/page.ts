/**
 * The demo page: reads the controls (or the same names from the address's query), starts training in a Web
 * Worker (worker.ts) and draws what it posts: the rooms with each peer and its goal, the evaluation curves, the
 * trust each peer receives, the agent values and the follow shares. It exposes its state as
 * `window.peerlearnDemo` for the browser test and for anyone curious in the console.
 */
import uPlot from "uplot";
import { afterFirstTenth, fitLabels } from "../../web/axes.js";
import { demoEvalFreq, type DemoPageState, type DemoFrame, type DemoSettings } from "../settings.js";
import { DEMO_BACKENDS, type DemoBackend, type FromWorker, type ToWorker } from "../protocol.js";

const state: DemoPageState = {
  settings: null,
  backend: "",
  step: 0,
  done: false,
  evaluations: [],
  envStepsPerSecond: 0,
  inputLatencies: [],
  frames: 0,
  error: null,
};
(window as unknown as { peerlearnDemo: DemoPageState }).peerlearnDemo = state;

const COLORS = ["#2563eb", "#16a34a", "#d97706", "#9333ea"];
const ADVERSARY = "#dc2626";

const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page lacks #${id}`);
  return el as T;
};
const input = (id: string): HTMLInputElement => byId<HTMLInputElement>(id);

// Every input event's delay before this thread handled it: training must never make the page slow to answer.
for (const kind of ["pointerdown", "keydown", "input", "change"])
  document.addEventListener(kind, (e) => state.inputLatencies.push(performance.now() - e.timeStamp), true);

/** Controls take their values from the query string first (?seed=3&peers=2&autostart=1 ...). */
function applyQuery(): boolean {
  const query = new URLSearchParams(location.search);
  for (const [key, value] of query) {
    const el = document.getElementById(key);
    if (el instanceof HTMLInputElement && el.type === "checkbox") el.checked = value === "1" || value === "true";
    else if (el instanceof HTMLInputElement || el instanceof HTMLSelectElement) el.value = value;
  }
  return query.get("autostart") === "1";
}

function readSettings(): DemoSettings {
  const int = (id: string, min: number, max: number): number => {
    const v = Number(input(id).value);
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${id} must be a whole number in [${min}, ${max}]`);
    return v;
  };
  const temperature = Number(input("temperature").value);
  if (!(temperature > 0 && temperature <= 100)) throw new Error("temperature must be in (0, 100]");
  const steps = int("steps", 100, 10_000_000);
  return {
    peers: int("peers", 2, 4),
    critic: input("critic").checked,
    trust: input("trust").checked,
    agentValues: input("agentValues").checked,
    advantage: input("advantage").checked,
    adversary: input("adversary").checked,
    followSteps: int("followSteps", 1, 1000),
    temperature,
    seed: int("seed", 0, 2 ** 31 - 1),
    steps,
    evalFreq: demoEvalFreq(steps),
  };
}

/**
 * A line chart of one series per peer against env steps, kept to at most 2,000 points. `recent`: the y axis spans
 * the values after the first tenth of the points only (trust and agent values start at 200 and fall within a few
 * hundred steps; the differences between peers come later and would be flattened by the start).
 */
class Chart {
  private readonly plot: uPlot;
  private readonly data: number[][];

  constructor(el: HTMLElement, names: readonly string[], colors: readonly string[], yLabel: string, recent = false) {
    el.replaceChildren();
    this.data = [[], ...names.map(() => [])];
    const recentRange = (): uPlot.Range.MinMax => afterFirstTenth(this.data);
    this.plot = new uPlot(
      {
        width: Math.max(320, el.clientWidth || 520),
        height: 170,
        scales: { x: { time: false }, ...(recent ? { y: { range: recentRange } } : {}) },
        series: [{ label: "env steps" }, ...names.map((label, i) => ({ label, stroke: colors[i], width: 2 }))],
        axes: [
          { label: "env steps per peer", labelSize: 16 },
          { label: yLabel, labelSize: 16, size: fitLabels },
        ],
      },
      this.data as uPlot.AlignedData,
      el,
    );
  }

  push(x: number, ys: readonly number[]): void {
    this.data[0].push(x);
    ys.forEach((y, i) => this.data[i + 1].push(y));
    if (this.data[0].length > 2000)
      for (const s of this.data) s.splice(0, s.length, ...s.filter((_, j) => j % 2 === 0));
    this.plot.setData(this.data as uPlot.AlignedData);
  }
}

const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
let curve: Chart | null = null;
let trustChart: Chart | null = null;
let valuesChart: Chart | null = null;
let paused = false;

function peerNames(s: DemoSettings): { names: string[]; colors: string[] } {
  const names = Array.from({ length: s.peers }, (_, i) => `peer ${i}`);
  const colors = COLORS.slice(0, s.peers);
  if (s.adversary) {
    names.push("adversary");
    colors.push(ADVERSARY);
  }
  return { names, colors };
}

function start(): void {
  let settings: DemoSettings;
  try {
    settings = readSettings();
  } catch (e) {
    byId("error").textContent = e instanceof Error ? e.message : String(e);
    return;
  }
  byId("error").textContent = "";
  Object.assign(state, { settings, step: 0, done: false, evaluations: [], frames: 0, error: null });
  const { names, colors } = peerNames(settings);
  const learners = names.slice(0, settings.peers);
  curve = new Chart(byId("curve"), learners, colors, "evaluation return");
  trustChart = settings.trust ? new Chart(byId("trust-chart"), names, colors, "trust received", true) : null;
  valuesChart = settings.agentValues ? new Chart(byId("values-chart"), names, colors, "agent value", true) : null;
  if (!settings.trust) byId("trust-chart").textContent = "trust values are off";
  if (!settings.agentValues) byId("values-chart").textContent = "agent values are off";
  byId("legend").innerHTML = names.map((n, i) => `<span><i style="background:${colors[i]}"></i>${n}</span>`).join("");
  const backend = byId<HTMLSelectElement>("backend").value as DemoBackend;
  if (!DEMO_BACKENDS.includes(backend)) return;
  paused = false;
  byId<HTMLButtonElement>("pause").disabled = false;
  byId<HTMLButtonElement>("onnx").disabled = false;
  byId("pause").textContent = "Pause";
  send({ type: "start", settings, backend, speed: Number(byId<HTMLSelectElement>("speed").value) });
}

const send = (message: ToWorker): void => worker.postMessage(message);

function drawRooms(frame: DemoFrame): void {
  const canvas = byId<HTMLCanvasElement>("grid");
  const g = canvas.getContext("2d");
  if (!g) return;
  const cell = canvas.width / frame.size;
  g.fillStyle = "#fff";
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.strokeStyle = "#eef0f4";
  for (let i = 0; i <= frame.size; i++) {
    g.beginPath();
    g.moveTo(i * cell, 0);
    g.lineTo(i * cell, canvas.height);
    g.moveTo(0, i * cell);
    g.lineTo(canvas.width, i * cell);
    g.stroke();
  }
  // Each peer has its own room (same size, its own goal): drawn on one grid, slightly offset so they stay apart.
  frame.agents.forEach((a, k) => {
    const dx = ((k % 2) - 0.5) * cell * 0.3;
    const dy = (Math.floor(k / 2) - 0.5) * cell * 0.3;
    const color = COLORS[a.peer] ?? "#000";
    g.strokeStyle = color;
    g.lineWidth = 3;
    g.strokeRect(a.goal[0] * cell + 3, a.goal[1] * cell + 3, cell - 6, cell - 6);
    g.fillStyle = color;
    g.beginPath();
    g.arc((a.position[0] + 0.5) * cell + dx, (a.position[1] + 0.5) * cell + dy, cell * 0.3, 0, 2 * Math.PI);
    g.fill();
  });
}

function drawFollow(frame: DemoFrame, names: readonly string[]): void {
  const head = `<tr><th>peer \\ followed</th>${names.map((n) => `<th>${n}</th>`).join("")}</tr>`;
  const rows = frame.followShares.map((shares, i) => {
    const cells = shares.map(
      (s) => `<td style="background:rgba(37,99,235,${(s * 0.8).toFixed(2)})">${(100 * s).toFixed(0)}%</td>`,
    );
    return `<tr><th>${names[i]}</th>${cells.join("")}</tr>`;
  });
  byId("follow").innerHTML = head + rows.join("");
}

function onFrame(message: Extract<FromWorker, { type: "frame" }>): void {
  const { frame, evaluations } = message;
  const settings = state.settings;
  if (!settings) return;
  const { names } = peerNames(settings);
  state.step = frame.step;
  state.done = frame.done;
  state.frames += 1;
  state.envStepsPerSecond = message.envStepsPerSecond;
  state.evaluations.push(...evaluations);
  // Every learner evaluates at the same step (lockstep): one point per step once all of them have.
  for (let i = 0; i + settings.peers <= evaluations.length; i += settings.peers)
    curve?.push(
      evaluations[i].step,
      evaluations.slice(i, i + settings.peers).map((e) => e.mean),
    );
  if (frame.trust.length) {
    const received = frame.trust[0].map((_, j) => frame.trust.reduce((a, row) => a + row[j], 0) / frame.trust.length);
    trustChart?.push(frame.step, received);
  }
  if (frame.agentValues.length) valuesChart?.push(frame.step, frame.agentValues);
  drawRooms(frame);
  drawFollow(frame, names);
  const rate = Math.round(message.envStepsPerSecond).toLocaleString("en");
  byId("status").textContent =
    `${frame.done ? "Done" : "Training"}: step ${frame.step.toLocaleString("en")} of ` +
    `${settings.steps.toLocaleString("en")} per peer, ${rate} env steps/s, kernels ${state.backend}`;
}

/** Saves bytes as a file the browser downloads. */
function download(bytes: Uint8Array, name: string): void {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([Uint8Array.from(bytes)], { type: "application/octet-stream" }));
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  if (message.type === "started") state.backend = message.backend;
  else if (message.type === "frame") onFrame(message);
  else if (message.type === "onnx") download(message.bytes, `peerlearn-demo-peer-${message.peer}.onnx`);
  else {
    state.error = message.message;
    byId("error").textContent = message.message;
  }
};
worker.onerror = (e) => {
  state.error = e.message;
  byId("error").textContent = e.message;
};

byId("start").addEventListener("click", start);
byId("pause").addEventListener("click", () => {
  paused = !paused;
  send({ type: paused ? "pause" : "resume" });
  byId("pause").textContent = paused ? "Resume" : "Pause";
});
// Peer 0 is always a learner in the demo's groups (docs/onnx.md: what the file holds).
byId("onnx").addEventListener("click", () => send({ type: "export", peer: 0 }));
byId("speed").addEventListener("change", () =>
  send({ type: "speed", speed: Number(byId<HTMLSelectElement>("speed").value) }),
);
if (applyQuery()) start();
