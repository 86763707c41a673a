/**
 * `peerlearn bench`: throughput of every available kernel backend, with PyTorch's time for the same updates
 * measured in the same run when it is installed, printed as tables and (with --json) as one JSON object.
 */
import { loadavg } from "node:os";
import { loadOf } from "./load.js";
import { cpuDescription } from "../core/provenance.js";
import { BACKEND_NAMES, type BackendName, type Kernels } from "../nn/kernels/kernels.js";
import { getKernels, tryCreateKernels } from "../nn/kernels/select.js";
import { loadNativeKernels } from "../nn/kernels/native.js";
import { measureAllocation } from "./allocation.js";
import { GEMM_SHAPES, dqnUpdateMs, gemmGflops, sacUpdateMs, updateFlops } from "./nn-bench.js";
import {
  ratioToTorchAtPeak,
  shareCeiling,
  trainerThreadsLimitOverRoundRobin,
  updateProductMsInChild,
} from "./ceilings.js";
import { engineFigures, spreadOf, steadinessWarning, unsteadyFigures, type Spread } from "./steadiness.js";
import { repeatedStepBreakdown, trainerThreadsLimit } from "./peer-breakdown.js";
import { LOOP_REPETITIONS, repeatedRates } from "./repeat.js";
import { NATIVE_ISAS, isSimdIsa, type NativeKernels } from "../nn/kernels/native.js";
import { BF16_ISA } from "../nn/kernels/precision.js";
import { measureTorch, torchFigures, type TorchTimings } from "./torch-reference.js";
import { currentCpu } from "./cpu-affinity.js";
import {
  continuousTrainingStepsPerSecond,
  dqnTrainingStepsPerSecond,
  envStepsPerSecond,
  halfCheetahSacStepsPerSecond,
  hopperSacGroupStepsPerSecond,
  peerLearningStepsPerSecond,
} from "./env-bench.js";
import { MUJOCO_TASKS } from "../agents/config.js";
import { prepareEnv } from "../envs/registry.js";
import { mujoco } from "../envs/mujoco/engine.js";

export interface BenchOptions {
  /** Seconds per measurement (default 1). */
  readonly seconds: number;
  /** Only these backends (default: all available). */
  readonly backends?: readonly BackendName[];
  readonly torch: boolean;
  /** A few steps of every training loop instead of the measured amounts: checks the bench runs, measures nothing. */
  readonly smoke?: boolean;
  /** Progress lines (stderr). */
  readonly log: (line: string) => void;
}

import type { BackendResult, BenchResult, NativePathResult } from "./bench-result.js";

export type { BackendResult, BenchResult, NativePathResult };

type UpdateGflop = BenchResult["updateGflop"];

function benchBackend(
  k: Kernels,
  seconds: number,
  log: (l: string) => void,
  peak: number | null,
  flop: UpdateGflop,
  label: string = k.name,
  forcedIsa: string | null = null,
): BackendResult {
  const gemmShapes: Record<string, number> = {};
  const spread: Record<string, Spread> = {};
  for (const shape of GEMM_SHAPES) {
    log(`  ${label}: GEMM ${shape.label}`);
    const g = gemmGflops(k, shape, Math.min(seconds, 0.5));
    gemmShapes[shape.label] = g.value;
    spread[`gemm ${shape.label}`] = spreadOf(g);
  }
  log(`  ${label}: DQN update`);
  const updates = { dqnUpdate: dqnUpdateMs(k, seconds) };
  log(`  ${label}: SAC update`);
  const all = { ...updates, sacUpdate: sacUpdateMs(k, seconds), sac150x200Update: sacUpdateMs(k, seconds, [150, 200]) };
  log(`  ${label}: the updates' product calls alone`);
  const products = updateProductMsInChild(k.name, forcedIsa, seconds, log);
  for (const [name, m] of Object.entries(all)) spread[name] = spreadOf(m);
  for (const [name, m] of Object.entries(products ?? {})) spread[`products ${name}`] = spreadOf(m);
  const [dqn, sac, sac150] = [all.dqnUpdate.value, all.sacUpdate.value, all.sac150x200Update.value];
  // GFLOP per update / ms per update = TFLOP/s; over the peak in GFLOP/s.
  const share = (gflop: number, ms: number): number => gflop / (ms / 1000) / (peak as number);
  const gemmRate = gemmShapes[GEMM_SHAPES[0].label];
  const atGemmRate = (gflop: number, ms: number): number => ((gflop / gemmRate) * 1000) / ms;
  const shareOfPeak = peak
    ? {
        gemm: Object.fromEntries(Object.entries(gemmShapes).map(([label, g]) => [label, g / peak])),
        dqnUpdate: share(flop.dqn, dqn),
        sacUpdate: share(flop.sac, sac),
        sac150x200Update: share(flop.sac150x200, sac150),
      }
    : null;
  return {
    variant: k.variant,
    gemmGflops: gemmShapes[GEMM_SHAPES[0].label],
    gemmShapes,
    dqnUpdateMs: dqn,
    sacUpdateMs: sac,
    sac150x200UpdateMs: sac150,
    shareOfPeak,
    updateShareOfGemmRate: {
      dqn: atGemmRate(flop.dqn, dqn),
      sac: atGemmRate(flop.sac, sac),
      sac150x200: atGemmRate(flop.sac150x200, sac150),
    },
    productMs: products && {
      dqn: products.dqn.value,
      sac: products.sac.value,
      sac150x200: products.sac150x200.value,
    },
    updateShareCeiling: products && {
      dqn: shareCeiling(flop.dqn, gemmRate, products.dqn.value),
      sac: shareCeiling(flop.sac, gemmRate, products.sac.value),
      sac150x200: shareCeiling(flop.sac150x200, gemmRate, products.sac150x200.value),
    },
    spread,
  };
}

