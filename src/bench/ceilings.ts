/**
 * The ceilings of the bench's targets on this core: what a figure would read if everything but its physical bound
 * cost nothing. A figure below its ceiling has room for tuning; a ceiling below a target says that the target is
 * past what this core (or the design) allows, whatever is tuned.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BackendName, Kernels } from "../nn/kernels/kernels.js";
import { REPETITIONS, dqnUpdate, sacUpdate, type Measured } from "./nn-bench.js";
import { canPin, currentCpu, pinnedTo } from "./cpu-affinity.js";
import type { StepBreakdown } from "./peer-breakdown.js";
import { trainerThreadsLimit } from "./peer-breakdown.js";

/** The kernel calls that are matrix products (a layer's fused product counts as one call). */
const PRODUCT_CALLS = ["gemm", "linearForward", "linearBackwardInput"] as const;

/**
 * Milliseconds per call of the update `build` makes spent inside its matrix-product calls: the median of
 * REPETITIONS windows of `seconds / REPETITIONS` each after a warm-up, with their range.
 */
export function productCallMs(kernels: Kernels, build: (k: Kernels) => () => void, seconds: number): Measured {
  let inProducts = 0;
  let depth = 0; // the js and wasm layer products call gemm themselves: only the outermost call is timed
  const timed = Object.create(kernels) as Kernels;
  for (const name of PRODUCT_CALLS) {
    const call = kernels[name] as (...args: unknown[]) => void;
    const wrapped = function (this: Kernels, ...args: unknown[]): void {
      const start = depth++ === 0 ? performance.now() : 0;
      try {
        call.apply(this, args);
      } finally {
        if (--depth === 0) inProducts += performance.now() - start;
      }
    };
    Object.defineProperty(timed, name, { value: wrapped });
  }
  const update = build(timed);
  const warmStart = performance.now();
  for (let i = 0; i < 3 || performance.now() - warmStart < seconds * 250; i++) update();
  const perCall: number[] = [];
  for (let r = 0; r < REPETITIONS; r++) {
    inProducts = 0;
    let n = 0;
    const start = performance.now();
    do {
      update();
      n++;
    } while (performance.now() - start < (seconds * 1000) / REPETITIONS);
    perCall.push(inProducts / n);
  }
  perCall.sort((a, b) => a - b);
  return { value: perCall[Math.floor(REPETITIONS / 2)], low: perCall[0], high: perCall[REPETITIONS - 1] };
}

export type UpdateName = "dqn" | "sac" | "sac150x200";

/** Product time per update of the benchmarked DQN and SAC updates (nn-bench.ts), in milliseconds. */
export function updateProductMs(kernels: Kernels, seconds: number): Record<UpdateName, Measured> {
  return {
    dqn: productCallMs(kernels, (k) => dqnUpdate(k), seconds),
    sac: productCallMs(kernels, (k) => sacUpdate(k), seconds),
    sac150x200: productCallMs(kernels, (k) => sacUpdate(k, [150, 200]), seconds),
  };
}

/**
 * updateProductMs of a backend (a native path forced with `isa`), measured in a child process pinned to this core:
 * the timing kernels there are the only ones the networks' code ever sees. In this process, after the plain updates,
 * they would make its call sites polymorphic and the products read slower than the whole update did. Null when the
 * child cannot run (from the TypeScript sources, in tests), with the reason logged.
 */
export function updateProductMsInChild(
  backend: BackendName,
  isa: string | null,
  seconds: number,
  log: (line: string) => void,
): Record<UpdateName, Measured> | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const url = (...path: string[]): string => JSON.stringify(pathToFileURL(join(here, ...path)).href);
  const script = `
    const { tryCreateKernels } = await import(${url("..", "nn", "kernels", "select.js")});
    const { updateProductMs } = await import(${url("ceilings.js")});
    const [backend, isa, seconds] = process.argv.slice(1);
    const k = tryCreateKernels(backend);
    if (k instanceof Error) throw k;
    if (isa) k.setIsa(isa);
    console.log(JSON.stringify(updateProductMs(k, Number(seconds))));`;
  const args = ["--input-type=module", "-e", script, backend, isa ?? "", String(seconds)];
  const [command, argv] = pinnedTo(currentCpu(), process.execPath, args, canPin());
  const run = spawnSync(command, argv, { encoding: "utf8" });
  if (run.status !== 0) {
    log(`  the product calls could not be timed in a child process: ${(run.stderr || run.error?.message) ?? ""}`);
    return null;
  }
  try {
    return JSON.parse(run.stdout.trim().split("\n").pop() ?? "") as Record<UpdateName, Measured>;
  } catch (e) {
    log(`  the product calls' child process answered something unreadable (${(e as Error).message})`);
    return null;
  }
}

/**
 * updateShareOfGemmRate's ceiling: an update's GEMM FLOPs at the 256^3 GEMM's rate over the time its product calls
 * take in the update, i.e. the share it would reach if the element-wise work between the products cost nothing.
 */
export const shareCeiling = (gflop: number, gemmGflops: number, productMs: number): number =>
  ((gflop / gemmGflops) * 1000) / productMs;

/**
 * The least time over PyTorch's each update could take on this core: its GEMM FLOPs at the measured FMA peak,
 * nothing else done, over PyTorch's measured time; null without a peak or PyTorch's figures.
 */
export function ratioToTorchAtPeak(
  gflop: { readonly dqn: number; readonly sac: number },
  peakGflops: number | null,
  torch: { readonly dqnUpdateMs: number; readonly sacUpdateMs: number } | null,
): { dqn: number; sac: number } | null {
  if (!peakGflops || !torch) return null;
  const atPeakMs = (g: number): number => (g / peakGflops) * 1000;
  return { dqn: atPeakMs(gflop.dqn) / torch.dqnUpdateMs, sac: atPeakMs(gflop.sac) / torch.sacUpdateMs };
}

/**
 * trainerThreadsLimit (over lockstep on one thread) expressed over round-robin, the schedule the target compares
 * with: the two schedules' measured rates convert it.
 */
export function trainerThreadsLimitOverRoundRobin(
  breakdown: StepBreakdown,
  lockstepRate: number,
  roundRobinRate: number,
): number {
  return (trainerThreadsLimit(breakdown, 2) * lockstepRate) / roundRobinRate;
}
