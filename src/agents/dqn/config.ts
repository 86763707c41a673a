/** DQN's settings: the schema (each field documented where it is declared) and SB3 1.5's defaults. */
import { z } from "zod";
import { batchSize, bufferSize, fraction, netArch, positiveInt, type HyperparameterSet } from "../config-fields.js";

export const DqnConfigSchema = z
  .object({
    learningRate: z.number().positive().describe("Adam learning rate"),
    bufferSize: bufferSize.describe("replay buffer capacity (transitions)"),
    learningStarts: z.number().int().min(0).describe("env steps of uniform random actions before learning"),
    batchSize: batchSize.describe("transitions per gradient step"),
    tau: z.number().gt(0).max(1).describe("Polyak coefficient of the target update (1 = hard copy)"),
    gamma: fraction.describe("discount factor"),
    trainFreq: positiveInt.describe("env steps between rounds of gradient steps"),
    gradientSteps: z.number().int().min(0).describe("gradient steps per round"),
    targetUpdateInterval: positiveInt.describe("env steps between target updates"),
    explorationFraction: z.number().gt(0).max(1).describe("share of training over which epsilon decays"),
    explorationInitialEps: fraction.describe("epsilon at the start"),
    explorationFinalEps: fraction.describe("epsilon after the decay"),
    maxGradNorm: z.number().positive().describe("global gradient-norm clip"),
    netArch: netArch.describe("hidden layer widths (ReLU)"),
  })
  .strict();

/** DQN's settings: declared and documented once, in the schema (below). */
export type DqnConfig = z.infer<typeof DqnConfigSchema>;

/** SB3 1.5's DQN defaults. */
export const DQN_DEFAULTS: Readonly<DqnConfig> = Object.freeze({
  learningRate: 1e-4,
  bufferSize: 1_000_000,
  learningStarts: 50_000,
  batchSize: 32,
  tau: 1.0,
  gamma: 0.99,
  trainFreq: 4,
  gradientSteps: 1,
  targetUpdateInterval: 10_000,
  explorationFraction: 0.1,
  explorationInitialEps: 1.0,
  explorationFinalEps: 0.05,
  maxGradNorm: 10,
  netArch: [64, 64],
});

/**
 * The published Room hyperparameters (the paper's runs on Room-v21/v27, as published), with the original
 * command line's target update every env step (its --target_update_interval default is 1) and SB3's epsilon schedule.
 */
export const ROOM_DQN: Readonly<Partial<DqnConfig>> = {
  netArch: [256, 256],
  batchSize: 256,
  bufferSize: 300_000,
  learningStarts: 100,
  gamma: 0.99,
  tau: 0.02,
  trainFreq: 8,
  gradientSteps: 8,
  learningRate: 5e-4,
  targetUpdateInterval: 1,
};

/** CartPole-v1: the RL Baselines3 Zoo's tuned DQN hyperparameters. */
export const CARTPOLE_DQN: Readonly<Partial<DqnConfig>> = {
  learningRate: 2.3e-3,
  batchSize: 64,
  bufferSize: 100_000,
  learningStarts: 1000,
  gamma: 0.99,
  targetUpdateInterval: 10,
  trainFreq: 256,
  gradientSteps: 128,
  explorationFraction: 0.16,
  explorationFinalEps: 0.04,
  netArch: [256, 256],
};

/** The DQN settings for an env: SB3's defaults, overlaid with the tuned set unless `sb3` is asked for. */
export function dqnHyperparameters(env: string, set: HyperparameterSet): DqnConfig {
  const base: DqnConfig = { ...DQN_DEFAULTS, netArch: [...DQN_DEFAULTS.netArch] };
  if (set === "sb3") return base;
  if (env.startsWith("Room-") || env.startsWith("Hallway-")) return { ...base, ...ROOM_DQN } as DqnConfig;
  if (env === "CartPole-v1") return { ...base, ...CARTPOLE_DQN } as DqnConfig;
  return base;
}
