/** SAC's settings: the schema (each field documented where it is declared) and SB3 1.5's defaults. */
import { z } from "zod";
import { batchSize, bufferSize, fraction, netArch, positiveInt } from "../config-fields.js";

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
