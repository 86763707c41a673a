import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../core/errors.js";
import { Random } from "../core/random.js";
import { JsKernels } from "./kernels/js.js";
import { Mlp } from "./mlp.js";
import {
  assignTensors,
  decodeSafetensors,
  encodeSafetensors,
  loadSafetensors,
  saveSafetensors,
} from "./safetensors.js";

function sample(): Uint8Array {
  return encodeSafetensors(
    [
      { name: "a", shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) },
      { name: "b", shape: [3], data: Float32Array.from([5, 6, 7]) },
    ],
    { format: "pt" },
  );
}

/** Rewrites the JSON header of a valid file (keeping the data) to build corrupt variants. */
function withHeader(header: string): Uint8Array {
  const good = sample();
  const n = Number(new DataView(good.buffer).getBigUint64(0, true));
  const data = good.subarray(8 + n);
  const h = Buffer.from(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

describe("safetensors", () => {
  it("writes the documented layout: u64 header length, 8-byte aligned JSON header, raw little-endian data", () => {
    const bytes = sample();
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString());
    expect(header).toEqual({
      __metadata__: { format: "pt" },
      a: { dtype: "F32", shape: [2, 2], data_offsets: [0, 16] },
      b: { dtype: "F32", shape: [3], data_offsets: [16, 28] },
    });
    expect(new DataView(bytes.buffer).getFloat32(8 + n + 16, true)).toBe(5);
  });

  it("round-trips a network through a file", () => {
    const k = new JsKernels();
    const net = new Mlp(k, { sizes: [3, 4, 2] });
    net.initPytorchDefault(new Random(9));
    const path = join(mkdtempSync(join(tmpdir(), "peerlearn-")), "net.safetensors");
    saveSafetensors(path, net.namedTensors("q."), { algo: "dqn" });
    const copy = new Mlp(k, { sizes: [3, 4, 2] });
    const loaded = loadSafetensors(path);
    assignTensors(copy.namedTensors("q."), loaded, path);
    expect([...copy.params.data]).toEqual([...net.params.data]);
    expect(loaded.metadata).toEqual({ algo: "dqn" });
    expect(() => assignTensors(new Mlp(k, { sizes: [3, 5, 2] }).namedTensors("q."), loaded, path)).toThrow(
      /shape \[4,3\], expected \[5,3\]/,
    );
  });

  const corrupt: [string, () => Uint8Array, RegExp][] = [
    ["too short", () => new Uint8Array(5), /fewer than the 8-byte/],
    ["truncated data", () => sample().subarray(0, sample().length - 4), /spans bytes/],
    [
      "header longer than the file",
      () => {
        const b = sample().slice();
        new DataView(b.buffer).setBigUint64(0, 1n << 40n, true);
        return b;
      },
      /claims/,
    ],
    ["header not JSON", () => withHeader("{nope"), /not JSON/],
    ["header not an object", () => withHeader("[1,2]"), /not a JSON object/],
    ["unknown dtype", () => withHeader('{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}'), /dtype "F16"/],
    [
      "shape and size disagree",
      () => withHeader('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,4]}}'),
      /needs 12 bytes/,
    ],
    ["negative shape", () => withHeader('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}'), /invalid shape/],
    [
      "overlapping tensors",
      () =>
        withHeader(
          '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}',
        ),
      /overlap/,
    ],
  ];
  it.each(corrupt)("rejects a corrupt file (%s) with one clear message", (_label, make, message) => {
    const bytes = make();
    let error: unknown;
    try {
      decodeSafetensors(bytes, "model.safetensors");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/^model\.safetensors is not a valid safetensors file: /);
    expect((error as Error).message).toMatch(message);
  });

  it("never leaves a partial file behind a save, and reports a missing file clearly", () => {
    const dir = mkdtempSync(join(tmpdir(), "peerlearn-"));
    const path = join(dir, "x.safetensors");
    writeFileSync(path, "old");
    saveSafetensors(path, [{ name: "w", shape: [1], data: Float32Array.from([1]) }]);
    expect(readFileSync(path).length).toBeGreaterThan(8);
    expect(() => loadSafetensors(join(dir, "missing.safetensors"))).toThrow(/cannot read/);
  });
});
