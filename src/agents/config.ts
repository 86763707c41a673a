/**
 * The run configuration: its schema (every field documented where it is declared), SB3's defaults, and the tuned
 * hyperparameters peerlearn uses by default per task.
 */
import { z } from "zod";
import { parseOrThrow } from "../config/validate.js";
import { DQN_DEFAULTS, type DqnConfig } from "./dqn.js";
import type { RunConfig } from "./train.js";

const positiveInt = z.number().int().positive();
const fraction = z.number().min(0).max(1);

export const DqnConfigSchema = z
  .object({
    learningRate: z.number().positive().describe("Adam learning rate"),
    bufferSize: positiveInt.describe("replay buffer capacity (transitions)"),
    learningStarts: z.number().int().min(0).describe("env steps of uniform random actions before learning"),
    batchSize: positiveInt.describe("transitions per gradient step"),
    tau: z.number().gt(0).max(1).describe("Polyak coefficient of the target update (1 = hard copy)"),
    gamma: fraction.describe("discount factor"),
    trainFreq: positiveInt.describe("env steps between rounds of gradient steps"),
    gradientSteps: z.number().int().min(0).describe("gradient steps per round"),
    targetUpdateInterval: positiveInt.describe("env steps between target updates"),
    explorationFraction: z.number().gt(0).max(1).describe("share of training over which epsilon decays"),
    explorationInitialEps: fraction.describe("epsilon at the start"),
    explorationFinalEps: fraction.describe("epsilon after the decay"),
    maxGradNorm: z.number().positive().describe("global gradient-norm clip"),
    netArch: z.array(positiveInt).min(1).describe("hidden layer widths (ReLU)"),
  })
  .strict();

export const RunConfigSchema = z
  .object({
    env: z.string().min(1).describe("environment id, see `peerlearn list envs`"),
    envOptions: z.record(z.string(), z.unknown()).describe("environment options"),
    algo: z.literal("dqn").describe("learning algorithm"),
    steps: positiveInt.describe("env steps of training"),
    seed: z.number().int().min(0).max(2 ** 32 - 1).describe("seed of every random number in the run"),
    evalFreq: positiveInt.describe("env steps between evaluations"),
    evalEpisodes: positiveInt.describe("greedy episodes per evaluation"),
    checkpointFreq: z.number().int().min(0).describe("env steps between checkpoints (0: only at the end)"),
    dqn: DqnConfigSchema,
  })
  .strict();

/**
 * The published Room hyperparameters (the paper's runs on Room-v21/v27: REFERENCE section 5), with the original
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

export type HyperparameterSet = "tuned" | "sb3";

/** The DQN settings for an env: SB3's defaults, overlaid with the tuned set unless `sb3` is asked for. */
export function dqnHyperparameters(env: string, set: HyperparameterSet): DqnConfig {
  const base: DqnConfig = { ...DQN_DEFAULTS, netArch: [...DQN_DEFAULTS.netArch] };
  if (set === "sb3") return base;
  if (env.startsWith("Room-") || env.startsWith("Hallway-")) return { ...base, ...ROOM_DQN } as DqnConfig;
  if (env === "CartPole-v1") return { ...base, ...CARTPOLE_DQN } as DqnConfig;
  return base;
}

/** A complete config for env and seed, before user overrides. */
export function defaultRunConfig(env: string, set: HyperparameterSet = "tuned"): RunConfig {
  return {
    env,
    envOptions: {},
    algo: "dqn",
    steps: env.startsWith("Room-") ? 1_000_000 : 100_000,
    seed: 0,
    evalFreq: 10_000,
    evalEpisodes: 10,
    checkpointFreq: 10_000,
    dqn: dqnHyperparameters(env, set),
  };
}

export function validateRunConfig(input: unknown): RunConfig {
  return parseOrThrow(RunConfigSchema, input, "run config") as RunConfig;
}
