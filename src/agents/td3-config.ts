/** TD3's settings (declared and documented once, in the schema: config.ts) and SB3 1.5's defaults. */
import type { z } from "zod";
import type { Td3ConfigSchema } from "./config.js";

/** TD3's settings: declared and documented once, in the schema (config.ts). */
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