/** Each native SIMD path's FMA peak on this core (none without the addon). */
function measurePeaks(native: NativeKernels | Error, seconds: number): Record<string, number> {
  if (native instanceof Error) return {};
  const inUse = native.variant;
  const peaks: Record<string, number> = {};
  for (const isa of NATIVE_ISAS.filter(isSimdIsa)) {
    try {
      native.setIsa(isa);
    } catch {
      continue; // this CPU does not run that path
    }
    peaks[isa] = native.fmaPeakGflops(seconds);
  }
  native.setIsa(inUse);
  return peaks;
}

/** The core's fp32 peak: the best fp32 path's (the bf16 path's counts two multiply-adds per lane). */
function fp32Peak(peaks: Record<string, number>): number | null {
  const fp32 = Object.entries(peaks).filter(([isa]) => isa !== BF16_ISA);
  return fp32.length ? Math.max(...fp32.map(([, p]) => p)) : null;
}

/** Every native SIMD path this CPU runs, forced in turn; the path in use is restored. */
function benchNativePaths(
  native: NativeKernels,
  peaks: Record<string, number>,
  corePeak: number | null,
  seconds: number,
  flop: UpdateGflop,
  log: (l: string) => void,
): Record<string, NativePathResult> {
  const inUse = native.variant;
  const out: Record<string, NativePathResult> = {};
  try {
    for (const [isa, peakGflops] of Object.entries(peaks)) {
      native.setIsa(isa);
      log(`native path ${isa} (forced)`);
      out[isa] = { ...benchBackend(native, seconds, log, corePeak, flop, `native ${isa}`, isa), peakGflops };
    }
  } finally {
    native.setIsa(inUse);
  }
  return out;
}

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const { seconds, log } = options;
  /** Env steps of a training loop: enough to measure (from `seconds`), or just past warm-up in a smoke run. */
  const steps = (perSecond: number, least: number, smoke: number): number =>
    options.smoke ? smoke : Math.max(least, Math.round(seconds * perSecond));
  const loadAtStart = loadavg()[0];
  const selected = getKernels();
  const wanted = options.backends ?? BACKEND_NAMES;
  const backends: Partial<Record<BackendName, BackendResult>> = {};
  const unavailable: Partial<Record<BackendName, string>> = {};
  let peakRssMiB = 0;
  // The selected backend first, so that the peak RSS reading covers the DQN benchmark alone.
  const order = [selected.name, ...wanted.filter((b) => b !== selected.name)].filter((b) => wanted.includes(b));
  const native = loadNativeKernels();
  log("FMA peak of each native path");
  const peaks = measurePeaks(native, Math.min(seconds, 0.5));
  const corePeakGflops = fp32Peak(peaks);
  const updateGflop = Object.fromEntries(
    Object.entries(updateFlops(tryCreateKernels("js") as Kernels)).map(([k, v]) => [k, v / 1e9]),
  ) as UpdateGflop;
  let updatesCpu: number | null = null; // the core the selected backend's updates ran on (the reference runs there)
  for (const name of order) {
    const k = name === selected.name ? selected : tryCreateKernels(name);
    if (k instanceof Error) {
      unavailable[name] = k.message;
      log(`${name}: unavailable (${k.message})`);
      continue;
    }
    log(`${name} (${k.variant})`);
    backends[name] = benchBackend(k, seconds, log, corePeakGflops, updateGflop);
    if (name === selected.name) updatesCpu = currentCpu();
    if (peakRssMiB === 0) peakRssMiB = process.resourceUsage().maxRSS / 1024;
  }
  const nativePaths =
    wanted.includes("native") && !(native instanceof Error)
      ? benchNativePaths(native, peaks, corePeakGflops, seconds, updateGflop, log)
      : {};
  let torch: TorchTimings | null = null;
  let torchCpu: number | null = null;
  let torchUnavailable: string | undefined;
  if (options.torch) {
    log("PyTorch reference (bench/torch_reference.py)");
    const t = measureTorch(seconds, updatesCpu);
    if (typeof t === "string") torchUnavailable = t;
    else [torch, torchCpu] = [t.timings, t.pinned ? updatesCpu : null];
  } else {
    torchUnavailable = "skipped (--no-torch)";
  }
  // Loop figures: medians of repeated runs, their ranges kept under the figure's name.
  const loopSpread: Record<string, Spread> = {};
  const loop = (name: string, run: () => number): number => {
    const m = repeatedRates(options.smoke ? 1 : LOOP_REPETITIONS, () => ({ rate: run() })).rate;
    loopSpread[name] = spreadOf(m);
    return m.value;
  };
  log("environments");
  const envs: Record<string, number> = {};
  for (const id of ["Room-v21", "CartPole-v1"])
    envs[id] = loop(`env ${id}`, () => envStepsPerSecond(id, Math.min(seconds, 1) / 2));
  for (const id of MUJOCO_TASKS) {
    await prepareEnv(id);
    envs[id] = loop(`env ${id}`, () => envStepsPerSecond(id, Math.min(seconds, 2) / 2));
  }
  log("DQN training runs");
  const training: Record<string, number> = {};
  for (const id of ["Room-v21", "CartPole-v1"])
    training[id] = loop(`dqn ${id}`, () =>
      dqnTrainingStepsPerSecond(id, selected, steps(id === "CartPole-v1" ? 3000 : 600, 500, 150)),
    );
  log("SAC and TD3 training runs");
  const continuous: Record<string, number> = {};
  for (const algo of ["sac", "td3"] as const) {
    for (const arch of [
      [256, 256],
      [150, 200],
    ]) {
      const name = `${algo} [${arch.join(", ")}]`;
      continuous[name] = loop(name, () => continuousTrainingStepsPerSecond(algo, arch, selected, steps(250, 300, 120)));
    }
  }
  log("HalfCheetah-v4 SAC training (paper settings)");
  const halfCheetahSac = loop("sac HalfCheetah-v4", () =>
    halfCheetahSacStepsPerSecond(selected, steps(1000, 1000, 120)),
  );
  log("Room-v21 peer learning");
  const peerLearning: Record<string, number> = {};
  const plSteps = steps(1500, 500, 150);
  for (const schedule of ["roundRobin", "lockstep"] as const)
    peerLearning[schedule] = loop(`peer learning ${schedule}`, () =>
      peerLearningStepsPerSecond(selected, plSteps, schedule),
    );
  peerLearning["lockstep, trainer threads"] = loop("peer learning lockstep, trainer threads", () =>
    peerLearningStepsPerSecond(selected, plSteps, "lockstep", true),
  );
  if (selected.name === "native" && BF16_ISA in peaks)
    peerLearning["roundRobin, bf16"] = loop("peer learning roundRobin, bf16", () =>
      peerLearningStepsPerSecond(selected, plSteps, "roundRobin", false, "bf16"),
    );
  log("Room-v21 peer learning step, by part");
  const parts = repeatedStepBreakdown(selected, steps(600, 300, 150), options.smoke ? 1 : LOOP_REPETITIONS);
  const breakdown = parts.breakdown;
  loopSpread["step breakdown total"] = parts.spread.total;
  log("Hopper-v4 peer learning, 4 SAC peers, lockstep: one thread, then trainer threads");
  const hopperRuns = repeatedRates(options.smoke ? 1 : LOOP_REPETITIONS, () =>
    hopperSacGroupStepsPerSecond(selected, steps(1000, 200, 120)),
  );
  loopSpread["hopper group oneThread"] = spreadOf(hopperRuns.oneThread);
  loopSpread["hopper group trainerThreads"] = spreadOf(hopperRuns.trainerThreads);
  const hopper = { oneThread: hopperRuns.oneThread.value, trainerThreads: hopperRuns.trainerThreads.value };
  log("allocation per update");
  const mine = backends[selected.name];
  const nativeGemm = backends.native?.gemmGflops;
  // One DQN update per env step: the most env steps per second this core's FLOPs allow.
  const flopLimit = corePeakGflops ? corePeakGflops / updateGflop.dqn : null;
  const peaksAtEnd = measurePeaks(native, Math.min(seconds, 0.5));
  const corePeakGflopsAtEnd = fp32Peak(peaksAtEnd);
  const measured = [
    ...Object.entries(backends),
    ...Object.entries(nativePaths).map(([isa, r]) => [`native ${isa}`, r] as const),
  ];
  const loopFigures: Record<string, number> = {
    ...Object.fromEntries(Object.entries(envs).map(([id, v]) => [`env ${id}`, v])),
    ...Object.fromEntries(Object.entries(training).map(([id, v]) => [`dqn ${id}`, v])),
    ...continuous,
    "sac HalfCheetah-v4": halfCheetahSac,
    ...Object.fromEntries(Object.entries(peerLearning).map(([s, v]) => [`peer learning ${s}`, v])),
    "hopper group oneThread": hopper.oneThread,
    "hopper group trainerThreads": hopper.trainerThreads,
    "step breakdown total": breakdown.total,
  };
  const unsteady = [
    ...measured.flatMap(([name, r]) =>
      r ? unsteadyFigures(engineFigures(r), r.spread).map((f) => `${name}: ${f}`) : [],
    ),
    ...unsteadyFigures(loopFigures, loopSpread).map((f) => `loops: ${f}`),
    ...(torch ? unsteadyFigures(torchFigures(torch), torch.spread).map((f) => `torch: ${f}`) : []),
  ];
  return {
    backend: selected.name,
    variant: selected.variant,
    gemmGflops: mine?.gemmGflops ?? Number.NaN,
    dqnUpdateMs: mine?.dqnUpdateMs ?? Number.NaN,
    sacUpdateMs: mine?.sacUpdateMs ?? Number.NaN,
    backends,
    unavailable,
    torch,
    cpus: { updates: updatesCpu, torch: torchCpu },
    ...(torchUnavailable ? { torchUnavailable } : {}),
    ratioToTorch:
      torch && mine ? { dqn: mine.dqnUpdateMs / torch.dqnUpdateMs, sac: mine.sacUpdateMs / torch.sacUpdateMs } : null,
    ratioToTorchAtPeak: ratioToTorchAtPeak(updateGflop, corePeakGflops, torch),
    dqnUpdateBytesAllocated: measureAllocation(selected.name),
    envStepsPerSecond: envs,
    dqnTrainingStepsPerSecond: training,
    peerLearningStepsPerSecond: peerLearning,
    continuousTrainingStepsPerSecond: continuous,
    mujocoVersion: mujoco().mj_versionString(),
    halfCheetahSacStepsPerSecond: halfCheetahSac,
    corePeakGflops,
    nativeGemmShareOfPeak: corePeakGflops && nativeGemm ? nativeGemm / corePeakGflops : null,
    nativePaths,
    updateGflop,
    peerLearningStepBreakdown: breakdown,
    peerLearningStepBreakdownSpread: parts.spread,
    peerLearningShareOfLimit: flopLimit ? peerLearning.roundRobin / flopLimit : null,
    trainerThreadsLimit: trainerThreadsLimit(breakdown, 2),
    trainerThreadsLimitOverRoundRobin: trainerThreadsLimitOverRoundRobin(
      breakdown,
      peerLearning.lockstep,
      peerLearning.roundRobin,
    ),
    bf16OverFp32: peerLearning["roundRobin, bf16"] ? peerLearning["roundRobin, bf16"] / peerLearning.roundRobin : null,
    hopperSacGroupStepsPerSecond: hopper,
    loopSpread,
    peakRssMiB,
    cpu: cpuDescription(),
    node: process.version,
    threads: 1,
    ...loadOf(loadAtStart),
    unsteady,
    corePeakGflopsAtEnd,
    steadinessWarning: steadinessWarning(unsteady, corePeakGflops, corePeakGflopsAtEnd),
  };
}
