/**
 * A hostile client on the NATS server of a sweep and of a peer group: it publishes, on every subject the project
 * uses, what no peerlearn process would send (not JSON, wrong types, missing fields, numbers out of range, run
 * folders that leave their root, oversized payloads, a forged finish or save, a second process on one peer index,
 * a second coordinator). Each is refused: a job is recorded on the dead-letter stream with its reason and taken
 * off the queue, a request is answered with an error; the worker, the peer and the coordinator go on, the sweep
 * and the group finish with the results of an undisturbed run, and no file outside the run roots changes.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import { pack } from "../src/distributed/sweeps/bundle.js";
import { afterAll, describe, expect, it } from "vitest";
import { Op, encode, decode } from "../src/distributed/peers/peer-protocol.js";
import { DEAD_STREAM } from "../src/distributed/sweeps/sweep-store.js";
import { findPreset } from "../src/peers/presets.js";
import { requireBuilt } from "./built.js";
import { freePort, killAll, startCli, startServer, until, type CliProcess } from "./nats-tools.js";
import { hasTool, runsWith } from "./tools.js";

const CLI = "dist/cli/main.js";
const HAVE_SERVER = hasTool("nats-server");
const root = mkdtempSync(join(tmpdir(), "peerlearn-hostile-"));
const ENV = { ...process.env, PEERLEARN_NATS_ACK_WAIT_MS: "3000" };
afterAll(() => {
  killAll();
  rmSync(root, { recursive: true, force: true });
});
const start = (args: string[]): CliProcess => startCli(args, ENV);

/** A folder outside every run root, with a file in it: it must be there, unchanged, at the end. */
function victim(): { dir: string; intact: () => boolean } {
  const dir = join(root, "victim");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "keep.txt"), "mine");
  return {
    dir,
    intact: () =>
      existsSync(join(dir, "keep.txt")) &&
      readFileSync(join(dir, "keep.txt"), "utf8") === "mine" &&
      readdirSync(dir).length === 1,
  };
}

/** The NATS sweep id an experiment folder got (its experiment.json says, once the sweep has started). */
async function sweepOf(dir: string): Promise<string> {
  let id = "";
  await until(`the sweep id of ${dir}`, () => {
    try {
      id = (JSON.parse(readFileSync(join(dir, "experiment.json"), "utf8")) as { natsSweep?: string }).natsSweep ?? "";
    } catch {
      id = ""; // not written yet
    }
    return id !== "";
  });
  return id;
}

/** A results bundle for a run of sweep `id` that claims another config: it must not be taken. */
function forgedResults(id: string): Uint8Array {
  const dir = mkdtempSync(join(root, "forged-"));
  const record = { sweep: id, dir: "Room-v21/single-agent/seed-0", configHash: "0".repeat(64), delivery: 1 };
  writeFileSync(join(dir, "run.json"), JSON.stringify(record));
  writeFileSync(join(dir, "summary.json"), JSON.stringify({ steps: 1, averageRewardOverTime: 1e9, peers: [] }));
  return pack(dir, ["run.json", "summary.json"]);
}

/** The records on the dead-letter stream, oldest first. */
async function deadLetters(nc: NatsConnection): Promise<{ reason: string; subject: string }[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(DEAD_STREAM);
  const out: { reason: string; subject: string }[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(DEAD_STREAM, { seq });
    if (m) out.push(m.json());
  }
  return out;
}

