/**
 * The NATS boundary, message by message, fuzzed with fast-check: whatever bytes or JSON arrive, the decoders and
 * schemas either give a value of the declared shape or throw their own error (ProtocolError, BadJob,
 * BundleError); never another exception, never an allocation of a size a header claims, never a path out of its
 * root. Arbitraries start from valid messages and replace one field at a time with something hostile.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findPreset } from "../peers/presets.js";
import { PathEscape, confined } from "../core/paths.js";
import { BundleError, pack, unpack } from "./sweeps/bundle.js";
import { redactUrl, connectNats } from "./nats-connection.js";
import { ProtocolError, decode, encode, Op } from "./peers/peer-protocol.js";
import { RequestSchemas, PeerInfoSchema, StepReplySchema, fields } from "./peers/peer-messages.js";
import { BadJob, ProgressSchema, SweepPlanSchema, parseJob, RunDirSchema } from "./sweeps/sweep-messages.js";
import { Presence } from "./peers/presence.js";
import type { PeerLinks } from "./peers/peer-links.js";

/** A value that no schema field takes as it is: wrong types, out of range, path segments, huge strings. */
const hostile = fc.oneof(
  fc.constantFrom(null, true, -1, 1e12, 1e308, -0, 0.5, "", "..", "/", "/etc/passwd", "a\u0000b", "../../x"),
  fc.constantFrom([], {}, [1, 2], { $ref: "x" }, "x".repeat(100_000)),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
);

const validJob = {
  sweep: "0123456789abcdef",
  dir: "Room-v21/single-agent/seed-0",
  preset: "room-v21/single-agent",
  config: { ...findPreset("room-v21/single-agent").config, steps: 200 },
};

/** Runs `f`; passes when it returns or throws one of `allowed`. */
function onlyThrows(f: () => unknown, ...allowed: (abstract new (...a: never[]) => Error)[]): void {
  try {
    f();
  } catch (e) {
    if (!allowed.some((k) => e instanceof k)) throw e;
  }
}

describe("the peer wire format against hostile bytes", () => {
  it("decodes any bytes into a message or a ProtocolError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => onlyThrows(() => decode(bytes), ProtocolError)),
      { numRuns: 2000 },
    );
  });

  it("never allocates what a header claims: an array of 2^31 numbers in a short message is refused", () => {
    const m = encode(Op.values, {}, []);
    const json = new TextEncoder().encode(JSON.stringify({ arrays: [["f64", 2 ** 31]] }));
    const bytes = new Uint8Array(8 + json.length + 8);
    bytes.set(m.subarray(0, 4));
    new DataView(bytes.buffer).setUint32(4, json.length, true);
    bytes.set(json, 8);
    expect(() => decode(bytes)).toThrow(/past the message's end/);
  });

  it("takes each request's fields only in their declared shape", () => {
    const valid: Record<keyof typeof RequestSchemas, Record<string, unknown>> = {
      join: { configHash: "abc", session: "a".repeat(32) },
      suggest: { explore: true },
      critic: { n: 4 },
      values: { queries: [{ k: 2, two: false, newRows: [1] }] },
      act: { t: 5 },
      beforeStep: { t: 5 },
      step: { progressTotal: 10, before: [], queries: [], own: null, prefetch: { explore: false } },
      train: { prefetch: null },
      save: { name: "step-100", session: "a".repeat(32) },
      load: {
        name: "step-100",
        session: "a".repeat(32),
        state: {
          steps: 1,
          obs: [0],
          episodes: 0,
          episodeReturn: 0,
          evalMeans: [],
          lastEval: null,
          env: {},
          evalEnv: {},
          agent: {},
        },
      },
      finish: { session: "a".repeat(32) },
      probe: { instance: "x", startedAt: 1 },
    };
    for (const [op, meta] of Object.entries(valid)) {
      const schema = RequestSchemas[op as keyof typeof RequestSchemas];
      const m = decode(encode(Op.ok, meta));
      expect(() => fields(schema, m, op), op).not.toThrow();
      fc.assert(
        fc.property(fc.constantFrom(...Object.keys(meta)), hostile, (key, value) => {
          const bad = decode(encode(Op.ok, { ...meta, [key]: value }));
          onlyThrows(() => fields(schema, bad, op), ProtocolError);
        }),
        { numRuns: 200 },
      );
    }
  });

  it("refuses checkpoint names that are not step-<digits> and critic batches past the bound", () => {
    const save = (name: unknown) => decode(encode(Op.save, { name, session: "a".repeat(32) }));
    for (const name of ["../../../X", "/tmp/x", "step-1/../../x", "step-", "step-1\u0000", "Step-1"])
      expect(() => fields(RequestSchemas.save, save(name), "save")).toThrow(ProtocolError);
    expect(() => fields(RequestSchemas.critic, decode(encode(Op.critic, { n: 1e12 })), "critic")).toThrow(/n: Too big/);
  });

  it("checks a peer's hello and step replies before the coordinator believes them", () => {
    const ok = decode(encode(Op.ok, {}));
    expect(() => fields(PeerInfoSchema, ok, "hello")).toThrow(ProtocolError);
    expect(() => fields(StepReplySchema, ok, "step")).toThrow(ProtocolError);
    const step = { reward: 1, terminated: false, truncated: false, steps: 3, eval: null, returns: [], reset: false };
    expect(() => fields(StepReplySchema, decode(encode(Op.ok, step)), "step")).not.toThrow();
    expect(() => fields(StepReplySchema, decode(encode(Op.ok, { ...step, reward: "1" })), "step")).toThrow(/reward/);
  });

  it("leaves a peer out, with one line, when its reply has the wrong shape", () => {
    const lines: string[] = [];
    const links = {
      failures: 0,
      request: () => decode(encode(Op.ok, {}, [new Float64Array(3)])),
    };
    const p = new Presence(1, links as unknown as PeerLinks, 1000, (l) => lines.push(l), new Uint8Array(8), "a");
    p.actionWidth = 2;
    const reply = p.ask(encode(Op.suggest, { explore: false }), undefined, (m) => {
      if (!(m.arrays[0] instanceof Float32Array)) throw new ProtocolError("array 0 is not Float32");
    });
    expect(reply).toBeNull();
    expect(p.present).toBe(false);
    expect(links.failures).toBe(1);
    expect(lines).toEqual([
      "peerlearn peer 0: peer 1 sent a reply of the wrong shape (array 0 is not Float32): left out until it answers again",
    ]);
  });
});

