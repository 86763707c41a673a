/**
 * One contiguous block of float32 memory that a kernel backend computes on. Networks allocate their parameters,
 * gradients, optimiser state and activations here once, at construction; the hot path then only passes offsets.
 *
 * The memory can grow (allocation happens only while building networks); every `Tensor` keeps a view that the heap
 * refreshes when the underlying buffer is replaced.
 */

/** Allocation granularity: 16 floats = 64 bytes, one cache line and one AVX-512 vector. */
const ALIGN_FLOATS = 16;

/** How a backend provides memory: the current buffer, and a way to get a larger one with the contents kept. */
export interface HeapMemory {
  buffer(): ArrayBuffer;
  /** Make room for at least `bytes` bytes in total, keeping the contents; returns the (possibly new) buffer. */
  grow(bytes: number): ArrayBuffer;
}

export class Tensor {
  /** A view of exactly this tensor's elements; replaced (not mutated) when the heap grows. */
  data: Float32Array;
  constructor(
    readonly heap: Heap,
    /** Offset in floats from the start of the heap. */
    readonly offset: number,
    readonly length: number,
  ) {
    this.data = heap.f32.subarray(offset, offset + length);
  }
}

export class Heap {
  f32: Float32Array;
  private used: number;
  private readonly tensors: Tensor[] = [];
  private readonly growListeners: (() => void)[] = [];

  constructor(
    private readonly memory: HeapMemory,
    /** Floats reserved at the start (e.g. a WebAssembly module's own stack and data). */
    reservedFloats = 0,
  ) {
    this.f32 = new Float32Array(memory.buffer());
    this.used = roundUp(reservedFloats);
  }

  /** Floats in use (for memory reports). */
  get usedFloats(): number {
    return this.used;
  }

  /** Allocates n zero-initialised floats, 64-byte aligned. */
  alloc(n: number): Tensor {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`cannot allocate ${n} floats`);
    const offset = this.used;
    const end = offset + roundUp(Math.max(n, 1));
    if (end > this.f32.length) this.growTo(end);
    this.used = end;
    const t = new Tensor(this, offset, n);
    t.data.fill(0);
    this.tensors.push(t);
    return t;
  }

  /** Calls `listener` after every growth (to rebuild other views of the same memory). */
  onGrow(listener: () => void): void {
    this.growListeners.push(listener);
  }

  private growTo(floats: number): void {
    const bytes = Math.max(floats * 4, this.f32.byteLength * 2);
    this.f32 = new Float32Array(this.memory.grow(bytes));
    for (const t of this.tensors) t.data = this.f32.subarray(t.offset, t.offset + t.length);
    for (const listener of this.growListeners) listener();
  }
}

function roundUp(n: number): number {
  return Math.ceil(n / ALIGN_FLOATS) * ALIGN_FLOATS;
}

/** Memory held in a plain ArrayBuffer, grown by copying (JS backend, native backend). */
export function arrayBufferMemory(initialBytes: number, onReplace?: (buffer: ArrayBuffer) => void): HeapMemory {
  let buf = new ArrayBuffer(initialBytes);
  onReplace?.(buf);
  return {
    buffer: () => buf,
    grow(bytes: number): ArrayBuffer {
      if (bytes <= buf.byteLength) return buf;
      const next = new ArrayBuffer(bytes);
      new Uint8Array(next).set(new Uint8Array(buf));
      buf = next;
      onReplace?.(buf);
      return buf;
    },
  };
}
