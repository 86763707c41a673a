/**
 * `peerlearn bench --peers --nats URL`: the peers of a group in separate processes, against one process, on this
 * machine. Advice round trip: a suggestion asked of a peer process (NATS request, the coordinator's link thread,
 * the peer's forward pass) measured 2,000 times, p50 and p99. Throughput: a 2-peer Room-v21 peer learning group
 * (lockstep) over NATS processes vs in one process with trainer threads, env steps per second of each and their
 * ratio, measured in the same run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256Text } from "../runs/checkpoint-manifest.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import { findPreset } from "../peers/presets.js";
import { type GroupRunConfig } from "../peers/config.js";
import { validateGroupRunConfig } from "../peers/validate-config.js";
import { trainGroup } from "../peers/train-group.js";
import { coordinateGroup } from "../distributed/peers/peer-coordinator.js";
import { PeerLinks, PeerUnavailable, sleepSync } from "../distributed/peers/peer-links.js";
import { Op, encode } from "../distributed/peers/peer-protocol.js";

export interface PeerBench {
  readonly roundTripMs: { readonly p50: number; readonly p99: number };
  readonly oneProcess: number;
  readonly nats: number;
  readonly ratio: number;
  /** Requests from peer 0 to peer 1 per lockstep step (what exact lockstep waits for). */
  readonly requestsPerStep: number;
}

const PRESET = "room-v21/peer-learning";

function benchConfig(steps: number, parallelTraining: boolean): GroupRunConfig {
  const c = findPreset(PRESET).config;
  return validateGroupRunConfig({
    ...c,
    steps,
    evalFreq: steps,
    checkpointFreq: 0,
    group: { ...c.group, schedule: "lockstep", parallelTraining },
  });
}

/** `peerlearn peer` for peer 1 of the bench's group; the same settings as benchConfig. */
function startPeer(url: string, group: string, steps: number, out: string): ChildProcess {
  const cli = fileURLToPath(new URL("../cli/main.js", import.meta.url));
  const args = [cli, "peer", "--preset", PRESET, "--steps", String(steps), "--set", `evalFreq=${steps}`];
  args.push("--set", "checkpointFreq=0", "--nats", url, "--group", group, "--index", "1", "--out", out);
  return spawn(process.execPath, args, { stdio: "ignore" });
}

const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

function roundTrips(url: string, group: string, configHash: string): { p50: number; p99: number } {
  const links = new PeerLinks(url, group, 2);
  const session = randomBytes(16).toString("hex"); // the peer takes its finish only from the one it joined
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        links.request(1, encode(Op.join, { configHash, session }), 2000);
        break;
      } catch (e) {
        if (!(e instanceof PeerUnavailable) || Date.now() > deadline) throw e;
        sleepSync(200);
      }
    }
    const obs = Float32Array.of(0.5, 0.5, 0, 0.25);
    const times: number[] = [];
    for (let i = 0; i < 2200; i++) {
      const t0 = performance.now();
      links.request(1, encode(Op.suggest, { explore: false }, [obs]), 10_000);
      if (i >= 200) times.push(performance.now() - t0); // the first ones warm up the JIT
    }
    times.sort((a, b) => a - b);
    links.request(1, encode(Op.finish, { session }), 10_000);
    return { p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
  } finally {
    links.close();
  }
}

export async function peerBench(url: string, kernels: Kernels, log: (line: string) => void): Promise<PeerBench> {
  const steps = 5000;
  const dir = mkdtempSync(join(tmpdir(), "peerlearn-peer-bench-"));
  const children: ChildProcess[] = [];
  try {
    const distributed = benchConfig(steps, false);
    const configHash = sha256Text(JSON.stringify(distributed));
    log("advice round trips to a peer process");
    const rttGroup = `bench-rtt-${process.pid}`;
    children.push(startPeer(url, rttGroup, steps, join(dir, "rtt")));
    const roundTripMs = roundTrips(url, rttGroup, configHash);
    log(`2-peer ${PRESET} group, ${steps} steps per peer, in one process with trainer threads`);
    const oneProcess = trainGroup(benchConfig(steps, true), { out: join(dir, "one"), kernels }).stepsPerSecond;
    log(`the same group over NATS: peer 1 in a process of its own`);
    const group = `bench-group-${process.pid}`;
    children.push(startPeer(url, group, steps, join(dir, "peer-1")));
    const stats = { requests: 0 };
    const nats = coordinateGroup(distributed, {
      url,
      group,
      out: join(dir, "peer-0"),
      kernels,
      configHash,
      log: () => {},
      stats,
    }).stepsPerSecond;
    return { roundTripMs, oneProcess, nats, ratio: nats / oneProcess, requestsPerStep: stats.requests / steps };
  } finally {
    for (const c of children) c.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}