describe.runIf(runsWith(HAVE_SERVER))("a hostile client on the NATS server (needs `npm run build`)", () => {
  requireBuilt(CLI);

  it("cannot make a worker delete, write or stop: bad jobs are dead-lettered, the sweep ends as a local one", async () => {
    const port = await freePort();
    const server = await startServer(port, mkdtempSync(join(root, "store-")));
    const url = `nats://127.0.0.1:${port}`;
    const target = victim();
    const worker = start(["worker", "--nats", url, "--workers", "1"]);
    await until("the worker", () => worker.lines.some((l) => l.includes("waiting for runs")), [worker]);
    const nc = await connect({ servers: `127.0.0.1:${port}` });
    const js = jetstream(nc);
    const valid = {
      sweep: "0123456789abcdef",
      dir: "Room-v21/single-agent/seed-0",
      preset: "room-v21/single-agent",
      config: { ...findPreset("room-v21/single-agent").config, steps: 200 },
    };
    const hostile: [string, string | Uint8Array][] = [
      ["not JSON", "not json{"],
      ["an empty object", "{}"],
      ["wrong types", JSON.stringify({ ...valid, sweep: 5, dir: [] })],
      ["a sweep of ..", JSON.stringify({ ...valid, sweep: "..", dir: target.dir })],
      ["a dir leaving the root", JSON.stringify({ ...valid, dir: `../../../../../../../..${target.dir}` })],
      ["an absolute dir", JSON.stringify({ ...valid, dir: target.dir })],
      ["a NUL in the dir", JSON.stringify({ ...valid, dir: "Room-v21/x\u0000/seed-0" })],
      ["steps out of range", JSON.stringify({ ...valid, config: { ...valid.config, steps: 1e15 } })],
      ["a negative seed", JSON.stringify({ ...valid, config: { ...valid.config, seed: -1 } })],
      [
        "a frozen peer reading any file",
        JSON.stringify({
          ...valid,
          config: { ...valid.config, peers: [{ kind: "dqn" }, { kind: "frozen", checkpoint: "/etc/passwd" }] },
        }),
      ],
      ["an unknown field", JSON.stringify({ ...valid, delete: "/" })],
      ["an oversized payload", new Uint8Array(300 << 10).fill(32)],
    ];
    for (const [, body] of hostile) await js.publish("peerlearn.runs.0123456789abcdef", body);
    await until(
      "every bad job on the dead-letter stream",
      async () => (await deadLetters(nc)).length >= hostile.length,
      [worker],
    );
    const dead = await deadLetters(nc);
    expect(dead).toHaveLength(hostile.length);
    for (const d of dead) expect(d.reason.length).toBeGreaterThan(5);
    expect(worker.child.exitCode).toBeNull(); // still serving
    expect(worker.lines.filter((l) => l.includes("refused a job"))).toHaveLength(hostile.length);
    expect(worker.lines.join("\n")).not.toMatch(/internal error| {4}at /);

    // The sweep still runs on the same worker and ends with the local sweep's results.
    const sweep = ["fig4", "--budget", "0.0005", "--seeds", "1"];
    const remote = start(["experiment", ...sweep, "--nats", url, "--out", join(root, "remote")]);
    const local = start(["experiment", ...sweep, "--out", join(root, "local")]);
    // While it runs: forged progress values, garbage sweep plans, and results forged for one of its runs.
    const id = await sweepOf(join(root, "remote"));
    const kv = await new Kvm(nc).open("peerlearn-progress");
    await kv.put(`${id}.Room-v21_adversarial_seed-0`, "1e12");
    await kv.put(`${id}.Room-v21_single-agent_seed-0`, JSON.stringify({ steps: 1e12, total: 5 }));
    await kv.put("sweeps.garbage", "not json{");
    await kv.put("sweeps.0123456789abcdef", JSON.stringify({ experiment: 5, runDirs: ["../../x"] }));
    const objects = await new Objm(nc).open("peerlearn-runs");
    await objects.putBlob({ name: `${id}/Room-v21/single-agent/seed-0/results` }, forgedResults(id));
    expect(await remote.done, remote.lines.join("\n")).toBe(0);
    expect(await local.done, local.lines.join("\n")).toBe(0);
    const curves = (d: string): string => readFileSync(join(root, d, "curves.csv"), "utf8");
    expect(curves("remote")).toBe(curves("local"));
    expect([...remote.lines, ...worker.lines].join("\n")).toMatch(
      /refused the results on the server for Room-v21\/single-agent\/seed-0|seed-0: the results stored for it are not its own/,
    );

    // A new folder of the same name is a new sweep: nothing of the old one is copied back without --reuse-remote.
    rmSync(join(root, "remote"), { recursive: true });
    const again = start(["experiment", ...sweep, "--nats", url, "--out", join(root, "remote")]);
    expect(await again.done, again.lines.join("\n")).toBe(0);
    expect(again.lines.join("\n")).toMatch(/starting afresh as sweep [0-9a-f]{16}.*--reuse-remote/);
    expect(again.lines.join("\n")).toMatch(/2 runs \(0 already complete, 2 queued\)/);
    rmSync(join(root, "remote"), { recursive: true });
    const reuse = start(["experiment", ...sweep, "--nats", url, "--out", join(root, "remote"), "--reuse-remote"]);
    expect(await reuse.done, reuse.lines.join("\n")).toBe(0);
    expect(reuse.lines.join("\n")).toMatch(/taking the results of the earlier sweep/);
    expect(curves("remote")).toBe(curves("local"));

    // A forged failure: printed without its terminal escapes, with the way out; --retry-failed takes it.
    worker.child.kill("SIGKILL");
    await worker.done;
    const failing = start(["experiment", ...sweep, "--nats", url, "--out", join(root, "failing")]);
    const failingId = await sweepOf(join(root, "failing"));
    const evil = new TextEncoder().encode("\u001b[2J\u001b[31mrm -rf / done\u0007");
    await objects.putBlob({ name: `${failingId}/Room-v21/single-agent/seed-0/failed` }, evil);
    expect(await failing.done).toBe(2);
    const said = failing.lines.at(-1) ?? "";
    expect(said).toMatch(/run Room-v21\/single-agent\/seed-0 failed on a worker: .*--retry-failed/);
    expect([...said].some((c) => c.charCodeAt(0) < 32)).toBe(false);
    const worker2 = start(["worker", "--nats", url, "--workers", "1"]);
    const retried = start(["experiment", ...sweep, "--nats", url, "--out", join(root, "failing"), "--retry-failed"]);
    expect(await retried.done, retried.lines.join("\n")).toBe(0);
    expect(curves("failing")).toBe(curves("local"));
    expect(target.intact()).toBe(true);
    await nc.close();
    worker2.child.kill("SIGKILL");
    server.kill("SIGKILL");
  }, 300_000);

  it("cannot stop, misdirect or double a peer: bad requests get errors, the group ends as one process", async () => {
    const port = await freePort();
    const server = await startServer(port, mkdtempSync(join(root, "store-")));
    const url = `nats://127.0.0.1:${port}`;
    const target = victim();
    const group = [
      "--preset",
      "room-v21/peer-learning",
      "--steps",
      "3000",
      "--set",
      "evalFreq=1000",
      "--set",
      "checkpointFreq=1000",
      "--set",
      "group.adviceTimeoutMs=1000",
    ];
    const peerArgs = (i: number, out: string): string[] => [
      "peer",
      ...group,
      "--nats",
      url,
      "--group",
      "h",
      "--index",
      String(i),
      "--out",
      join(root, out),
    ];
    const one = start(peerArgs(1, "peer-1"));
    await until("peer 1", () => one.lines.some((l) => l.includes("waiting for peer 0")), [one]);

    // A second process on index 1 is refused, and peer 1 says so too.
    const twin = start(peerArgs(1, "twin-1"));
    expect(await twin.done).toBe(2);
    expect(twin.lines.join("\n")).toMatch(/another process already serves peer 1 of group h/);
    await until("peer 1's word on the twin", () => one.lines.some((l) => l.includes("refused a second process")));

    const nc = await connect({ servers: `127.0.0.1:${port}` });
    const ask = async (body: Uint8Array): Promise<string> => {
      const reply = await nc.request("peerlearn.peers.h.1", body, { timeout: 5000 });
      const m = decode(reply.data);
      expect(m.op).toBe(Op.failed);
      return String(m.meta.message);
    };
    const header = (op: number, jsonLength: number): Uint8Array => {
      const b = new Uint8Array(16);
      new DataView(b.buffer).setUint32(0, op, true);
      new DataView(b.buffer).setUint32(4, jsonLength, true);
      return b;
    };
    const session = "f".repeat(32);
    const cut = (b: Uint8Array): Uint8Array => b.subarray(0, b.length - 8);
    const requests: [string, Uint8Array][] = [
      ["3 bytes", new Uint8Array([1, 2, 3])],
      ["a header claiming 4 GB", header(Op.suggest, 0xffffffff)],
      ["unknown flags", header(0xff00ff, 2)],
      ["fields that are not JSON", encode(Op.suggest).map((x, i) => (i === 8 ? 0x21 : x))],
      ["an unknown operation", encode(200)],
      ["a suggestion without its state", encode(Op.suggest, { explore: false })],
      ["a critic batch of 1e12", encode(Op.critic, { n: 1e12 }, [new Float32Array(8), new Float32Array(4)])],
      [
        "arrays past the end",
        cut(encode(Op.values, { queries: [{ k: 1, two: false, newRows: [] }] }, [new Float32Array(8)])),
      ],
      [
        "a value query of the wrong size",
        encode(Op.values, { queries: [{ k: 3, two: false, newRows: [] }] }, [new Float32Array(5)]),
      ],
      ["a save leaving its folder", encode(Op.save, { name: "../../../victim", session })],
      ["a save from another session", encode(Op.save, { name: "step-5", session })],
      ["a load from another session", encode(Op.load, { name: "step-5", session, state: {} })],
      ["a finish from anyone", encode(Op.finish, { session })],
      ["a finish with no session", encode(Op.finish)],
      ["a join of another config", encode(Op.join, { configHash: "x", session })],
    ];
    for (const [what, body] of requests) expect(await ask(body), what).toMatch(/\w/);
    expect(one.child.exitCode).toBeNull();

    // The group, with peer 0 now: equal to one process; a second peer 0 meanwhile is refused on both sides.
    const coordinator = start(peerArgs(0, "peer-0"));
    await until("peer 1 to join", () => coordinator.lines.some((l) => l.includes("peer 1 joined")), [coordinator]);
    const second = start(peerArgs(0, "second-0"));
    expect(await second.done, second.lines.join("\n")).toBe(2);
    expect(second.lines.join("\n")).toMatch(/coordinated by another peer 0/);
    expect(one.lines.join("\n")).toMatch(/refused a second peer 0 of group h/);
    expect(await coordinator.done, coordinator.lines.join("\n")).toBe(0);
    expect(await one.done, one.lines.join("\n")).toBe(0);
    const alone = start(["train", ...group, "--set", "group.schedule=lockstep", "--out", join(root, "alone")]);
    expect(await alone.done, alone.lines.join("\n")).toBe(0);
    const metrics = (d: string): string => readFileSync(join(root, d, "metrics.jsonl"), "utf8");
    expect(metrics("peer-0")).toBe(metrics("alone"));
    expect(one.lines.join("\n")).not.toMatch(/ {4}at /);
    expect(target.intact()).toBe(true);
    expect(existsSync(join(root, "peer-1", "checkpoints", "step-5"))).toBe(false);
    await nc.close();
    server.kill("SIGKILL");
  }, 300_000);
});
