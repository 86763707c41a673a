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
  /** A process about to serve peer i asks whether another already does (a second process on one index). */
  probe: 12,
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

/**
 * A message that does not follow this format, or a request or reply of the wrong shape: from another version of
 * peerlearn or from a hostile client. Answered with an error (requests) or taken as the peer failing (replies);
 * never a crash.
 */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
}

/** The largest message either side accepts (the coordinator's link buffers hold 8 MiB). */
export const MAX_MESSAGE_BYTES = 8 << 20;
/** At most this many arrays in one message. */
const MAX_ARRAYS = 4096;

/**
 * Decodes a message; its arrays are copies (aligned), never views of `bytes`. Every length is checked against the
 * bytes that are there before anything is allocated: a header that claims more throws ProtocolError.
 */
export function decode(bytes: Uint8Array): Message {
  if (bytes.length < 8) throw new ProtocolError(`a peer message of ${bytes.length} bytes is too short`);
  if (bytes.length > MAX_MESSAGE_BYTES)
    throw new ProtocolError(`a peer message of ${bytes.length} bytes is larger than ${MAX_MESSAGE_BYTES}`);
  const head = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const word = head.getUint32(0, true);
  if ((word & ~(0xff | PREFETCH_USED)) !== 0)
    throw new ProtocolError(`a peer message's operation word ${word} has unknown flags`);
  const op = word & 0xff;
  const jsonLength = head.getUint32(4, true);
  if (8 + jsonLength > bytes.length)
    throw new ProtocolError(`a peer message claims ${jsonLength} bytes of fields but holds ${bytes.length - 8}`);
  let meta: unknown;
  try {
    meta = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + jsonLength)));
  } catch (e) {
    throw new ProtocolError(`a peer message's fields are not JSON (${(e as Error).message})`);
  }
  if (typeof meta !== "object" || meta === null || Array.isArray(meta))
    throw new ProtocolError("a peer message's fields are not a JSON object");
  const kinds = (meta as { arrays?: unknown }).arrays ?? [];
  if (!Array.isArray(kinds) || kinds.length > MAX_ARRAYS)
    throw new ProtocolError(`a peer message's array list is not a list of at most ${MAX_ARRAYS}`);
  let at = 8 + pad8(jsonLength);
  const arrays = kinds.map((spec: unknown, i) => {
    const [kind, length] = Array.isArray(spec) ? (spec as unknown[]) : [];
    if ((kind !== "f32" && kind !== "f64") || !Number.isSafeInteger(length) || (length as number) < 0)
      throw new ProtocolError(`a peer message's array ${i} is not ["f32" or "f64", a length]`);
    const width = kind === "f64" ? 8 : 4;
    const bytesOf = (length as number) * width;
    if (at + bytesOf > bytes.length)
      throw new ProtocolError(`a peer message's array ${i} claims ${bytesOf} bytes past the message's end`);
    // A copy in a buffer of its own (aligned): `bytes` may be a Node Buffer, a view into a shared pool.
    const copy = new Uint8Array(bytesOf);
    copy.set(bytes.subarray(at, at + bytesOf));
    at += pad8(bytesOf);
    return kind === "f64" ? new Float64Array(copy.buffer) : new Float32Array(copy.buffer);
  });
  return { op, prefetchUsed: (word & PREFETCH_USED) !== 0, meta: meta as Record<string, unknown>, arrays };
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

/** The subject of a group's requests to peer i. */
export const peerSubject = (group: string, index: number): string => `peerlearn.peers.${group}.${index}`;

/** Group ids become part of NATS subjects: letters, digits, - and _ only. */
export const GROUP_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Array `i` of a message as Float32 (observations, actions), or an error naming what came instead. */
export function f32(m: Message, i: number, length?: number): Float32Array {
  const a = m.arrays[i];
  if (!(a instanceof Float32Array)) throw new ProtocolError(`peer message ${m.op}: array ${i} is not Float32`);
  if (length !== undefined && a.length !== length)
    throw new ProtocolError(`peer message ${m.op}: array ${i} holds ${a.length} numbers, not ${length}`);
  return a;
}

/** Array `i` of a message as Float64 (value estimates). */
export function f64(m: Message, i: number, length?: number): Float64Array {
  const a = m.arrays[i];
  if (!(a instanceof Float64Array)) throw new ProtocolError(`peer message ${m.op}: array ${i} is not Float64`);
  if (length !== undefined && a.length !== length)
    throw new ProtocolError(`peer message ${m.op}: array ${i} holds ${a.length} numbers, not ${length}`);
  return a;
}
