/**
 * The shared-memory protocol between a peer group and its trainer threads (trainer-pool.ts, trainer-worker.ts).
 * One Int32Array of control words per trainer; the caller writes a command and the inputs, flips `state` to
 * COMMAND and notifies; the trainer runs it, writes the outputs and flips `state` to DONE (or FAILED). Both sides
 * block with Atomics.wait, so a round costs no event-loop turn and no message copies.
 */
import type { DqnConfig } from "../agents/dqn.js";
import type { SharedReplayMemory } from "../agents/replay-buffer.js";
import type { BackendName } from "../nn/kernels/kernels.js";

export const Ctrl = {
  state: 0,
  command: 1,
  bufferPos: 2,
  bufferFull: 3,
  pendingTargetUpdates: 4,
  rng0: 5, // 5..8: the generator's four state words
  hasSpare: 9,
  adamStep: 10,
  /** Set by the trainer: 1 when it failed (at start-up or in a command), so that the caller stops waiting. */
  failed: 11,
  /** Set by the trainer to 1 once it has started (the pool waits for it, with a time limit). */
  ready: 12,
  length: 16,
} as const;

export const State = { idle: 0, command: 1, done: 2, failed: 3 } as const;
export const Command = { train: 1, sync: 2, exit: 3 } as const;

export interface TrainerInit {
  readonly backend: BackendName;
  readonly config: DqnConfig;
  readonly obsDim: number;
  readonly nActions: number;
  readonly replay: SharedReplayMemory;
  /** Int32Array(Ctrl.length) of control words. */
  readonly ctrl: SharedArrayBuffer;
  /** Float64Array(1): the generator's spare normal deviate. */
  readonly spare: SharedArrayBuffer;
  /** Float32Array views (parameter count each): online weights (both ways), and the rest of the state (sync). */
  readonly params: SharedArrayBuffer;
  readonly target: SharedArrayBuffer;
  readonly adamM: SharedArrayBuffer;
  readonly adamV: SharedArrayBuffer;
}
