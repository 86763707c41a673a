import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pack, unpack } from "./sweeps/bundle.js";
import { connectNats, redactUrl } from "./nats-connection.js";
import { progressKey, resultsName, sweepId, type SweepStore } from "./sweeps/sweep-store.js";
import { runningElsewhere } from "./sweeps/nats-worker.js";
import type { JsMsg } from "@nats-io/jetstream";

describe("bundles of run files", () => {
  it("pack a folder's files and give them back byte for byte", () => {
    const a = mkdtempSync(join(tmpdir(), "peerlearn-bundle-"));
    mkdirSync(join(a, "final", "peer-0"), { recursive: true });
    writeFileSync(join(a, "summary.json"), "{}");
    writeFileSync(join(a, "final", "peer-0", "model.safetensors"), Buffer.from([0, 1, 2, 255]));
    const b = mkdtempSync(join(tmpdir(), "peerlearn-bundle-"));
    expect(unpack(pack(a, ["summary.json", "final"]), b).sort()).toEqual([
      "final/peer-0/model.safetensors",
      "summary.json",
    ]);
    expect([...readFileSync(join(b, "final", "peer-0", "model.safetensors"))]).toEqual([0, 1, 2, 255]);
  });

  it("refuse a path that would leave the target folder", () => {
    const header = Buffer.from(JSON.stringify([["../evil", 1]]));
    const size = Buffer.alloc(4);
    size.writeUInt32LE(header.length);
    const b = mkdtempSync(join(tmpdir(), "peerlearn-bundle-"));
    expect(() => unpack(Buffer.concat([size, header, Buffer.from([1])]), b)).toThrow(/leaves its folder/);
  });
});

describe("NATS names and connections", () => {
  it("never shows a password", () => {
    expect(redactUrl("nats://alice:s3cret@host:4222,tls://bob:pw@other:4443")).toBe(
      "nats://host:4222,tls://other:4443",
    );
  });

  it("refuses a URL of another scheme with one line, before connecting", async () => {
    await expect(connectNats("http://host:4222", "test")).rejects.toThrow(/the scheme must be nats:\/\/ or tls:\/\//);
  });

  it("gives each run of a sweep stable names", () => {
    const s = sweepId(["fig4", 0.002, "faithful", "out"]);
    expect(s).toMatch(/^[0-9a-f]{16}$/);
    expect(sweepId(["fig4", 0.002, "faithful", "out"])).toBe(s);
    expect(resultsName(s, "Room-v21/adversarial/seed-0")).toBe(`${s}/Room-v21/adversarial/seed-0/results`);
    expect(progressKey(s, "Room-v21/adversarial/seed-0")).toBe(`${s}.Room-v21_adversarial_seed-0`);
  });
});

describe("a job delivered again while a worker may still run it", () => {
  // A fake progress bucket whose entry for the key moves (a live worker writes it) or stands still (a dead one's).
  const storeWith = (revisions: (number | null)[]) => {
    let reads = 0;
    const get = async () => {
      const r = revisions[Math.min(reads++, revisions.length - 1)];
      return r === null ? null : { revision: r };
    };
    return { progress: { get } } as unknown as SweepStore;
  };
  const msg = () => {
    const m = { working: () => void (m.extended += 1), extended: 0 };
    return m;
  };

  it("is left alone while its progress entry moves, and the ack wait is extended meanwhile", async () => {
    const m = msg();
    expect(await runningElsewhere(storeWith([7, 7, 8]), "k", m as unknown as JsMsg, () => {})).toBe(true);
    expect(m.extended).toBe(2);
  });

  it("is run when its entry stands still (its worker died) or there is none", async () => {
    expect(await runningElsewhere(storeWith([7]), "k", msg() as unknown as JsMsg, () => {})).toBe(false);
    const m = msg();
    expect(await runningElsewhere(storeWith([null]), "k", m as unknown as JsMsg, () => {})).toBe(false);
    expect(m.extended).toBe(0); // no entry: nobody ran it, nothing to watch
  });

  it("runs the job, and says so, when the entry cannot be read", async () => {
    const lines: string[] = [];
    const failing = { progress: { get: async () => Promise.reject(new Error("timeout")) } } as unknown as SweepStore;
    expect(await runningElsewhere(failing, "k", msg() as unknown as JsMsg, (l) => lines.push(l))).toBe(false);
    expect(lines).toEqual(["k: its progress entry could not be read (timeout): taken as no other worker's"]);
  });

  it("counts an entry deleted meanwhile (the other worker finished) as running elsewhere", async () => {
    expect(await runningElsewhere(storeWith([7, null]), "k", msg() as unknown as JsMsg, () => {})).toBe(true);
  });
});
