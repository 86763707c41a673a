/**
 * Throughput of the NN engine: GEMM GFLOP/s on the shapes the networks use, and the time of one DQN and one SAC
 * gradient update (the arithmetic of a training step, on a fixed synthetic batch).
 */
import { Random } from "../core/random.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import { DqnNetworks } from "../agents/dqn/update.js";
import { SacNetworks, type SacBatch } from "../agents/sac/update.js";

/** A figure measured in several timed repetitions: their median, and the lowest and highest. */
export interface Measured {
  readonly value: number;
  readonly low: number;
  readonly high: number;
}

/** Timed repetitions per figure (their median is the figure; their range its spread). */
export const REPETITIONS = 5;

/**
 * Milliseconds per call of fn: after a warm-up of a quarter of `seconds` (at least 3 calls, so that the optimising
 * compiler has run), REPETITIONS timed runs of `seconds / REPETITIONS` each; the median and the range of them.
 */
export function timePerCall(fn: () => void, seconds: number): Measured {
  const warmStart = performance.now();
  for (let i = 0; i < 3 || performance.now() - warmStart < seconds * 250; i++) fn();
  const budget = (seconds * 1000) / REPETITIONS;
  const perCall: number[] = [];
  for (let r = 0; r < REPETITIONS; r++) {
    let n = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      fn();
      n++;
      elapsed = performance.now() - start;
    } while (elapsed < budget);
    perCall.push(elapsed / n);
  }
  perCall.sort((a, b) => a - b);
  return { value: perCall[Math.floor(REPETITIONS / 2)], low: perCall[0], high: perCall[REPETITIONS - 1] };
}

/** A rate from a time per call (work / ms): the fastest repetition gives the highest rate. */
export const rateOf = (work: number, t: Measured): Measured => ({
  value: work / t.value,
  low: work / t.high,
  high: work / t.low,
});

export interface GemmShape {
  readonly label: string;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transA: boolean;
  readonly transB: boolean;
}

/** 256^3 plus the products of a [256, 256] layer's forward and backward passes at batch 256 and a thin output layer. */
export const GEMM_SHAPES: readonly GemmShape[] = [
  { label: "256x256x256", m: 256, n: 256, k: 256, transA: false, transB: false },
  { label: "forward X W^T 256x256 (b256)", m: 256, n: 256, k: 256, transA: false, transB: true },
  { label: "weight grad G^T X 256x256 (b256)", m: 256, n: 256, k: 256, transA: true, transB: false },
  { label: "forward 256->4 (b256)", m: 256, n: 4, k: 256, transA: false, transB: true },
  { label: "forward 17->256 (b256)", m: 256, n: 256, k: 17, transA: false, transB: true },
];

export function gemmGflops(kernels: Kernels, shape: GemmShape, seconds: number): Measured {
  const { m, n, k, transA, transB } = shape;
  const heap = kernels.heap;
  const a = heap.alloc(m * k);
  const b = heap.alloc(k * n);
  const c = heap.alloc(m * n);
  const rng = new Random(1);
  for (let i = 0; i < a.length; i++) a.data[i] = rng.normal();
  for (let i = 0; i < b.length; i++) b.data[i] = rng.normal();
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  const ms = timePerCall(
    () => kernels.gemm(transA, transB, m, n, k, a.offset, lda, b.offset, ldb, c.offset, n, 0),
    seconds,
  );
  return rateOf((2 * m * n * k) / 1e6, ms);
}

/** One DQN update (Room's network: 4-256-256-4, batch 256, Adam, gradient clip 10), in milliseconds. */
export function dqnUpdateMs(kernels: Kernels, seconds: number): Measured {
  return timePerCall(dqnUpdate(kernels), seconds);
}

/** A DQN update on a fixed random batch, ready to call. */
export function dqnUpdate(kernels: Kernels): () => void {
  const rng = new Random(2);
  const batch = 256;
  const net = new DqnNetworks(
    kernels,
    { obsDim: 4, nActions: 4, hidden: [256, 256], batchSize: batch, learningRate: 5e-4, gamma: 0.99, maxGradNorm: 10 },
    rng,
  );
  const obs = kernels.heap.alloc(batch * 4);
  const nextObs = kernels.heap.alloc(batch * 4);
  for (let i = 0; i < obs.length; i++) {
    obs.data[i] = rng.uniform();
    nextObs.data[i] = rng.uniform();
  }
  const actions = new Int32Array(batch);
  rng.fillIntegers(actions, 4);
  const rewards = new Float32Array(batch).map(() => rng.normal());
  const dones = new Float32Array(batch);
  const b = { obs, nextObs, actions, rewards, dones };
  return () => net.trainStep(b);
}

/** A SAC batch of random observations and actions in [-1, 1] on the kernels' heap (for benchmarks and tests). */
export function randomSacBatch(kernels: Kernels, rng: Random, n: number, obsDim: number, actDim: number): SacBatch {
  const w = obsDim + actDim;
  const obsAction = kernels.heap.alloc(n * w);
  const nextObsAction = kernels.heap.alloc(n * w);
  for (let i = 0; i < n * w; i++) {
    obsAction.data[i] = i % w < obsDim ? rng.normal() : rng.uniformIn(-1, 1);
    nextObsAction.data[i] = rng.normal();
  }
  const rewards = Float32Array.from({ length: n }, () => rng.normal());
  return { obsAction, nextObsAction, rewards, dones: new Float32Array(n) };
}

/** One SAC update (obs 17, act 6, [256, 256], batch 256, automatic entropy), in milliseconds. */
export function sacUpdateMs(kernels: Kernels, seconds: number, hidden: readonly number[] = [256, 256]): Measured {
  return timePerCall(sacUpdate(kernels, hidden), seconds);
}

/** A SAC update on a fixed random batch, ready to call. */
export function sacUpdate(
  kernels: Kernels,
  hidden: readonly number[] = [256, 256],
  obsDim = 17,
  actDim = 6,
): () => void {
  const rng = new Random(3);
  const batch = 256;
  const net = new SacNetworks(
    kernels,
    { obsDim, actDim, hidden, batchSize: batch, learningRate: 3e-4, gamma: 0.99, tau: 0.005 },
    rng,
  );
  const b = randomSacBatch(kernels, rng, batch, obsDim, actDim);
  return () => net.trainStep(b);
}

/**
 * Floating-point operations of the matrix products one call of `run` does (2 m n k per product; the element-wise
 * work is left out, so a share of the peak computed from it is a lower bound). `build` makes the update on the
 * kernels it is given, which count as they compute.
 */
export function countGemmFlops(kernels: Kernels, build: (k: Kernels) => () => void): number {
  let flops = 0;
  const counting: Kernels = Object.create(kernels) as Kernels;
  counting.gemm = (ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta) => {
    flops += 2 * m * n * k;
    kernels.gemm(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta);
  };
  const run = build(counting);
  run(); // a first call may set things up
  flops = 0;
  run();
  return flops;
}

/** GEMM FLOPs of the benchmarked DQN and SAC updates (see dqnUpdate and sacUpdate). */
export function updateFlops(kernels: Kernels): { dqn: number; sac: number; sac150x200: number } {
  return {
    dqn: countGemmFlops(kernels, (k) => dqnUpdate(k)),
    sac: countGemmFlops(kernels, (k) => sacUpdate(k)),
    sac150x200: countGemmFlops(kernels, (k) => sacUpdate(k, [150, 200])),
  };
}
