/** DQN's settings: the schema (each field documented where it is declared) and SB3 1.5's defaults. */
import { z } from "zod";
import { batchSize, bufferSize, fraction, netArch, positiveInt } from "../config-fields.js";

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
