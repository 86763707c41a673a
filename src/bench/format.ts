/**
 * `peerlearn bench`'s human-readable report: tables of the measurements in run.ts.
 */
import type { BackendName } from "../nn/kernels/kernels.js";
import type { BackendResult, BenchResult } from "./run.js";
import { GEMM_SHAPES, REPETITIONS } from "./nn-bench.js";
import { LOOP_REPETITIONS } from "./repeat.js";
import type { Spread } from "./steadiness.js";

function fmt(x: number | undefined, digits = 2): string {
  return x === undefined || Number.isNaN(x) ? "-" : x.toFixed(digits);
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("   "))
    .join("\n");
}

/** The human-readable report. */
export function formatBench(r: BenchResult): string {
  const names = Object.keys(r.backends) as BackendName[];
  // The backends measured, then each forced native path (a path and the backend in use can coincide).
  const columns: [string, BackendResult | undefined][] = [
    ...names.map((n): [string, BackendResult | undefined] => [`${n} (${r.backends[n]?.variant})`, r.backends[n]]),
    ...Object.entries(r.nativePaths).map(([isa, p]): [string, BackendResult] => [`native ${isa}, forced`, p]),
  ];
  const pct = (x: number | undefined): string => (x === undefined ? "" : ` (${fmt(100 * x, 0)}%)`);
  /** ± half the range of a figure's repetitions, as a share of it. */
  const pm = (
    b: { readonly spread: Readonly<Record<string, Spread>> } | null | undefined,
    figure: string,
    value: number | undefined,
  ): string => {
    const s = b?.spread[figure];
    return s && value ? ` ±${fmt((50 * (s.high - s.low)) / value, 0)}%` : "";
  };
  const gemm = [
    ["GEMM GFLOP/s, 1 thread (share of peak)", ...columns.map(([label]) => label)],
    ...GEMM_SHAPES.map((s) => [
      s.label,
      ...columns.map(
        ([, b]) =>
          `${fmt(b?.gemmShapes[s.label], 1)}${pct(b?.shareOfPeak?.gemm[s.label])}${pm(b, `gemm ${s.label}`, b?.gemmShapes[s.label])}`,
      ),
    ]),
  ];
  const torch = r.torch;
  const updateRow = (
    label: string,
    figure: string,
    ms: (b: BackendResult) => number,
    share: (b: BackendResult) => number | undefined,
    torchMs: number | null,
    ratio: number | undefined,
  ): string[] => [
    label,
    ...columns.map(([, b]) => (b ? `${fmt(ms(b), 3)}${pct(share(b))}${pm(b, figure, ms(b))}` : "-")),
    ...(torch
      ? [
          torchMs === null ? "" : `${fmt(torchMs, 3)}${pm(torch, figure, torchMs)}`,
          ratio === undefined ? "" : `${fmt(ratio)}x`,
        ]
      : []),
  ];
  const updates = [
    [
      "Update time, ms (share of peak)",
      ...columns.map(([label]) => label),
      ...(torch ? [`torch ${torch.torch}`, "ratio"] : []),
    ],
    updateRow(
      "DQN 4-256-256-4, batch 256",
      "dqnUpdate",
      (b) => b.dqnUpdateMs,
      (b) => b.shareOfPeak?.dqnUpdate,
      torch?.dqnUpdateMs ?? null,
      r.ratioToTorch?.dqn,
    ),
    updateRow(
      "SAC obs 17 act 6 [256, 256], batch 256",
      "sacUpdate",
      (b) => b.sacUpdateMs,
      (b) => b.shareOfPeak?.sacUpdate,
      torch?.sacUpdateMs ?? null,
      r.ratioToTorch?.sac,
    ),
    updateRow(
      "SAC obs 17 act 6 [150, 200], batch 256",
      "sac150x200Update",
      (b) => b.sac150x200UpdateMs,
      (b) => b.shareOfPeak?.sac150x200Update,
      null,
      undefined,
    ),
  ];
  // A loop figure with half its range over the repeated runs (repeat.ts), in the figure's unit / scale.
  const ranged = (name: string, v: number, digits = 0, scale = 1): string => {
    const range = r.loopSpread[name];
    return range
      ? `${fmt(v / scale, digits)} ±${fmt((range.high - range.low) / 2 / scale, digits)}`
      : fmt(v / scale, digits);
  };
  const bd = r.peerLearningStepBreakdown;
  const pl = r.peerLearningStepsPerSecond;
  const us = (ms: number): string => `${fmt(ms * 1000, 0)} us`;
  const mine = r.backends[r.backend];
  const byUpdate = (f: (b: BackendResult) => { dqn: number; sac: number; sac150x200: number } | null): string => {
    const v = mine && f(mine);
    return v ? `DQN ${fmt(v.dqn)}, SAC ${fmt(v.sac)}, SAC [150, 200] ${fmt(v.sac150x200)}` : "not measured";
  };
  const peaks = Object.entries(r.nativePaths)
    .map(([isa, p]) => `${isa} ${fmt(p.peakGflops, 1)}`)
    .join(", ");
  const lines = [
    `peerlearn bench: ${r.cpu}, Node ${r.node}, 1 thread; kernels in use: ${r.backend} (${r.variant})`,
    `GEMM and update figures: the median of ${REPETITIONS} timed repetitions after a warm-up, ± half their range`,
    "",
    table(gemm),
    ...(r.corePeakGflops
      ? [
          `this core's measured FMA peak: ${fmt(r.corePeakGflops, 1)} GFLOP/s (${fmt(r.corePeakGflopsAtEnd ?? Number.NaN, 1)} at the end)${peaks ? ` (per path: ${peaks})` : ""}${r.nativeGemmShareOfPeak ? `; native GEMM 256^3 reaches ${fmt(100 * r.nativeGemmShareOfPeak, 0)}% of it` : ""}`,
        ]
      : []),
    ...(r.torch
      ? [
          `PyTorch ${r.torch.torch} GEMM 256x256x256: ${fmt(r.torch.gemmGflops, 1)}${pm(r.torch, "gemm", r.torch.gemmGflops)} GFLOP/s; ${r.cpus.torch === null ? "not pinned to the core the native updates ran on (no taskset, or that core unknown)" : `on CPU ${r.cpus.torch}, the core the native updates ran on`}`,
        ]
      : []),
    "",
    table(updates),
    "",
    `env and training loop figures: the median of ${LOOP_REPETITIONS} runs ± half their range (the step breakdown: the run with the median total)`,
    `env steps/s (env alone, random actions): ${Object.entries(r.envStepsPerSecond)
      .filter(([id]) => !id.endsWith("-v4"))
      .map(([id, v]) => `${id} ${ranged(`env ${id}`, v, 2, 1e6)}M`)
      .join(", ")}`,
    `MuJoCo ${r.mujocoVersion} (wasm) env steps/s, physics + obs + reward, random actions, 1 thread: ${Object.entries(
      r.envStepsPerSecond,
    )
      .filter(([id]) => id.endsWith("-v4"))
      .map(([id, v]) => `${id} ${ranged(`env ${id}`, v)}`)
      .join(", ")}`,
    `HalfCheetah-v4 SAC training steps/s (${r.backend}, paper settings: [150, 200], batch 256, gSDE, train freq 8, 8 gradient steps): ${ranged("sac HalfCheetah-v4", r.halfCheetahSacStepsPerSecond)}`,
    `DQN training steps/s (${r.backend}, default settings): ${Object.entries(r.dqnTrainingStepsPerSecond)
      .map(([id, v]) => `${id} ${ranged(`dqn ${id}`, v)}`)
      .join(", ")}`,
    `Pendulum-v1 training steps/s (${r.backend}, 1 gradient step per step): ${Object.entries(
      r.continuousTrainingStepsPerSecond,
    )
      .map(([k, v]) => `${k} ${ranged(k, v)}`)
      .join(", ")}`,
    `Room-v21 peer learning, 2 DQN peers, published settings (${r.backend}): ${Object.entries(
      r.peerLearningStepsPerSecond,
    )
      .map(([k, v]) => `${k} ${ranged(`peer learning ${k}`, v)}`)
      .join(", ")} env steps/s`,
    `update time at the GEMM's own rate over the measured one (updateShareOfGemmRate, ${r.backend}): ${byUpdate((b) => b.updateShareOfGemmRate)}; if only the product calls took time (updateShareCeiling): ${byUpdate((b) => b.updateShareCeiling)}`,
    `  a step (lockstep, one thread), by part: updates ${us(bd.updates)}, advice forwards ${us(bd.adviceForwards)}, trust and agent values ${us(bd.trustAndAgentValues)}, env ${us(bd.env)}, the rest ${us(bd.rest)} (total ${ranged("step breakdown total", bd.total, 0, 0.001)} us)`,
    ...(r.peerLearningShareOfLimit !== null
      ? [
          `  round-robin share of this core's FLOP limit (peak / ${fmt(r.updateGflop.dqn * 1000, 0)} MFLOP per DQN update): ${fmt(100 * r.peerLearningShareOfLimit, 0)}%`,
        ]
      : []),
    `  lockstep with trainer threads: ${fmt(pl["lockstep, trainer threads"] / pl.roundRobin)}x round-robin, ${fmt(pl["lockstep, trainer threads"] / pl.lockstep)}x lockstep on one thread; the step breakdown allows at most ${fmt(r.trainerThreadsLimit)}x the latter, ${fmt(r.trainerThreadsLimitOverRoundRobin)}x round-robin (both updates at once, the rest of each step on the calling thread, a free hand-over)`,
    ...(r.bf16OverFp32 !== null
      ? [`  round-robin in precision bf16 over fp32 (env steps/s, this run): ${fmt(r.bf16OverFp32)}x`]
      : []),
    `Hopper-v4 peer learning, 4 SAC peers, paper settings, lockstep (${r.backend}): one thread ${ranged("hopper group oneThread", r.hopperSacGroupStepsPerSecond.oneThread)}, trainer threads ${ranged("hopper group trainerThreads", r.hopperSacGroupStepsPerSecond.trainerThreads)} env steps/s (${fmt(r.hopperSacGroupStepsPerSecond.trainerThreads / r.hopperSacGroupStepsPerSecond.oneThread)}x, identical results)`,
    "",
    `ratio = ${r.backend} time / PyTorch time, measured in this run${r.torch ? "" : ` (PyTorch: ${r.torchUnavailable})`}`,
    ...(r.ratioToTorchAtPeak
      ? [
          `  the least ratio this core allows (the products at its FMA peak, nothing else): DQN ${fmt(r.ratioToTorchAtPeak.dqn)}x, SAC ${fmt(r.ratioToTorchAtPeak.sac)}x`,
        ]
      : []),
    `JS heap allocated per DQN update (${r.backend}): ${r.dqnUpdateBytesAllocated === null ? "not measured" : `${fmt(r.dqnUpdateBytesAllocated)} bytes`}`,
    `peak RSS after the DQN benchmark: ${fmt(r.peakRssMiB, 0)} MiB`,
  ];
  for (const [name, why] of Object.entries(r.unavailable)) lines.push(`${name}: unavailable (${why})`);
  if (r.busyWarning) lines.push("", `warning: ${r.busyWarning}`);
  if (r.steadinessWarning) lines.push("", `warning: ${r.steadinessWarning}`);
  return lines.join("\n");
}
