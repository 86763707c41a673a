/** SAC's settings: the schema (each field documented where it is declared) and SB3 1.5's defaults. */
import { z } from "zod";
import {
  MUJOCO_TASKS,
  batchSize,
  bufferSize,
  fraction,
  netArch,
  positiveInt,
  type HyperparameterSet,
} from "../config-fields.js";

export const SacConfigSchema = z
  .object({
    learningRate: z.number().positive().describe("Adam learning rate (actor, critics, entropy coefficient)"),
    bufferSize: bufferSize.describe("replay buffer capacity (transitions)"),
    learningStarts: z.number().int().min(0).describe("env steps of uniform random actions before learning"),
    batchSize: batchSize.describe("transitions per gradient step"),
    tau: z.number().gt(0).max(1).describe("Polyak coefficient of the target critics"),
    gamma: fraction.describe("discount factor"),
    trainFreq: positiveInt.describe("env steps between rounds of gradient steps"),
    gradientSteps: z.number().int().min(0).describe("gradient steps per round"),
    targetUpdateInterval: positiveInt.describe("gradient steps between target updates"),
    entCoef: z
      .union([z.literal("auto"), z.number().positive()])
      .describe('"auto" (learned) or a fixed entropy coefficient'),
    initialEntCoef: z.number().positive().describe("initial entropy coefficient when learned"),
    targetEntropy: z.union([z.literal("auto"), z.number()]).describe('"auto" = -dim(A), or a number'),
    useSde: z.boolean().describe("generalized state-dependent exploration (gSDE)"),
    sdeSampleFreq: z.number().int().describe("resample gSDE noise every this many steps (-1: at rollout starts only)"),
    useSdeAtWarmup: z.boolean().describe("use gSDE instead of uniform actions during warm-up"),
    logStdInit: z.number().describe("initial log std of gSDE"),
    netArch: netArch.describe("hidden layer widths of actor and critics (ReLU)"),
  })
  .strict();

/** SAC's settings: declared and documented once, in the schema (below). */
export type SacConfig = z.infer<typeof SacConfigSchema>;

/** SB3 1.5's SAC defaults. */
export const SAC_DEFAULTS: Readonly<SacConfig> = Object.freeze({
  learningRate: 3e-4,
  bufferSize: 1_000_000,
  learningStarts: 100,
  batchSize: 256,
  tau: 0.005,
  gamma: 0.99,
  trainFreq: 1,
  gradientSteps: 1,
  targetUpdateInterval: 1,
  entCoef: "auto" as const,
  initialEntCoef: 1,
  targetEntropy: "auto" as const,
  useSde: false,
  sdeSampleFreq: -1,
  useSdeAtWarmup: false,
  logStdInit: -3,
  netArch: [256, 256],
});

/** SAC: SB3's defaults, with the RL Zoo's settings on Pendulum-v1 and MountainCarContinuous-v0 (tuned). */
/** The paper's SAC settings on the MuJoCo tasks (the published commands; gSDE with log std -3 as run_peer.py sets). */
export function paperMujocoSac(env: string): SacConfig {
  const cheetah = env === "HalfCheetah-v4";
  return {
    ...SAC_DEFAULTS,
    netArch: [150, 200],
    batchSize: 256,
    bufferSize: 1_000_000,
    learningStarts: cheetah ? 10_000 : 100,
    gamma: 0.99,
    tau: 0.02,
    trainFreq: 8,
    gradientSteps: 8,
    learningRate: cheetah ? 7.3e-4 : 3e-4,
    useSde: true,
    logStdInit: -3,
  };
}

export function sacHyperparameters(env: string, set: HyperparameterSet): SacConfig {
  const base: SacConfig = { ...SAC_DEFAULTS, netArch: [...SAC_DEFAULTS.netArch] };
  if (set === "sb3") return base;
  if ((MUJOCO_TASKS as readonly string[]).includes(env)) return paperMujocoSac(env);
  if (env === "Pendulum-v1") return { ...base, learningRate: 1e-3 };
  if (env === "MountainCarContinuous-v0") {
    return {
      ...base,
      learningRate: 3e-4,
      bufferSize: 50_000,
      batchSize: 512,
      entCoef: 0.1,
      trainFreq: 32,
      gradientSteps: 32,
      gamma: 0.9999,
      tau: 0.01,
      learningStarts: 0,
      useSde: true,
      logStdInit: -3.67,
      netArch: [64, 64],
    };
  }
  return base;
}
