/** Throughput of the environments alone, and of whole DQN training runs (env + acting + storing + updates). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Random } from "../core/random.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import { make } from "../envs/registry.js";
import { defaultRunConfig } from "../agents/config.js";
import { train } from "../agents/train.js";
import { findPreset } from "../peers/presets.js";
import { trainGroup } from "../peers/train-group.js";
import type { ScheduleKind } from "../peers/schedule.js";
import type { Precision } from "../nn/kernels/precision.js";

/**
 * Env steps per second with uniform random actions (resetting at episode ends), on one thread. For the MuJoCo
 * tasks this is the physics (frameSkip engine steps per env step) plus observation and reward; the engine must be
 * loaded (`prepareEnv`).
 */
export function envStepsPerSecond(id: string, seconds: number): number {
  const env = make(id);
  const rng = new Random(1);
  const space = env.actionSpace;
  const n = space.kind === "discrete" ? space.n : 0;
  const box = new Float32Array(space.kind === "box" ? space.dim : 0);
  const draw = (): number | Float32Array => {
    if (space.kind === "discrete") return rng.integer(0, n);
    for (let i = 0; i < box.length; i++) box[i] = rng.uniformIn(space.low[i], space.high[i]);
    return box;
  };
  env.reset(0);
  let steps = 0;
  const start = performance.now();
  const budget = seconds * 1000;
  while (performance.now() - start < budget) {
    for (let i = 0; i < 200; i++) {
      const r = env.step(draw());
      if (r.terminated || r.truncated) env.reset();
    }
    steps += 200;
  }
  env.close();
  return steps / ((performance.now() - start) / 1000);
}

/**
 * Env steps per second of DQN training with the default (tuned) settings for `id`, e.g. Room-v21 with the paper's
 * (one gradient step of batch 256 per env step), measured on a short run without evaluations.
 */
export function dqnTrainingStepsPerSecond(id: string, kernels: Kernels, steps: number): number {
  const out = mkdtempSync(join(tmpdir(), "peerlearn-bench-"));
  try {
    const c = defaultRunConfig(id);
    const s = train({ ...c, steps, evalFreq: steps + 1, checkpointFreq: 0 }, { out, kernels });
    return s.stepsPerSecond;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * All peers' env steps per second of Room-v21 peer learning with the published settings (2 DQN peers, every
 * mechanism, one gradient step of batch 256 per env step), for a schedule; with parallelTraining (lockstep only)
 * each peer trains on its own thread; in a precision (bf16 needs the native kernels on a CPU with AVX512-BF16).
 */
export function peerLearningStepsPerSecond(
  kernels: Kernels,
  stepsPerPeer: number,
  schedule: ScheduleKind,
  parallelTraining = false,
  precision: Precision = "fp32",
): number {
  const out = mkdtempSync(join(tmpdir(), "peerlearn-bench-"));
  try {
    const c = findPreset("room-v21/peer-learning").config;
    const s = trainGroup(
      {
        ...c,
        steps: stepsPerPeer,
        evalFreq: stepsPerPeer + 1,
        precision,
        group: { ...c.group, schedule, parallelTraining },
      },
      { out, kernels },
    );
    return s.stepsPerSecond;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * All peers' env steps per second of Hopper-v4 peer learning with the paper's settings (4 SAC peers with gSDE,
 * every mechanism), lockstep on one thread and with trainer threads (the same results).
 */
export function hopperSacGroupStepsPerSecond(
  kernels: Kernels,
  stepsPerPeer: number,
): { oneThread: number; trainerThreads: number } {
  const out = mkdtempSync(join(tmpdir(), "peerlearn-bench-"));
  try {
    const c = findPreset("hopper-v4/peer-learning").config;
    const run = (parallelTraining: boolean): number => {
      const config = {
        ...c,
        steps: stepsPerPeer,
        evalFreq: stepsPerPeer + 1,
        group: { ...c.group, schedule: "lockstep" as const, parallelTraining },
      };
      return trainGroup(config, { out: join(out, String(parallelTraining)), kernels }).stepsPerSecond;
    };
    return { oneThread: run(false), trainerThreads: run(true) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * Env steps per second of SAC training on HalfCheetah-v4 with the paper's settings ([150, 200], batch 256, gSDE,
 * 8 gradient steps every 8 env steps), learning from step 100 so that a short run measures training.
 */
export function halfCheetahSacStepsPerSecond(kernels: Kernels, steps: number): number {
  const out = mkdtempSync(join(tmpdir(), "peerlearn-bench-"));
  try {
    const c = defaultRunConfig("HalfCheetah-v4", "tuned", "sac");
    if (c.algo !== "sac") throw new Error("unreachable");
    const config = { ...c, steps, evalFreq: steps + 1, checkpointFreq: 0, sac: { ...c.sac, learningStarts: 100 } };
    return train(config, { out, kernels }).stepsPerSecond;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * Env steps per second of SAC or TD3 training on Pendulum-v1 (one gradient step per env step, batch 256 for SAC
 * and 100 for TD3, learning from step 100) with the given hidden layers.
 */
export function continuousTrainingStepsPerSecond(
  algo: "sac" | "td3",
  netArch: number[],
  kernels: Kernels,
  steps: number,
): number {
  const out = mkdtempSync(join(tmpdir(), "peerlearn-bench-"));
  try {
    const c = defaultRunConfig("Pendulum-v1", "tuned", algo);
    const base = { ...c, steps, evalFreq: steps + 1, checkpointFreq: 0 };
    const config =
      c.algo === "sac"
        ? { ...base, algo: "sac" as const, sac: { ...c.sac, netArch, learningStarts: 100 } }
        : c.algo === "td3"
          ? { ...base, algo: "td3" as const, td3: { ...c.td3, netArch, learningStarts: 100 } }
          : c;
    return train(config, { out, kernels }).stepsPerSecond;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