describe("sweep jobs and records against hostile JSON", () => {
  const bytes = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

  it("parses a job, or says why not (BadJob); a parsed job's folder stays under its root", () => {
    expect(parseJob(bytes(validJob)).dir).toBe(validJob.dir);
    const root = mkdtempSync(join(tmpdir(), "peerlearn-jobs-"));
    fc.assert(
      fc.property(fc.constantFrom("sweep", "dir", "preset", "config", "extra"), hostile, (key, value) => {
        let job;
        try {
          job = parseJob(bytes({ ...validJob, [key]: value }));
        } catch (e) {
          if (e instanceof BadJob) return;
          throw e;
        }
        expect(confined(root, `${job.sweep}/${job.dir}`).startsWith(root)).toBe(true);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => onlyThrows(() => parseJob(b), BadJob)),
      { numRuns: 500 },
    );
  });

  it("refuses run folders that leave the root, and a frozen peer's file outside the worker's folder", () => {
    for (const dir of ["..", "../x", "a/../../b", "/etc", "a//b", "a/./b", "a\\b", "a\u0000b", "x".repeat(65)])
      expect(RunDirSchema.safeParse(dir).success, dir).toBe(false);
    const frozen = { kind: "frozen", algo: "dqn", checkpoint: "/etc/passwd" };
    const config = { ...validJob.config, peers: [{ kind: "dqn" }, frozen] };
    expect(() => parseJob(bytes({ ...validJob, config }))).toThrow(/checkpoint: path "\/etc\/passwd" is absolute/);
    expect(() => parseJob(new Uint8Array(300 << 10))).toThrow(/larger than/);
  });

  it("bounds progress values and sweep plans", () => {
    expect(ProgressSchema.safeParse({ steps: 1e12, total: 100 }).success).toBe(false);
    expect(ProgressSchema.safeParse({ steps: 5, total: 10 }).success).toBe(true);
    expect(SweepPlanSchema.safeParse({ experiment: "x", runDirs: ["../../x"] }).success).toBe(false);
  });

  it("unpacks a bundle only when its header adds up, never outside its folder", () => {
    const target = mkdtempSync(join(tmpdir(), "peerlearn-bundle-"));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => onlyThrows(() => unpack(b, target), BundleError)),
      { numRuns: 500 },
    );
    const forged = (header: unknown, body: number): Buffer => {
      const h = Buffer.from(JSON.stringify(header));
      const size = Buffer.alloc(4);
      size.writeUInt32LE(h.length);
      return Buffer.concat([size, h, Buffer.alloc(body)]);
    };
    expect(() => unpack(forged([["a", 2 ** 40]], 1), target)).toThrow(/add up/);
    expect(() => unpack(forged([["/abs", 1]], 1), target)).toThrow(BundleError);
    expect(() => unpack(forged([["a/../../b", 1]], 1), target)).toThrow(/leaves its folder/);
    expect(readdirSync(target)).toEqual([]);
    expect(unpack(pack(target, []), target)).toEqual([]);
    expect(() => confined(target, "../x")).toThrow(PathEscape);
  });
});

describe("NATS credentials are never printed", () => {
  const passwords = ["s3cret", "pa/ss", "p@ss", "a:b@c/d", "we#ird%zz", "sl/a@sh:es"];

  it("in redacted URLs and in every error a bad URL gives", async () => {
    for (const pass of passwords) {
      const urls = [
        `nats://alice:${pass}@127.0.0.1:1`,
        `tls://alice:${pass}@host:4222,nats://bob:${pass}@other:4443`,
        `http://alice:${pass}@host:4222`,
        `nats://alice:${pass}@`,
        `nats://alice:${pass}@[::1`,
        `nats://alice:${pass}@host:99999`,
        `alice:${pass}@host`,
      ];
      for (const url of urls) {
        expect(redactUrl(url)).not.toContain(pass);
        const message = await connectNats(url, "test").then(
          async (nc) => {
            await nc.close();
            return "";
          },
          (e: Error) => e.message,
        );
        expect(message, url).not.toContain(pass);
        expect(message, url).not.toContain("alice");
      }
    }
  }, 60_000);
});
