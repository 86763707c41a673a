/** Bounded field types shared by the algorithms' settings and the run config. */
import { z } from "zod";

export const positiveInt = z.number().int().positive();
/** The most env steps a run may ask for: far past any budget (the paper's is 1M), short of nonsense. */
export const MAX_STEPS = 1e10;
export const stepCount = positiveInt.max(MAX_STEPS);
export const fraction = z.number().min(0).max(1);
/** Sizes with bounds, so that a typo (1e9) is refused with a message instead of failing to allocate. */
export const bufferSize = positiveInt.max(100_000_000);
export const batchSize = positiveInt.max(65_536);
export const netArch = z.array(positiveInt.max(4096)).min(1).max(16);

/** `tuned`: peerlearn's settings for the task (the paper's, the RL Zoo's); `sb3`: SB3 1.5's defaults. */
export type HyperparameterSet = "tuned" | "sb3";

/** The paper's MuJoCo tasks. */
export const MUJOCO_TASKS = ["HalfCheetah-v4", "Hopper-v4", "Walker2d-v4", "Ant-v4"] as const;
