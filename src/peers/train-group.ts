/**
 * Runs a peer group (group.ts) on its schedule (schedule.ts), evaluates every acting peer every evalFreq of its own
 * steps on evalEpisodes greedy episodes, and writes the run folder: config.json, metrics.jsonl (one line per
 * evaluation, with follow counts, trust and agent values; one line per peer epoch with that epoch's follow counts),
 * final/peer-<i>/model.safetensors and summary.json.
 */
import { join } from "node:path";
import { Random } from "../core/random.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import type { EvalResult } from "../agents/off-policy-loop.js";
import { RunClock, backendName, meanOf, type RunSummaryBase } from "../agents/run-summary.js";
import { RunDir, writeJsonAtomic } from "../agents/run-dir.js";
import { Progress } from "../agents/progress.js";
import type { GroupRunConfig } from "./config.js";
import { PeerGroup, type Member } from "./group.js";
import type { GroupPlacement } from "./placement.js";
import { SoloEpochs, epochSteps, planEpochs } from "./schedule.js";
import { TrainerPool } from "./trainer-pool.js";
import { loadGroupCheckpoint, saveGroupCheckpoint, type GroupPosition } from "./group-checkpoint.js";

export interface PeerSummary {
  index: number;
  kind: string;
  lastEval: EvalResult | null;
  averageRewardOverTime: number | null;
  /** Share of this peer's follow decisions that went to each peer (null for peers that do not act). */
  followShare: number[] | null;
}

export interface GroupSummary extends RunSummaryBase {
  preset: string | null;
  variant: string;
  peers: PeerSummary[];
}

export interface GroupTrainOptions {
  out: string;
  kernels: Kernels;
  /** Peers in other processes (distributed/peer-coordinator.ts); lockstep only. */
  placement?: GroupPlacement;
  preset?: string;
  progress?: (line: string, final: boolean) => void;
}

