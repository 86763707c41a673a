/**
 * Measures how many bytes one DQN update allocates on the JavaScript heap once compiled (the goal is none: the hot
 * path passes offsets and writes results in place).
 *
 * Run it in a process started with --expose-gc and a young generation large enough that no collection happens
 * inside a measured window (--max-semi-space-size=64), so that heap growth equals allocation. The first windows
 * still pay for the optimising compiler's own objects, so the least of six windows is the steady state. One
 * backend per process: mixing backends makes call sites polymorphic, which a real run never sees.
 */
import { Random } from "../core/random.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import { DqnNetworks } from "../agents/dqn/update.js";

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
  const run = (count: number): number => {
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < count; i++) net.trainStep(batch);
    return process.memoryUsage().heapUsed - before;
  };
  run(5_000);
  (globalThis as { gc?: () => void }).gc?.();
  return Math.min(...[0, 1, 2, 3, 4, 5].map(() => run(5_000) / 5_000));
}

/** Node flags under which `dqnUpdateBytesAllocated` measures allocation rather than collection. */
export const ALLOCATION_NODE_FLAGS = ["--expose-gc", "--max-semi-space-size=64"];
