/**
 * The demo's training thread: builds a DemoRun (src/demo/demo-run.ts) on the chosen kernels and advances it in
 * slices of about 30 ms, posting a frame after each, so that control messages (pause, speed, restart) are
 * answered between slices. The page's thread never trains: it stays free for input and drawing.
 */
import { DemoRun } from "../demo-run.js";
import type { FromWorker, ToWorker, DemoBackend } from "../protocol.js";
import type { Kernels } from "../../nn/kernels/kernels.js";
import { JsKernels } from "../../nn/kernels/js.js";
import { WasmKernels, type WasmModules } from "../../nn/kernels/wasm.js";

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
}
const scope = self as unknown as WorkerScope;

const SLICE_MS = 30;
/** Bumped by every start, so that the loop of an earlier run stops. */
let generation = 0;
let paused = false;
let speed = 0;
/** The run being trained (its peers can be exported), or null before the first start. */
let running: DemoRun | null = null;
let wasm: Promise<WasmModules> | null = null;

/** The kernels fetched and compiled once (relaxed SIMD where this browser validates it). */
async function wasmModules(): Promise<WasmModules> {
  const load = async (name: string): Promise<ArrayBuffer> => {
    const response = await fetch(new URL(name, import.meta.url));
    if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
    return response.arrayBuffer();
  };
  const [plain, relaxed] = await Promise.all([load("kernels.wasm"), load("kernels-relaxed.wasm")]);
  return {
    plain: await WebAssembly.compile(plain),
    relaxed: WebAssembly.validate(relaxed) ? await WebAssembly.compile(relaxed) : null,
  };
}

async function kernelsFor(backend: DemoBackend): Promise<Kernels> {
  if (backend === "js") return new JsKernels();
  wasm ??= wasmModules();
  return new WasmKernels({ modules: await wasm });
}

/** Yields to the message queue without setTimeout's clamping of nested timers. */
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function train(current: DemoRun, mine: number): Promise<void> {
  let reported = 0;
  let activeMs = 0;
  let owed = 0;
  const peers = current.group.members.length;
  while (mine === generation && !current.done) {
    if (paused) {
      await sleep(50);
      continue;
    }
    const started = performance.now();
    if (speed === 0) {
      do current.advance(5);
      while (performance.now() - started < SLICE_MS && !current.done);
    } else {
      owed += (speed * SLICE_MS) / 1000;
      const steps = Math.floor(owed);
      owed -= steps;
      current.advance(steps);
    }
    const frame = current.frame();
    const evaluations = current.evaluations.slice(reported);
    reported = current.evaluations.length;
    if (speed === 0) await yieldToMessages();
    else await sleep(Math.max(0, SLICE_MS - (performance.now() - started)));
    activeMs += performance.now() - started;
    const envStepsPerSecond = (current.step * peers) / Math.max(1e-3, activeMs / 1000);
    if (mine === generation) scope.postMessage({ type: "frame", frame, evaluations, envStepsPerSecond });
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === "pause") paused = true;
  else if (message.type === "resume") paused = false;
  else if (message.type === "speed") speed = message.speed;
  else if (message.type === "export") {
    if (running) scope.postMessage({ type: "onnx", peer: message.peer, bytes: running.exportPeer(message.peer) });
  } else if (message.type === "start") {
    const mine = ++generation;
    paused = false;
    speed = message.speed;
    kernelsFor(message.backend)
      .then((kernels) => {
        if (mine !== generation) return;
        const run = new DemoRun(message.settings, kernels);
        running = run;
        scope.postMessage({ type: "started", backend: `${kernels.name} (${kernels.variant})` });
        return train(run, mine);
      })
      .catch((e: unknown) => scope.postMessage({ type: "error", message: e instanceof Error ? e.message : String(e) }));
  }
};