export function trainGroup(config: GroupRunConfig, options: GroupTrainOptions): GroupSummary {
  const dir = new RunDir(options.out);
  dir.prepare(config);
  if (dir.isComplete())
    return dir.readSummary<GroupSummary>(
      (s) => Array.isArray(s.peers) && typeof s.steps === "number",
      "peer group run",
    );
  const root = new Random(config.seed);
  const group = new PeerGroup(config, options.kernels, root, options.placement ?? null);
  const g = config.group;
  const first = group.members[0];
  const plan = planEpochs(config.steps, g.minEpochLength, first.loop.env.maxEpisodeSteps, first.peer.trainFreq);
  const solo = new SoloEpochs(g.switchRatio, g.maxPeerEpochs);
  const faithful = config.variant === "faithful";
  const totalPerPeer = config.steps;
  const n = group.members.length;
  const progress = new Progress(totalPerPeer * n, 0, options.progress);
  // Resume from the latest checkpoint (taken between any two steps), or start from scratch.
  const restored = loadGroupCheckpoint(dir, group, solo);
  let stepsDone = restored?.stepsDone ?? 0;
  let lastCheckpoint = stepsDone;
  progress.tick(stepsDone);

  group.onEvaluation = (m, ev, returns) => {
    dir.appendMetrics({
      type: "eval",
      peer: m.index,
      step: m.steps,
      epoch: m.epoch,
      evalMean: ev.mean,
      evalStd: ev.std,
      evalReturns: returns,
      followCounts: [...m.followCounts],
      ...Object.fromEntries(
        group.terms.flatMap((t) => {
          const v = t.logged(m);
          return v ? [[t.name, Array.from(v)]] : [];
        }),
      ),
    });
    progress.setEval(ev.mean);
  };
  const endEpoch = (m: Member, epoch: number, isSolo: boolean): void => {
    dir.appendMetrics({ type: "epoch", peer: m.index, epoch, solo: isSolo, followCounts: [...m.epochFollowCounts] });
    m.epochFollowCounts.fill(0);
    m.epoch += 1;
  };
  // Epsilon's horizon: SB3's learn() per epoch (faithful) or the peer's whole training (corrected).
  const horizon = (e: number): number => (faithful ? e * plan.epochLength + epochSteps(plan, e) : totalPerPeer);

  // Peers in other processes first: their training is only started, and runs while the local ones train.
  const learners = group.members
    .filter((m) => m.peer.learns)
    .sort((a, b) => Number(b.loop.remote) - Number(a.loop.remote));
  const pool =
    g.schedule === "lockstep" && g.parallelTraining && !options.placement
      ? new TrainerPool(
          learners.map((m) => m.peer.agent),
          options.kernels,
        )
      : null;
  /** Checkpoints every checkpointFreq env steps per acting peer, between any two steps; `at` is the next step. */
  const maybeCheckpoint = (at: GroupPosition): void => {
    if (config.checkpointFreq <= 0 || stepsDone - lastCheckpoint < config.checkpointFreq * n) return;
    if (stepsDone >= totalPerPeer * n) return; // the summary follows at once
    if (group.peers.some((p) => !p.available)) return; // a peer in another process is away: not a whole group
    pool?.syncAll(); // the trainers' target networks and optimisers into the copies that are saved
    saveGroupCheckpoint(dir, group, solo, at, stepsDone, Math.floor(stepsDone / n));
    lastCheckpoint = stepsDone;
  };
  const start = restored?.position ?? { epoch: 0, slot: 0, step: 0, solo: false };
  const clock = new RunClock(stepsDone);
  for (let e = start.epoch; e < plan.epochs; e++) {
    // Inside the epoch a checkpoint was taken in, its solo decision was already made (and counted).
    const inside = restored !== null && e === start.epoch && (start.slot > 0 || start.step > 0);
    const isSolo = inside ? start.solo : solo.isSolo(e);
    const length = epochSteps(plan, e);
    const total = horizon(e);
    if (g.schedule === "roundRobin") {
      for (let k = inside ? start.slot : 0; k < n; k++) {
        const m = group.members[k];
        for (let t = inside && k === start.slot ? start.step : 0; t < length; t++) {
          group.step(m, isSolo, total);
          progress.tick(++stepsDone);
          maybeCheckpoint({ epoch: e, slot: k, step: t + 1, solo: isSolo });
        }
        endEpoch(m, e, isSolo);
      }
    } else {
      // Lockstep: every peer acts (on the weights all peers had before this step), then every peer whose rollout
      // is complete trains: one after another, or all at once on trainer threads.
      const members = group.members;
      for (let t = inside ? start.step : 0; t < length; t++) {
        for (let k = 0; k < n; k++) group.act(members[k], isSolo, total);
        // Every member has taken the same number of steps, so all learners are due together or not at all.
        if (pool) {
          if (pool.trainDue(first.steps)) for (const m of learners) m.loop.checkFinite();
        } else {
          for (const m of learners) m.loop.trainIfDue();
        }
        stepsDone += n;
        progress.tick(stepsDone);
        maybeCheckpoint({ epoch: e, slot: 0, step: t + 1, solo: isSolo });
      }
      for (const m of members) endEpoch(m, e, isSolo);
    }
  }
  pool?.syncAll();
  pool?.close();
  for (const m of group.members) m.loop.close();
  const timing = clock.finish(stepsDone);
  progress.done(stepsDone);
  // (A peer in another process saves its own, into its own folder.)
  for (const m of group.members) if (!m.loop.remote) m.peer.agent.save(join(dir.finalDir, `peer-${m.index}`), false);

  const peers: PeerSummary[] = group.peers.map((p, index) => {
    const m = group.members.find((x) => x.index === index);
    const total = m ? m.followCounts.reduce((a, b) => a + b, 0) : 0;
    return {
      index,
      kind: p.kind,
      lastEval: m?.loop.lastEval ?? null,
      averageRewardOverTime: m ? m.loop.averageRewardOverTime : null,
      followShare: m ? [...m.followCounts].map((c) => (total > 0 ? c / total : 0)) : null,
    };
  });
  const learning = peers.filter((p) => group.peers[p.index].learns && p.averageRewardOverTime !== null);
  const lastEvals = learning.map((p) => p.lastEval).filter((x): x is EvalResult => x !== null);
  const summary: GroupSummary = {
    env: config.env,
    preset: options.preset ?? null,
    variant: config.variant,
    seed: config.seed,
    steps: totalPerPeer,
    ...timing,
    averageRewardOverTime: meanOf(learning.map((p) => p.averageRewardOverTime as number)),
    lastEval: lastEvals.length
      ? { mean: meanOf(lastEvals.map((x) => x.mean)) as number, std: meanOf(lastEvals.map((x) => x.std)) as number }
      : null,
    peers,
    backend: backendName(options.kernels),
    out: options.out,
    resumedFrom: restored ? Math.floor(restored.stepsDone / n) : null,
  };
  writeJsonAtomic(dir.summaryPath, summary);
  return summary;
}
