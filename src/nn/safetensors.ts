/**
 * The safetensors file format (what PyTorch users load with `safetensors.torch.load_file`): an 8-byte little-endian
 * header length, a JSON header naming each tensor's dtype, shape and byte range, then the raw data.
 *
 * Reading checks every bound before touching data, so a truncated or corrupt file gives one clear error instead of
 * garbage weights. Writing goes through a temporary file and a rename, so an interrupted save never leaves a
 * half-written file where a good one was.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { UserError } from "../core/errors.js";
import type { NamedTensor } from "./mlp.js";

/** A generous cap on the JSON header (the format's reference implementation uses 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

export interface LoadedTensor {
  readonly shape: number[];
  readonly data: Float32Array;
}

export interface SafetensorsContents {
  readonly tensors: Map<string, LoadedTensor>;
  readonly metadata: Record<string, string>;
}

export function encodeSafetensors(tensors: readonly NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length)
      throw new RangeError(`tensor ${t.name}: shape [${t.shape}] does not match ${t.data.length} values`);
    if (t.name in header) throw new RangeError(`tensor name ${t.name} appears twice`);
    header[t.name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8); // the spec pads the header with spaces
  const headerBytes = Buffer.from(json, "utf8");
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    pos += t.data.byteLength;
  }
  return out;
}

/** Parses and validates a safetensors file's bytes; `source` names the file in error messages. */
export function decodeSafetensors(bytes: Uint8Array, source = "safetensors data"): SafetensorsContents {
  const fail = (why: string): never => {
    throw new UserError(`${source} is not a valid safetensors file: ${why}`);
  };
  if (bytes.length < 8) fail(`it has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(bytes.length - 8, MAX_HEADER_BYTES))) {
    fail(`the header claims ${headerLength} bytes but the file has ${bytes.length - 8} after the length field`);
  }
  const n = Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, n).toString("utf8"));
  } catch (e) {
    fail(`the header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail("the header is not a JSON object");
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, LoadedTensor>();
  let metadata: Record<string, string> = {};
  const ranges: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof entry !== "object" || entry === null || Object.values(entry).some((v) => typeof v !== "string")) {
        fail("__metadata__ must map strings to strings");
      }
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e.dtype !== "F32") fail(`tensor ${name} has dtype ${JSON.stringify(e.dtype)}; peerlearn reads F32 only`);
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      fail(`tensor ${name} has an invalid shape`);
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`tensor ${name} has invalid data_offsets`);
    }
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end < begin || end > dataLength)
      fail(`tensor ${name} spans bytes ${begin}..${end} but the data has ${dataLength}`);
    if (end - begin !== 4 * count)
      fail(`tensor ${name}: shape [${shape}] needs ${4 * count} bytes, offsets give ${end - begin}`);
    ranges.push([begin, end, name]);
    // Copy (the data need not be 4-byte aligned inside the file).
    const data = new Float32Array(count);
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart + begin, dataStart + end));
    tensors.set(name, { shape: shape as number[], data });
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i][0] < ranges[i - 1][1]) fail(`tensors ${ranges[i - 1][2]} and ${ranges[i][2]} overlap`);
  }
  return { tensors, metadata };
}

export function saveSafetensors(
  path: string,
  tensors: readonly NamedTensor[],
  metadata: Record<string, string> = {},
): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, encodeSafetensors(tensors, metadata));
  renameSync(tmp, path);
}

export function loadSafetensors(path: string): SafetensorsContents {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UserError(`cannot read ${path}: ${(e as Error).message}`);
  }
  return decodeSafetensors(bytes, path);
}

/** Copies loaded tensors into a network's named tensors, checking that every name and shape matches. */
export function assignTensors(targets: readonly NamedTensor[], loaded: SafetensorsContents, source: string): void {
  for (const t of targets) {
    const got = loaded.tensors.get(t.name);
    if (!got)
      throw new UserError(
        `${source} has no tensor ${t.name} (it has ${[...loaded.tensors.keys()].join(", ") || "none"})`,
      );
    if (got.shape.join() !== t.shape.join()) {
      throw new UserError(`${source}: tensor ${t.name} has shape [${got.shape}], expected [${t.shape}]`);
    }
    t.data.set(got.data);
  }
}
