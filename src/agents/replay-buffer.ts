/**
 * The replay buffer: a circular store of transitions in preallocated typed arrays, sampled uniformly with
 * replacement (SB3 1.5's ReplayBuffer). It stores `terminated`, not `done`: a transition cut by the time limit is
 * not terminal, so its target still bootstraps from the next state. It holds the raw data and nothing more
 * (observations, next observations, actions, rewards, terminal flags).
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { Random } from "../core/random.js";
import { UserError } from "../core/errors.js";

export interface ReplayBufferState {
  pos: number;
  full: boolean;
}

export interface SharedReplayMemory {
  obs: SharedArrayBuffer;
  nextObs: SharedArrayBuffer;
  actions: SharedArrayBuffer;
  rewards: SharedArrayBuffer;
  terminated: SharedArrayBuffer;
}

function allocateShared(capacity: number, obsDim: number, actDim: number): SharedReplayMemory {
  return {
    obs: new SharedArrayBuffer(capacity * obsDim * 4),
    nextObs: new SharedArrayBuffer(capacity * obsDim * 4),
    actions: new SharedArrayBuffer(capacity * actDim * 4),
    rewards: new SharedArrayBuffer(capacity * 4),
    terminated: new SharedArrayBuffer(capacity),
  };
}

export class ReplayBuffer {
  readonly obs: Float32Array;
  readonly nextObs: Float32Array;
  readonly actions: Float32Array;
  readonly rewards: Float32Array;
  readonly terminated: Uint8Array;
  pos = 0;
  full = false;

  constructor(
    readonly capacity: number,
    readonly obsDim: number,
    readonly actDim: number,
    /** Allocate in SharedArrayBuffers (a trainer thread then reads the same memory), or wrap existing ones. */
    shared: boolean | SharedReplayMemory = false,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`buffer size must be a positive integer, got ${capacity}`);
    const mem = shared === false ? null : shared === true ? allocateShared(capacity, obsDim, actDim) : shared;
    this.obs = mem ? new Float32Array(mem.obs) : new Float32Array(capacity * obsDim);
    this.nextObs = mem ? new Float32Array(mem.nextObs) : new Float32Array(capacity * obsDim);
    this.actions = mem ? new Float32Array(mem.actions) : new Float32Array(capacity * actDim);
    this.rewards = mem ? new Float32Array(mem.rewards) : new Float32Array(capacity);
    this.terminated = mem ? new Uint8Array(mem.terminated) : new Uint8Array(capacity);
  }

  /** The shared memory behind the arrays (when allocated shared), to hand to another thread. */
  sharedMemory(): SharedReplayMemory | null {
    if (!(this.obs.buffer instanceof SharedArrayBuffer)) return null;
    return {
      obs: this.obs.buffer,
      nextObs: this.nextObs.buffer as SharedArrayBuffer,
      actions: this.actions.buffer as SharedArrayBuffer,
      rewards: this.rewards.buffer as SharedArrayBuffer,
      terminated: this.terminated.buffer as SharedArrayBuffer,
    };
  }

  get size(): number {
    return this.full ? this.capacity : this.pos;
  }

  /** Bytes held (the arrays above). */
  get bytes(): number {
    return this.obs.byteLength * 2 + this.actions.byteLength + this.rewards.byteLength + this.terminated.byteLength;
  }

  /** Stores one transition; `action` is a discrete action's index or a continuous action (in [-1, 1] for SAC/TD3). */
  add(
    obs: Float32Array,
    nextObs: Float32Array,
    action: number | Float32Array,
    reward: number,
    terminated: boolean,
  ): void {
    const i = this.pos;
    this.obs.set(obs, i * this.obsDim);
    this.nextObs.set(nextObs, i * this.obsDim);
    if (typeof action === "number") this.actions[i * this.actDim] = action;
    else this.actions.set(action, i * this.actDim);
    this.rewards[i] = reward;
    this.terminated[i] = terminated ? 1 : 0;
    this.pos = i + 1;
    if (this.pos === this.capacity) {
      this.full = true;
      this.pos = 0;
    }
  }

  /** Writes n indices drawn uniformly with replacement from the stored transitions. */
  sampleIndices(rng: Random, n: number, out: Int32Array): void {
    const size = this.size;
    if (size === 0) throw new Error("cannot sample from an empty replay buffer");
    rng.fillIntegers(out, size, n);
  }

  /** Copies rows `indices[0..n)` of `source` (obs or nextObs) into `dest` at `destOffset`, rows `destStride` apart. */
  gatherObs(
    source: Float32Array,
    indices: Int32Array,
    n: number,
    dest: Float32Array,
    destOffset = 0,
    destStride = this.obsDim,
  ): void {
    const d = this.obsDim;
    for (let r = 0; r < n; r++) {
      const from = indices[r] * d;
      const to = destOffset + r * destStride;
      for (let j = 0; j < d; j++) dest[to + j] = source[from + j];
    }
  }

  /** Copies the actions of `indices[0..n)` into `dest` at `destOffset`, rows `destStride` apart. */
  gatherActions(indices: Int32Array, n: number, dest: Float32Array, destOffset = 0, destStride = this.actDim): void {
    const d = this.actDim;
    for (let r = 0; r < n; r++) {
      const from = indices[r] * d;
      const to = destOffset + r * destStride;
      for (let j = 0; j < d; j++) dest[to + j] = this.actions[from + j];
    }
  }

  /**
   * A continuous-action batch in the critics' input layout: n sampled transitions as rows of [s, a] into `obsAction`
   * and [s', -] into `nextObsAction` (row width obsDim + actDim; the update writes a' into the gap), with their
   * rewards and terminal flags.
   */
  sampleRows(
    rng: Random,
    indices: Int32Array,
    n: number,
    obsAction: Float32Array,
    nextObsAction: Float32Array,
    rewards: Float32Array,
    dones: Float32Array,
  ): void {
    const w = this.obsDim + this.actDim;
    this.sampleIndices(rng, n, indices);
    this.gatherObs(this.obs, indices, n, obsAction, 0, w);
    this.gatherObs(this.nextObs, indices, n, nextObsAction, 0, w);
    this.gatherActions(indices, n, obsAction, this.obsDim, w);
    for (let i = 0; i < n; i++) {
      rewards[i] = this.rewards[indices[i]];
      dones[i] = this.terminated[indices[i]];
    }
  }

  getState(): ReplayBufferState {
    return { pos: this.pos, full: this.full };
  }

  setState(state: ReplayBufferState): void {
    this.pos = state.pos;
    this.full = state.full;
  }

  /** The arrays, by name, for saving (checkpoints write them as raw binary). */
  arrays(): Record<string, Float32Array | Uint8Array> {
    return {
      obs: this.obs,
      nextObs: this.nextObs,
      actions: this.actions,
      rewards: this.rewards,
      terminated: this.terminated,
    };
  }
}

