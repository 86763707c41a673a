/**
 * The run configuration: its schema (every field documented where it is declared), SB3's defaults, and the tuned
 * hyperparameters peerlearn uses by default per task.
 */
import { z } from "zod";
import { parseOrThrow } from "../config/validate.js";
import type { Algo, AlgoSettings } from "./algorithms.js";
import { MAX_STEPS, positiveInt, stepCount } from "./config-fields.js";
import { DQN_DEFAULTS, DqnConfigSchema, type DqnConfig } from "./dqn/config.js";
import { SAC_DEFAULTS, SacConfigSchema, type SacConfig } from "./sac/config.js";
import { TD3_DEFAULTS, Td3ConfigSchema, type Td3Config } from "./td3/config.js";

export { DqnConfigSchema, SacConfigSchema, Td3ConfigSchema, MAX_STEPS };
export { batchSize, bufferSize, netArch } from "./config-fields.js";

/** The fields every run has, single agent or group (a group reads steps and evalFreq per peer). */
export const RUN_FIELDS = {
  env: z.string().min(1).describe("environment id, see `peerlearn list envs`"),
  envOptions: z.record(z.string(), z.unknown()).describe("environment options"),
  steps: stepCount.describe("env steps of training"),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .describe("seed of every random number in the run"),
  evalFreq: stepCount.describe("env steps between evaluations"),
  evalEpisodes: positiveInt.max(1e6).describe("deterministic episodes per evaluation"),
  checkpointFreq: z.number().int().min(0).max(MAX_STEPS).describe("env steps between checkpoints (0: only at the end)"),
};

export const RunConfigSchema = z.discriminatedUnion("algo", [
  z.object({ ...RUN_FIELDS, algo: z.literal("dqn"), dqn: DqnConfigSchema }).strict(),
  z.object({ ...RUN_FIELDS, algo: z.literal("sac"), sac: SacConfigSchema }).strict(),
  z.object({ ...RUN_FIELDS, algo: z.literal("td3"), td3: Td3ConfigSchema }).strict(),
]);

/** A single agent's run: declared and documented once, in the schema above. */
export type RunConfig = z.infer<typeof RunConfigSchema>;

export { ALGOS, type Algo } from "./algorithms.js";

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

export type HyperparameterSet = "tuned" | "sb3";

/** The DQN settings for an env: SB3's defaults, overlaid with the tuned set unless `sb3` is asked for. */
export function dqnHyperparameters(env: string, set: HyperparameterSet): DqnConfig {
  const base: DqnConfig = { ...DQN_DEFAULTS, netArch: [...DQN_DEFAULTS.netArch] };
  if (set === "sb3") return base;
  if (env.startsWith("Room-") || env.startsWith("Hallway-")) return { ...base, ...ROOM_DQN } as DqnConfig;
  if (env === "CartPole-v1") return { ...base, ...CARTPOLE_DQN } as DqnConfig;
  return base;
}

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

export const MUJOCO_TASKS = ["HalfCheetah-v4", "Hopper-v4", "Walker2d-v4", "Ant-v4"] as const;

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

export type DqnRunConfig = Extract<RunConfig, { algo: "dqn" }>;

/** A complete config for env, algorithm and seed 0, before user overrides. */
export function defaultRunConfig(env: string, set?: HyperparameterSet): DqnRunConfig;
export function defaultRunConfig(env: string, set: HyperparameterSet, algo: Algo): RunConfig;
export function defaultRunConfig(env: string, set: HyperparameterSet = "tuned", algo: Algo = "dqn"): RunConfig {
  const mujocoTask = (MUJOCO_TASKS as readonly string[]).includes(env);
  // The paper runs Hopper, Walker2d and Ant with terminate_when_unhealthy=False.
  const envOptions = mujocoTask && env !== "HalfCheetah-v4" ? { terminateWhenUnhealthy: false } : {};
  const base = {
    env,
    envOptions,
    steps: env.startsWith("Room-") || mujocoTask ? 1_000_000 : 100_000,
    seed: 0,
    evalFreq: 10_000,
    evalEpisodes: 10,
    checkpointFreq: 10_000,
  };
  if (algo === "sac") return { ...base, algo, sac: sacHyperparameters(env, set) };
  if (algo === "td3") return { ...base, algo, td3: td3Hyperparameters(env, set) };
  return { ...base, algo: "dqn", dqn: dqnHyperparameters(env, set) };
}

/** A single agent's algorithm and its settings. */
export function runSettings(config: RunConfig): AlgoSettings {
  if (config.algo === "dqn") return { algo: "dqn", settings: config.dqn };
  return config.algo === "sac" ? { algo: "sac", settings: config.sac } : { algo: "td3", settings: config.td3 };
}

export function validateRunConfig(input: unknown): RunConfig {
  return parseOrThrow(RunConfigSchema, input, "run config");
}
