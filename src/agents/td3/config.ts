/** TD3's settings: the schema (each field documented where it is declared) and SB3 1.5's defaults. */
import { z } from "zod";
import { batchSize, bufferSize, fraction, netArch, positiveInt, type HyperparameterSet } from "../config-fields.js";

export const Td3ConfigSchema = z
  .object({
    learningRate: z.number().positive().describe("Adam learning rate"),
    bufferSize: bufferSize.describe("replay buffer capacity (transitions)"),
    learningStarts: z.number().int().min(0).describe("env steps of uniform random actions before learning"),
    batchSize: batchSize.describe("transitions per gradient step"),
    tau: z.number().gt(0).max(1).describe("Polyak coefficient of the targets"),
    gamma: fraction.describe("discount factor"),
    trainFreq: positiveInt.describe("env steps between rounds of gradient steps"),
    gradientSteps: z.number().int().min(0).describe("gradient steps per round"),
    policyDelay: positiveInt.describe("critic updates per actor and target update"),
    targetPolicyNoise: z.number().min(0).describe("std of the target policy smoothing noise"),
    targetNoiseClip: z.number().min(0).describe("clip of the target policy smoothing noise"),
    actionNoiseStd: z.number().min(0).describe("std of the Gaussian exploration noise (0: none)"),
    netArch: netArch.describe("hidden layer widths of actor and critics (ReLU)"),
  })
  .strict();

/** TD3's settings: declared and documented once, in the schema (above). */
export type Td3Config = z.infer<typeof Td3ConfigSchema>;

/** SB3 1.5's TD3 defaults (with train_freq in steps: 1, and one gradient step per step). */
export const TD3_DEFAULTS: Readonly<Td3Config> = Object.freeze({
  learningRate: 1e-3,
  bufferSize: 1_000_000,
  learningStarts: 100,
  batchSize: 100,
  tau: 0.005,
  gamma: 0.99,
  trainFreq: 1,
  gradientSteps: 1,
  policyDelay: 2,
  targetPolicyNoise: 0.2,
  targetNoiseClip: 0.5,
  actionNoiseStd: 0,
  netArch: [400, 300],
});

/** TD3: SB3's defaults, with the RL Zoo's settings on Pendulum-v1 (tuned). */
export function td3Hyperparameters(env: string, set: HyperparameterSet): Td3Config {
  const base: Td3Config = { ...TD3_DEFAULTS, netArch: [...TD3_DEFAULTS.netArch] };
  if (set === "sb3") return base;
  if (env === "Pendulum-v1")
    return {
      ...base,
      gamma: 0.98,
      bufferSize: 200_000,
      learningStarts: 10_000,
      actionNoiseStd: 0.1,
      learningRate: 1e-3,
    };
  return base;
}
