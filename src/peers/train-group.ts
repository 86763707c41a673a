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
import { SoloEpochs, planEpochs } from "./schedule.js";
import { TrainerPool } from "./trainer-pool.js";
import { loadGroupCheckpoint, saveGroupCheckpoint } from "./group-checkpoint.js";

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
  const group = new PeerGroup(config, options.kernels, root);
  const g = config.group;
  const first = group.members[0];
  const plan = planEpochs(config.steps, g.minEpochLength, first.loop.env.maxEpisodeSteps, first.peer.trainFreq);
  const solo = new SoloEpochs(g.switchRatio, g.maxPeerEpochs);
  const faithful = config.variant === "faithful";
  const totalPerPeer = plan.epochs * plan.epochLength;
  const progress = new Progress(totalPerPeer * group.members.length, 0, options.progress);
  // Resume from the latest checkpoint (taken at an epoch boundary), or start from scratch.
  const restored = loadGroupCheckpoint(dir, group, solo);
  let stepsDone = restored?.stepsDone ?? 0;
  let lastCheckpoint = restored ? restored.nextEpoch * plan.epochLength : 0;
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
  const horizon = (m: Member): number => (faithful ? m.steps + plan.epochLength : totalPerPeer);

  const learners = group.members.filter((m) => m.peer.learns);
  const pool =
    g.schedule === "lockstep" && g.parallelTraining
      ? new TrainerPool(
          learners.map((m) => m.peer.agent),
          options.kernels,
        )
      : null;
  const clock = new RunClock(stepsDone);
  for (let e = restored?.nextEpoch ?? 0; e < plan.epochs; e++) {
    const isSolo = solo.isSolo(e);
    if (g.schedule === "roundRobin") {
      for (const m of group.members) {
        const total = horizon(m);
        for (let t = 0; t < plan.epochLength; t++) {
          group.step(m, isSolo, total);
          progress.tick(++stepsDone);
        }
        endEpoch(m, e, isSolo);
      }
    } else {
      // Lockstep: every peer acts (on the weights all peers had before this step), then every peer whose rollout
      // is complete trains: one after another, or all at once on trainer threads.
      const members = group.members;
      const totals = members.map(horizon);
      for (let t = 0; t < plan.epochLength; t++) {
        for (let k = 0; k < members.length; k++) group.act(members[k], isSolo, totals[k]);
        // Every member has taken the same number of steps, so all learners are due together or not at all.
        if (pool) {
          if (pool.trainDue(first.steps)) for (const m of learners) m.loop.checkFinite();
        } else {
          for (const m of learners) m.loop.trainIfDue();
        }
        stepsDone += members.length;
        progress.tick(stepsDone);
      }
      for (const m of group.members) endEpoch(m, e, isSolo);
    }
    const perPeer = (e + 1) * plan.epochLength;
    if (config.checkpointFreq > 0 && perPeer - lastCheckpoint >= config.checkpointFreq && e + 1 < plan.epochs) {
      pool?.syncAll(); // the trainers' target networks and optimisers into the copies that are saved
      saveGroupCheckpoint(dir, group, solo, e + 1, stepsDone, perPeer);
      lastCheckpoint = perPeer;
    }
  }
  pool?.syncAll();
  pool?.close();
  for (const m of group.members) m.loop.close();
  const timing = clock.finish(stepsDone);
  progress.done(stepsDone);
  group.members.forEach((m) => m.peer.agent.save(join(dir.finalDir, `peer-${m.index}`), false));

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
    resumedFrom: restored ? restored.nextEpoch * plan.epochLength : null,
  };
  writeJsonAtomic(dir.summaryPath, summary);
  return summary;
}
