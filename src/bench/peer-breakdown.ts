/**
 * Where a Room-v21 peer-learning step spends its time: the published group (2 DQN peers, every mechanism) driven
 * by its schedule (GroupSchedule, as `train` drives it) in lockstep on one thread (no trainer threads), with the
 * group's parts wrapped in timers. Measured in the bench only: the training code carries no timers.
 */
import { Random } from "../core/random.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import { findPreset } from "../peers/presets.js";
import { PeerGroup, localLoop } from "../peers/group.js";
import { GroupSchedule } from "../peers/group-schedule.js";
import { resolvePeers } from "../peers/peer-settings.js";
import type { Spread } from "./steadiness.js";

/** Milliseconds per env step of one peer, by part; they add up to `total`. */
export interface StepBreakdown {
  /** Gradient updates (DQN: 8 gradient steps every 8 env steps). */
  updates: number;
  /** Forward passes for advice: every peer's suggestion, and the critic's Q(s, a) of each suggestion. */
  adviceForwards: number;
  /** Trust and agent value updates (batches of the suggestion buffers). */
  trustAndAgentValues: number;
  /** The environment (step and reset). */
  env: number;
  /** Everything else: acting bookkeeping, replay and suggestion storage, the peer policy. */
  rest: number;
  total: number;
}

/** Wraps obj[key] (a method) so that its time accumulates in acc[part]. */
function timeMethod<T extends object, K extends keyof T>(
  obj: T,
  key: K,
  acc: Record<string, number>,
  part: string,
): void {
  const original = obj[key];
  if (typeof original !== "function") throw new Error(`${String(key)} is not a method`);
  const bound = (original as (...args: unknown[]) => unknown).bind(obj);
  const timed = (...args: unknown[]): unknown => {
    const t = performance.now();
    try {
      return bound(...args);
    } finally {
      acc[part] += performance.now() - t;
    }
  };
  (obj as Record<K, unknown>)[key] = timed;
}

export function peerLearningStepBreakdown(kernels: Kernels, stepsPerPeer: number): StepBreakdown {
  const c = findPreset("room-v21/peer-learning").config;
  // Warm up past learning starts (random actions, no training) so that every measured step is a full one.
  const warm = Math.max(...resolvePeers(c).map((p) => p.learner?.settings.learningStarts ?? 0)) + 200;
  const steps = warm + stepsPerPeer;
  const group = { ...c.group, schedule: "lockstep" as const, parallelTraining: false };
  const config = { ...c, steps, evalFreq: steps + 1, checkpointFreq: 0, group };
  const peers = new PeerGroup(config, kernels, new Random(config.seed));
  const schedule = new GroupSchedule(config, peers);
  const acc: Record<string, number> = { updates: 0, adviceForwards: 0, trustAndAgentValues: 0, env: 0 };
  for (const p of peers.peers) timeMethod(p, "suggest", acc, "adviceForwards");
  for (const m of peers.members) {
    timeMethod(m.peer, "critic", acc, "adviceForwards");
    timeMethod(m.peer.agent, "maybeTrain", acc, "updates");
    timeMethod(localLoop(m).env, "step", acc, "env");
    timeMethod(localLoop(m).env, "reset", acc, "env");
  }
  for (const term of peers.terms) timeMethod(term, "update", acc, "trustAndAgentValues");
  const n = peers.members.length;
  schedule.advance(warm * n);
  for (const key of Object.keys(acc)) acc[key] = 0;
  const start = performance.now();
  schedule.advance(stepsPerPeer * n);
  const stepsTaken = stepsPerPeer * n;
  const total = (performance.now() - start) / stepsTaken;
  for (const m of peers.members) m.loop.close();
  const per = (part: string): number => acc[part] / stepsTaken;
  const parts = {
    updates: per("updates"),
    adviceForwards: per("adviceForwards"),
    trustAndAgentValues: per("trustAndAgentValues"),
    env: per("env"),
  };
  return {
    ...parts,
    rest: total - parts.updates - parts.adviceForwards - parts.trustAndAgentValues - parts.env,
    total,
  };
}

/**
 * The most lockstep with trainer threads can gain over one thread, from a step's parts: each of the n peers'
 * updates on a core of its own while the rest of every peer's step stays on the calling thread, with a free
 * hand-over. A round is n steps' rest and one update instead of n of each.
 */
export function trainerThreadsLimit(b: StepBreakdown, peers: number): number {
  const serial = b.total - b.updates;
  return (peers * b.total) / (peers * serial + b.updates);
}

/** A breakdown measured several times: the run with the median total, and each part's range over the runs. */
export interface RepeatedBreakdown {
  readonly breakdown: StepBreakdown;
  readonly spread: Record<keyof StepBreakdown, Spread>;
}

export function repeatedStepBreakdown(kernels: Kernels, stepsPerPeer: number, times: number): RepeatedBreakdown {
  return medianBreakdown(Array.from({ length: times }, () => peerLearningStepBreakdown(kernels, stepsPerPeer)));
}

/** The run with the median total (one run's parts, so that they still add up to its total) and the ranges. */
export function medianBreakdown(runs: readonly StepBreakdown[]): RepeatedBreakdown {
  const sorted = [...runs].sort((a, b) => a.total - b.total);
  const parts = Object.keys(sorted[0]) as (keyof StepBreakdown)[];
  const spread = Object.fromEntries(
    parts.map((part) => {
      const values = sorted.map((r) => r[part]);
      return [part, { low: Math.min(...values), high: Math.max(...values) }];
    }),
  ) as Record<keyof StepBreakdown, Spread>;
  return { breakdown: sorted[Math.floor((sorted.length - 1) / 2)], spread };
}
