/**
 * Messages between the processes of a peer group on NATS (`peerlearn peer`): an operation, a few small fields as
 * JSON, and raw number arrays (observations and actions as Float32, value estimates as Float64, so that a value
 * crosses the wire bit for bit and the group computes exactly what it computes in one process).
 *
 * Layout: u32 operation, u32 JSON byte length, the JSON padded to 8 bytes, then the arrays in order, each padded
 * to 8 bytes; the JSON's `arrays` lists each array's kind and length. Bit 8 of the operation word
 * (PREFETCH_USED) says that the suggestion the peer computed ahead in its last reply was used (presence.ts).
 */

export const Op = {
  ok: 0,
  /** A peer process announces itself to the coordinator (peer 0). */
  join: 1,
  suggest: 2,
  critic: 3,
  values: 4,
  act: 5,
  beforeStep: 6,
  step: 7,
  train: 8,
  save: 9,
  load: 10,
  finish: 11,
  failed: 255,
} as const;
export type OpCode = (typeof Op)[keyof typeof Op];

export type NumberArray = Float32Array | Float64Array;

/** The flag of the operation word: the suggestion the peer computed ahead was used (the peer keeps its draws). */
export const PREFETCH_USED = 0x100;

export interface Message {
  readonly op: number;
  /** Whether the suggestion the peer computed ahead in its last reply was used (PREFETCH_USED). */
  readonly prefetchUsed: boolean;
  readonly meta: Record<string, unknown>;
  readonly arrays: NumberArray[];
}

const pad8 = (n: number): number => (n + 7) & ~7;

export function encode(
  op: number,
  meta: Record<string, unknown> = {},
  arrays: readonly NumberArray[] = [],
): Uint8Array {
  const json = new TextEncoder().encode(
    JSON.stringify({ ...meta, arrays: arrays.map((a) => [a instanceof Float64Array ? "f64" : "f32", a.length]) }),
  );
  let size = 8 + pad8(json.length);
  for (const a of arrays) size += pad8(a.byteLength);
  const out = new Uint8Array(size);
  const head = new DataView(out.buffer);
  head.setUint32(0, op, true);
  head.setUint32(4, json.length, true);
  out.set(json, 8);
  let at = 8 + pad8(json.length);
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += pad8(a.byteLength);
  }
  return out;
}

/** Decodes a message; its arrays are copies (aligned), never views of `bytes`. */
export function decode(bytes: Uint8Array): Message {
  if (bytes.length < 8) throw new Error(`a peer message of ${bytes.length} bytes is too short`);
  const head = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const word = head.getUint32(0, true);
  const op = word & 0xff;
  const jsonLength = head.getUint32(4, true);
  const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + jsonLength))) as Record<string, unknown>;
  const kinds = (meta.arrays ?? []) as [string, number][];
  let at = 8 + pad8(jsonLength);
  const arrays = kinds.map(([kind, length]) => {
    const width = kind === "f64" ? 8 : 4;
    // A copy in a buffer of its own (aligned): `bytes` may be a Node Buffer, a view into a shared pool.
    const copy = new Uint8Array(length * width);
    copy.set(bytes.subarray(at, at + length * width));
    at += pad8(length * width);
    return kind === "f64" ? new Float64Array(copy.buffer) : new Float32Array(copy.buffer);
  });
  return { op, prefetchUsed: (word & PREFETCH_USED) !== 0, meta, arrays };
}

/** Sets the PREFETCH_USED flag of an encoded request, in place. */
export function markPrefetchUsed(bytes: Uint8Array): void {
  const head = new DataView(bytes.buffer, bytes.byteOffset, 4);
  head.setUint32(0, head.getUint32(0, true) | PREFETCH_USED, true);
}

/**
 * Value estimates asked of a peer: per query, k states s' (and, with `two`, their s as well: the advantage's
 * V(s)), as the query's one or two arrays. `newRows`: rows of s' that the peer fills in itself with the s' of the
 * env step it takes in the same request (its coordinator does not have it yet).
 */
export interface QueryHead {
  readonly k: number;
  readonly two: boolean;
  readonly newRows: readonly number[];
}

/** Subjects of a group: requests to peer i, and the coordinator's door for peers that join. */
export const peerSubject = (group: string, index: number): string => `peerlearn.peers.${group}.${index}`;
export const joinSubject = (group: string): string => `peerlearn.peers.${group}.join`;

/** Group ids become part of NATS subjects: letters, digits, - and _ only. */
export const GROUP_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Array `i` of a message as Float32 (observations, actions), or an error naming what came instead. */
export function f32(m: Message, i: number): Float32Array {
  const a = m.arrays[i];
  if (!(a instanceof Float32Array)) throw new Error(`peer message ${m.op}: array ${i} is not Float32`);
  return a;
}

/** Array `i` of a message as Float64 (value estimates). */
export function f64(m: Message, i: number): Float64Array {
  const a = m.arrays[i];
  if (!(a instanceof Float64Array)) throw new Error(`peer message ${m.op}: array ${i} is not Float64`);
  return a;
}
