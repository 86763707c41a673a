/**
 * A single agent's run configuration: the fields every run has, and one settings section named after its
 * algorithm, built from the algorithm table (each section's schema, defaults and tuned sets live in the
 * algorithm's folder).
 */
import { z } from "zod";
import { parseOrThrow, tableUnion } from "../config/validate.js";
import { ALGORITHMS, REGISTERED, type Algo, type AlgoSettings, type SettingsOf } from "./algorithms.js";
import { MAX_STEPS, MUJOCO_TASKS, positiveInt, stepCount, type HyperparameterSet } from "./config-fields.js";
import { PRECISIONS } from "../nn/kernels/precision.js";

export { MAX_STEPS, MUJOCO_TASKS, type HyperparameterSet };
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
  precision: z
    .enum(PRECISIONS)
    .optional()
    .describe("fp32 (default) or bf16: matrix products with bf16 inputs, on a CPU with AVX512-BF16 (native kernels)"),
};

type RunFields = z.infer<z.ZodObject<typeof RUN_FIELDS>>;

/** A single agent's run: the run's fields, `algo`, and that algorithm's settings under its name. */
export type RunConfig = {
  [A in Algo]: RunFields & { algo: A } & { [K in A]: SettingsOf<A> };
}[Algo];

/** One strict object per registered algorithm. */
export const RunConfigSchema = tableUnion<RunConfig>(
  "algo",
  REGISTERED.map((a) => z.object({ ...RUN_FIELDS, algo: z.literal(a.algo), [a.algo]: a.schema }).strict()),
);

export { ALGOS, type Algo } from "./algorithms.js";

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
  return { ...base, algo, [algo]: ALGORITHMS[algo].hyperparameters(env, set) } as RunConfig;
}

/** A single agent's algorithm and its settings (the section named after it). */
export function runSettings(config: RunConfig): AlgoSettings {
  const sections: Partial<Record<Algo, unknown>> = config;
  return { algo: config.algo, settings: sections[config.algo] } as AlgoSettings;
}

export function validateRunConfig(input: unknown): RunConfig {
  return parseOrThrow(RunConfigSchema, input, "run config");
}
