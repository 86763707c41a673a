/** What `peerlearn bench` reports (`--json` writes it whole): each figure with the CPU it was measured on. */
import type { BackendName } from "../nn/kernels/kernels.js";
import type { TorchTimings } from "./torch-reference.js";
import type { StepBreakdown } from "./peer-breakdown.js";
import type { Spread } from "./steadiness.js";

export interface BackendResult {
  readonly variant: string;
  readonly gemmGflops: number;
  readonly gemmShapes: Record<string, number>;
  readonly dqnUpdateMs: number;
  readonly sacUpdateMs: number;
  /** SAC with the paper's MuJoCo network [150, 200]. */
  readonly sac150x200UpdateMs: number;
  /**
   * Shares of this core's measured FMA peak (corePeakGflops): each GEMM shape, and each update's GEMM FLOPs per
   * second (element-wise work left out). Null without a peak measurement (no native addon).
   */
  readonly shareOfPeak: {
    gemm: Record<string, number>;
    dqnUpdate: number;
    sacUpdate: number;
    sac150x200Update: number;
  } | null;
  /**
   * Each update's time at this backend's own 256^3 GEMM rate (its GEMM FLOPs / that rate) over its measured time:
   * 1 when the element-wise work, thin products and passes over memory between the products cost nothing.
   */
  readonly updateShareOfGemmRate: { dqn: number; sac: number; sac150x200: number };
  /**
   * updateShareOfGemmRate's ceiling (ceilings.ts): the share if all but the product calls cost nothing, from the
   * time the update spends inside them (productMs). Null where they could not be timed.
   */
  readonly updateShareCeiling: { dqn: number; sac: number; sac150x200: number } | null;
  /** Milliseconds per update spent inside its product calls (what updateShareCeiling is computed from), or null. */
  readonly productMs: { dqn: number; sac: number; sac150x200: number } | null;
  /**
   * Each figure above's range over its repetitions: GEMM "gemm <shape>" in GFLOP/s, updates and "products <update>"
   * in ms.
   */
  readonly spread: Record<string, Spread>;
}

/** A native instruction-set path, forced (PEERLEARN_ISA does the same for a whole run). */
export interface NativePathResult extends BackendResult {
  /** This path's own FMA peak on this core (GFLOP/s, one thread). */
  readonly peakGflops: number;
}

export interface BenchResult {
  readonly backend: BackendName;
  readonly variant: string;
  readonly gemmGflops: number;
  readonly dqnUpdateMs: number;
  readonly sacUpdateMs: number;
  readonly backends: Partial<Record<BackendName, BackendResult>>;
  readonly unavailable: Partial<Record<BackendName, string>>;
  readonly torch: TorchTimings | null;
  readonly torchUnavailable?: string;
  /**
   * The core the selected backend's updates were measured on and the one the PyTorch reference was pinned to (null:
   * not known, or not pinned): a VM's cores can differ in speed, and a ratio compares one core with itself.
   */
  readonly cpus: { updates: number | null; torch: number | null };
  /** Our time / PyTorch's time for the selected backend (below 1 means faster than PyTorch). */
  readonly ratioToTorch: { dqn: number; sac: number } | null;
  /**
   * ratioToTorch's floor on this core: each update's GEMM FLOPs at the measured FMA peak with nothing else done, over
   * PyTorch's time (ceilings.ts). Null without PyTorch or a peak.
   */
  readonly ratioToTorchAtPeak: { dqn: number; sac: number } | null;
  /** Bytes one DQN update allocates on the JS heap once compiled, selected backend. */
  readonly dqnUpdateBytesAllocated: number | null;
  /**
   * This core's measured FMA throughput (GFLOP/s, one thread, best instruction set; needs the native addon), and
   * the native 256^3 GEMM as a share of it.
   */
  readonly corePeakGflops: number | null;
  readonly nativeGemmShareOfPeak: number | null;
  /** Every native SIMD path this CPU runs, each forced in turn, with its own peak and shares. */
  readonly nativePaths: Record<string, NativePathResult>;
  /** GEMM GFLOP of one benchmarked update. */
  readonly updateGflop: { dqn: number; sac: number; sac150x200: number };
  /** Env steps per second, env alone with random actions. */
  readonly envStepsPerSecond: Record<string, number>;
  /** Env steps per second of DQN training (published Room settings; the RL Zoo's on CartPole), backend in use. */
  readonly dqnTrainingStepsPerSecond: Record<string, number>;
  /** MuJoCo engine version, and SAC training env steps/s on HalfCheetah-v4 with the paper's settings. */
  readonly mujocoVersion: string;
  readonly halfCheetahSacStepsPerSecond: number;
  /** SAC and TD3 training env steps/s on Pendulum-v1, per hidden layers, backend in use. */
  readonly continuousTrainingStepsPerSecond: Record<string, number>;
  /** Room-v21 peer learning (2 DQN peers, published settings), all peers' env steps/s, per schedule. */
  readonly peerLearningStepsPerSecond: Record<string, number>;
  /** Milliseconds per env step of Room-v21 peer learning (lockstep on one thread), by part (backend in use). */
  readonly peerLearningStepBreakdown: StepBreakdown;
  /** Each part's range over the breakdown's runs (the breakdown is the run with the median total). */
  readonly peerLearningStepBreakdownSpread: Record<keyof StepBreakdown, Spread>;
  /**
   * Round-robin env steps/s divided by this core's FLOP limit for it: the measured peak over the FLOPs of one DQN
   * update (the published settings do one update per env step). Null without a peak measurement.
   */
  readonly peerLearningShareOfLimit: number | null;
  /** What the step breakdown allows lockstep with trainer threads over lockstep on one thread (peer-breakdown.ts). */
  readonly trainerThreadsLimit: number;
  /** The same limit over round-robin (converted with the two schedules' measured env steps/s). */
  readonly trainerThreadsLimitOverRoundRobin: number;
  /**
   * Round-robin Room-v21 peer learning in precision bf16 over fp32 (env steps/s, same run); null where this CPU or
   * backend has no bf16 path.
   */
  readonly bf16OverFp32: number | null;
  /** Hopper-v4, 4 SAC peers (paper settings), lockstep: all peers' env steps/s on one thread and with trainer threads. */
  readonly hopperSacGroupStepsPerSecond: { oneThread: number; trainerThreads: number };
  /**
   * The range of each loop figure above over its repeated runs (env steps/s; the figure is their median), by name:
   * "env <id>", "dqn <id>", "sac [256, 256]" ..., "sac HalfCheetah-v4", "peer learning <schedule>", "hopper group
   * oneThread|trainerThreads", and "step breakdown total" (ms per env step).
   */
  readonly loopSpread: Record<string, Spread>;
  /** Peak resident memory of this process after the first DQN benchmark (MiB). */
  readonly peakRssMiB: number;
  readonly cpu: string;
  readonly node: string;
  readonly threads: 1;
  /** The 1-minute load average at the start and at the end: above the free cores, figures read low and erratic. */
  readonly loadAverage: { readonly start: number; readonly end: number; readonly cores: number };
  /** Set when the machine was busy while the bench ran (its figures are then not this CPU's). */
  readonly busyWarning: string | null;
  /** The figures whose repetitions spread wider than 10% ("backend: figure (low-high around median)"). */
  readonly unsteady: string[];
  /** The FMA peak measured again at the end of the run (it should equal corePeakGflops). */
  readonly corePeakGflopsAtEnd: number | null;
  /** Set when a figure did not hold still or the peak moved (steadiness.ts). */
  readonly steadinessWarning: string | null;
}
