/**
 * Measures how many bytes one DQN update allocates on the JavaScript heap once compiled (the goal is none: the hot
 * path passes offsets and writes results in place).
 *
 * Run it in a process started with --expose-gc and a young generation large enough that no collection happens
 * inside a measured window (--max-semi-space-size=64), so that heap growth equals allocation. The first windows
 * still pay for the optimising compiler's own objects, so the least of six windows is the steady state. One
 * backend per process: mixing backends makes call sites polymorphic, which a real run never sees.
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Random } from "../core/random.js";
import type { BackendName } from "../nn/kernels/kernels.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import { DqnNetworks } from "../agents/dqn/update.js";
import { SAC_DEFAULTS, Sac } from "../agents/sac/sac.js";
import { TD3_DEFAULTS, Td3 } from "../agents/td3/td3.js";
import { DQN_DEFAULTS } from "../agents/dqn/config.js";
import { Dqn } from "../agents/dqn/dqn.js";

export function dqnUpdateBytesAllocated(k: Kernels): number {
  const rng = new Random(33);
  const n = 16;
  // maxGradNorm is tiny so that the clipping branch (scale) runs too.
  const net = new DqnNetworks(
    k,
    { obsDim: 4, nActions: 2, hidden: [8], batchSize: n, learningRate: 1e-3, gamma: 0.99, maxGradNorm: 0.01 },
    rng,
  );
  const obs = k.heap.alloc(n * 4);
  const nextObs = k.heap.alloc(n * 4);
  for (let i = 0; i < n * 4; i++) obs.data[i] = rng.normal();
  const rewards = Float32Array.from({ length: n }, () => rng.normal());
  const batch = { obs, nextObs, actions: new Int32Array(n), rewards, dones: new Float32Array(n) };
  return bytesPerCall(() => net.trainStep(batch), 5_000);
}

/** Algorithms whose gradient steps `gradientStepBytesAllocated` measures, replay sampling included. */
export const CONTINUOUS_UPDATES = ["sac", "sac-gsde", "td3"] as const;

/** Bytes one gradient step of a small SAC (with or without gSDE) or TD3 agent allocates, sampling its batch. */
export function gradientStepBytesAllocated(k: Kernels, algo: (typeof CONTINUOUS_UPDATES)[number]): number {
  const rng = new Random(34);
  const [obsDim, actDim] = [5, 2];
  const small = { netArch: [8], batchSize: 16, learningStarts: 0, gradientSteps: 1 };
  const agent =
    algo === "td3"
      ? new Td3(k, obsDim, actDim, { ...TD3_DEFAULTS, ...small, policyDelay: 1 }, rng)
      : new Sac(k, obsDim, actDim, { ...SAC_DEFAULTS, ...small, useSde: algo === "sac-gsde" }, rng);
  const obs = new Float32Array(obsDim);
  const next = new Float32Array(obsDim);
  const action = new Float32Array(actDim);
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < obsDim; j++) [obs[j], next[j]] = [rng.normal(), rng.normal()];
    for (let j = 0; j < actDim; j++) action[j] = rng.uniformIn(-1, 1);
    agent.buffer.add(obs, next, action, rng.normal(), false);
  }
  return bytesPerCall(() => agent.trainNow(), 2_000);
}

/** Algorithms whose acting `actingBytesAllocated` measures. */
export const ACTING = ["dqn", "sac", "sac-gsde", "td3"] as const;

/**
 * Bytes one training-time action of a small agent allocates, past learning starts (the network and the
 * exploration noise: DQN's epsilon draw, SAC's Gaussian or gSDE noise, TD3's action noise), as every env step asks.
 */
export function actingBytesAllocated(k: Kernels, algo: (typeof ACTING)[number]): number {
  const rng = new Random(35);
  const [obsDim, actDim] = [5, 2];
  const small = { netArch: [8], batchSize: 16, learningStarts: 0 };
  const agent =
    algo === "dqn"
      ? new Dqn(k, obsDim, 3, { ...DQN_DEFAULTS, ...small }, rng)
      : algo === "td3"
        ? new Td3(k, obsDim, actDim, { ...TD3_DEFAULTS, ...small }, rng)
        : new Sac(k, obsDim, actDim, { ...SAC_DEFAULTS, ...small, useSde: algo === "sac-gsde" }, rng);
  if (agent instanceof Dqn) agent.explorationRate = 0.5; // both branches: a random and a greedy action
  const obs = Float32Array.from({ length: obsDim }, () => rng.normal());
  let t = 1;
  return bytesPerCall(() => agent.act(obs, t++), 20_000);
}

/**
 * The least growth of the JS heap per call over six windows of `count` calls, after one to compile (NaN: no window
 * could be counted).
 */
function bytesPerCall(call: () => void, count: number): number {
  const run = (): number => {
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < count; i++) call();
    return process.memoryUsage().heapUsed - before;
  };
  run();
  (globalThis as { gc?: () => void }).gc?.();
  // A window in which the heap shrank had a collection in it (V8 may start one anyway): it measures nothing.
  const windows = [0, 1, 2, 3, 4, 5].map(() => run() / count).filter((bytes) => bytes >= 0);
  return windows.length > 0 ? Math.min(...windows) : Number.NaN;
}

/** Node flags under which `dqnUpdateBytesAllocated` measures allocation rather than collection. */
export const ALLOCATION_NODE_FLAGS = ["--expose-gc", "--max-semi-space-size=64"];

/** `dqnUpdateBytesAllocated` of a backend, measured in a child process with the flags it needs (see above). */
export function measureAllocation(backend: BackendName): number | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const script = `
    const { tryCreateKernels } = await import(${JSON.stringify(pathToFileURL(join(here, "..", "nn", "kernels", "select.js")).href)});
    const { dqnUpdateBytesAllocated } = await import(${JSON.stringify(pathToFileURL(join(here, "allocation.js")).href)});
    const k = tryCreateKernels(${JSON.stringify(backend)});
    if (k instanceof Error) throw k;
    console.log(dqnUpdateBytesAllocated(k));`;
  try {
    const out = execFileSync(process.execPath, [...ALLOCATION_NODE_FLAGS, "--input-type=module", "-e", script], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return Number(out.trim());
  } catch {
    return null; // running from TypeScript sources (tests) rather than the built package
  }
}
