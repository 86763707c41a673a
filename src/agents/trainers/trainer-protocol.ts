/**
 * The shared-memory protocol between a peer group and its trainer threads (trainer-pool.ts, trainer-worker.ts).
 * A trainer thread trains one or more agents (no more threads than cores: oversubscribed threads only take turns).
 * Per thread: an Int32Array of control words. Per agent: Int32 words (its buffer's position, whether it trains
 * this round), a Float64Array of numbers (the generator's state, pending work, the trainer's scalars) and one
 * Float32Array holding its state blocks back to back. The caller writes a command and its inputs, flips `state`
 * to COMMAND and notifies; the thread runs it for its agents, writes the outputs and flips `state` to DONE (or
 * FAILED). Both sides block with Atomics.wait, so a round costs no event-loop turn and no message copies; each
 * first spins for up to SPIN_MS, since a thread woken from Atomics.wait takes tens of microseconds to run again.
 */
import type { AgentSpec } from "../trainable.js";
import type { SharedReplayMemory } from "../replay-buffer.js";
import type { Precision } from "../../nn/kernels/precision.js";
import type { BackendName } from "../../nn/kernels/kernels.js";

/** A thread's control words. */
export const Ctrl = {
  state: 0,
  command: 1,
  /** Set by the trainer: 1 when it failed (at start-up or in a command), so that the caller stops waiting. */
  failed: 2,
  /** Set by the trainer to 1 once it has started (the pool waits for it, with a time limit). */
  ready: 3,
  length: 4,
} as const;

/**
 * How long a side of the protocol spins before it sleeps in Atomics.wait, in ms: longer than the gaps of a round
 * (acting between two rounds, the other side's share of the updates), shorter than a blocked run. Spinning costs
 * nobody: the pool starts no more executors than there are cores.
 */
export const SPIN_MS = 1;

/**
 * Spins until (ctrl[index] === value) === equal, for up to `ms`; whether it got there. The clock is read every
 * 256 loads only: it costs more than a load.
 */
export function spinUntil(ctrl: Int32Array, index: number, value: number, equal: boolean, ms: number): boolean {
  const end = performance.now() + ms;
  for (let i = 1; ; i++) {
    if ((Atomics.load(ctrl, index) === value) === equal) return true;
    if ((i & 255) === 0 && performance.now() > end) return false;
  }
}

/** An agent's control words. */
export const Slot = {
  bufferPos: 0,
  bufferFull: 1,
  /** 1 when the agent trains in this round. */
  due: 2,
  length: 3,
} as const;

/** Layout of the Float64Array of numbers. */
export const Num = {
  /** The generator's four state words, whether a spare normal deviate is held, and that deviate. */
  rng0: 0,
  hasSpare: 4,
  spare: 5,
  /** Work acting left pending for the trainer (ThreadTrainable.takePending). */
  pending: 6,
  /** The trainer's scalars (ThreadTrainable.writeTrainerScalars) from here on. */
  scalars: 7,
} as const;

export const State = { idle: 0, command: 1, done: 2, failed: 3 } as const;
/** train: one round; sync: every state block into shared memory (before a checkpoint); exit. */
export const Command = { train: 1, sync: 2, exit: 3 } as const;

export interface TrainerInit {
  readonly backend: BackendName;
  /** The precision of the thread that starts the trainers (their products must round as its would). */
  readonly precision: Precision;
  /** Int32Array(Ctrl.length). */
  readonly ctrl: SharedArrayBuffer;
  readonly agents: readonly AgentSlotInit[];
}

export interface AgentSlotInit {
  readonly spec: AgentSpec;
  readonly replay: SharedReplayMemory;
  /** Int32Array(Slot.length). */
  readonly slot: SharedArrayBuffer;
  /** Float64Array(Num.scalars + number of trainer scalars). */
  readonly numbers: SharedArrayBuffer;
  /** Float32Array: the state blocks back to back, their lengths in `blockLengths`. */
  readonly blocks: SharedArrayBuffer;
  readonly blockLengths: readonly number[];
  readonly actingBlocks: readonly number[];
}

/** Views of each state block in the shared Float32Array. */
export function blockViews(blocks: SharedArrayBuffer, lengths: readonly number[]): Float32Array[] {
  const views: Float32Array[] = [];
  let offset = 0;
  for (const n of lengths) {
    views.push(new Float32Array(blocks, offset * 4, n));
    offset += n;
  }
  return views;
}

/** The generator state <-> numbers. */
export function writeRandomState(
  numbers: Float64Array,
  st: { s: readonly number[]; spareNormal: number | null },
): void {
  for (let i = 0; i < 4; i++) numbers[Num.rng0 + i] = st.s[i];
  numbers[Num.hasSpare] = st.spareNormal === null ? 0 : 1;
  numbers[Num.spare] = st.spareNormal ?? 0;
}

export function readRandomState(numbers: Float64Array): {
  s: [number, number, number, number];
  spareNormal: number | null;
} {
  return {
    s: [numbers[Num.rng0], numbers[Num.rng0 + 1], numbers[Num.rng0 + 2], numbers[Num.rng0 + 3]],
    spareNormal: numbers[Num.hasSpare] === 1 ? numbers[Num.spare] : null,
  };
}
