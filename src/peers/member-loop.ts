/**
 * What the group and its driver use of a member's loop: an OffPolicyLoop built here, or the stand-in of a peer
 * placed elsewhere (GroupPlacement, group.ts), which runs the same step there and the group's phases here.
 */
import type { EvalResult, LoopState } from "../agents/off-policy-loop.js";

export interface MemberLoop {
  /** Whether the member runs elsewhere (its training is started there and runs meanwhile). */
  readonly placedElsewhere: boolean;
  readonly obs: Float32Array;
  readonly steps: number;
  readonly env: { readonly maxEpisodeSteps: number };
  progressTotal: number;
  readonly lastEval: EvalResult | null;
  readonly averageRewardOverTime: number | null;
  collect(): void;
  trainIfDue(): boolean;
  checkFinite(): void;
  save(dir: string, withBuffer?: boolean): LoopState;
  load(dir: string, state: LoopState): void;
  close(): void;
}
