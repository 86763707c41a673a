import { describe, expect, it } from "vitest";
import { Op, decode, encode, f32, f64, markPrefetchUsed } from "./peer-protocol.js";

describe("the peer wire format", () => {
  it("carries fields, Float32 and Float64 arrays bit for bit, aligned", () => {
    const obs = Float32Array.of(0.1, -2.5, 1e-30, 3.4e38);
    const values = Float64Array.of(Math.PI, -0.1, 1e-300, Number.MAX_VALUE);
    const bytes = encode(Op.values, { k: 4, note: "héllo" }, [obs, values]);
    expect(bytes.length % 8).toBe(0);
    const m = decode(bytes);
    expect(m.op).toBe(Op.values);
    expect(m.meta).toMatchObject({ k: 4, note: "héllo" });
    expect([...f32(m, 0)]).toEqual([...obs]);
    expect([...f64(m, 1)]).toEqual([...values]);
    expect(() => f64(m, 0)).toThrow(/array 0 is not Float64/);
  });

  it("decodes from a view into a larger buffer (as NATS hands a message over) into copies of its own", () => {
    const bytes = encode(Op.step, { progressTotal: 10 }, [Float32Array.of(2)]);
    const pool = new Uint8Array(4096);
    pool.set(bytes, 13);
    const m = decode(pool.subarray(13, 13 + bytes.length));
    const action = f32(m, 0);
    expect([...action]).toEqual([2]);
    expect(action.buffer.byteLength).toBe(4);
    pool.fill(0);
    expect(action[0]).toBe(2);
  });

  it("carries the flag that the suggestion computed ahead was used, apart from the operation", () => {
    const bytes = encode(Op.values, {}, [Float32Array.of(1)]);
    expect(decode(bytes)).toMatchObject({ op: Op.values, prefetchUsed: false });
    markPrefetchUsed(bytes);
    expect(decode(bytes)).toMatchObject({ op: Op.values, prefetchUsed: true });
    expect([...f32(decode(bytes), 0)]).toEqual([1]);
  });

  it("refuses a message too short to hold its header", () => {
    expect(() => decode(new Uint8Array(3))).toThrow(/too short/);
  });
});