/** The buffer's used rows, array after array, as raw little-endian bytes. */
export function saveReplayBuffer(path: string, buffer: ReplayBuffer): void {
  const rows = buffer.size;
  const parts: Uint8Array[] = [];
  for (const arr of Object.values(buffer.arrays())) {
    const perRow = arr.length / buffer.capacity;
    parts.push(new Uint8Array(arr.buffer, arr.byteOffset, rows * perRow * arr.BYTES_PER_ELEMENT));
  }
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, Buffer.concat(parts));
  renameSync(tmp, path);
}

export function loadReplayBuffer(path: string, buffer: ReplayBuffer, state: ReplayBufferState): void {
  buffer.setState(state);
  const rows = buffer.size;
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UserError(`cannot read the replay buffer ${path}: ${(e as Error).message}`);
  }
  let offset = 0;
  for (const arr of Object.values(buffer.arrays())) {
    const perRow = arr.length / buffer.capacity;
    const n = rows * perRow * arr.BYTES_PER_ELEMENT;
    if (offset + n > bytes.length)
      throw new UserError(`${path} is truncated: it has ${bytes.length} bytes, the checkpoint needs more`);
    new Uint8Array(arr.buffer, arr.byteOffset, n).set(bytes.subarray(offset, offset + n));
    offset += n;
  }
  if (offset !== bytes.length)
    throw new UserError(`${path} has ${bytes.length} bytes, the checkpoint expects ${offset}`);
}
