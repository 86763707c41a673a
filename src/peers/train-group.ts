/**
 * Runs a peer group (group.ts) on its schedule (schedule.ts), evaluates every acting peer every evalFreq of its own
 * steps on evalEpisodes greedy episodes, and writes the run folder: config.json, metrics.jsonl (one line per
 * evaluation, with follow counts, trust and agent values; one line per peer epoch with that epoch's follow counts),
 * final/peer-<i>/model.safetensors and summary.json.
 */
import { join } from "node:path";
import { Random } from "../core/random.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import { evaluate, type EvalResult } from "../agents/train.js";
import { RunDir, readJson, writeJsonAtomic } from "../agents/run-dir.js";
import { Progress } from "../agents/progress.js";
import type { GroupRunConfig } from "./config.js";
import { PeerGroup, checkFinite, type Member } from "./group.js";
import { asRemoteTrainable, type RemoteTrainable } from "../agents/remote-training.js";
import { toEnvAction } from "../agents/agent.js";
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

export interface GroupSummary {
  env: string;
  preset: string | null;
  variant: string;
  seed: number;
  /** Env steps per acting peer. */
  steps: number;
  wallSeconds: number;
  /** All acting peers' env steps per second of wall time. */
  stepsPerSecond: number;
  /** Mean over the learning peers of their average reward over time (the paper's metric). */
  averageRewardOverTime: number | null;
  lastEval: EvalResult | null;
  peers: PeerSummary[];
  backend: string;
  out: string;
  /** Env steps per peer at the checkpoint this run resumed from, or null. */
  resumedFrom: number | null;
}

export interface GroupTrainOptions {
  out: string;
  kernels: Kernels;
  preset?: string;
  progress?: (line: string, final: boolean) => void;
}

const mean = (xs: readonly number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export function trainGroup(config: GroupRunConfig, options: GroupTrainOptions): GroupSummary {
  const dir = new RunDir(options.out);
  if (dir.isComplete()) return readJson<GroupSummary>(dir.summaryPath);
  dir.prepare(config);
  const root = new Random(config.seed);
  const group = new PeerGroup(config, options.kernels, root);
  const g = config.group;
  const plan = planEpochs(config.steps, g.minEpochLength, group.members[0].env.maxEpisodeSteps, group.members[0].peer.trainFreq);
  const solo = new SoloEpochs(g.switchRatio, g.maxPeerEpochs);
  const faithful = config.variant === "faithful";
  const totalPerPeer = plan.epochs * plan.epochLength;
  const progress = new Progress(totalPerPeer * group.members.length, 0, options.progress);
  const returns: number[] = [];
  // Resume from the latest checkpoint (taken at an epoch boundary), or start from scratch.
  const restored = loadGroupCheckpoint(dir, group, solo);
  if (!restored) dir.truncateMetrics(0);
  let stepsDone = restored?.stepsDone ?? 0;
  let lastCheckpoint = restored ? restored.nextEpoch * plan.epochLength : 0;
  progress.tick(stepsDone);

  const onEval = (m: Member): void => {
    const ev = evaluate(m.evalEnv, (o) => toEnvAction(m.evalEnv.actionSpace, m.peer.agent.predict(o), m.envAction), config.evalEpisodes, returns);
    m.lastEval = ev;
    m.evalMeans.push(ev.mean);
    dir.appendMetrics({
      type: "eval",
      peer: m.index,
      step: m.steps,
      epoch: m.epoch,
      evalMean: ev.mean,
      evalStd: ev.std,
      evalReturns: returns,
      followCounts: [...m.followCounts],
      ...(m.trust ? { trust: [...m.trust.values] } : {}),
      ...(group.agentValues ? { agentValues: [...group.agentValues.values] } : {}),
    });
    progress.setEval(ev.mean);
  };
  const endEpoch = (m: Member, epoch: number, isSolo: boolean): void => {
    dir.appendMetrics({ type: "epoch", peer: m.index, epoch, solo: isSolo, followCounts: [...m.epochFollowCounts] });
    m.epochFollowCounts.fill(0);
    m.epoch += 1;
  };
  // Epsilon's horizon: SB3's learn() per epoch (faithful) or the peer's whole training (corrected).
  const horizon = (m: Member, epochStartSteps: number): number => (faithful ? epochStartSteps + plan.epochLength : totalPerPeer);

  const trainables = group.members.filter((m) => m.peer.learns).map((m) => asRemoteTrainable(m.peer.agent));
  if (trainables.some((t) => t === null)) throw new Error("a learning peer without a trainer seam");
  const remote = trainables as RemoteTrainable[];
  const pool = g.schedule === "lockstep" && g.parallelTraining ? new TrainerPool(remote, options.kernels) : null;
  const start = performance.now();
  const startSteps = stepsDone;
  for (let e = restored?.nextEpoch ?? 0; e < plan.epochs; e++) {
    const isSolo = solo.isSolo(e);
    if (g.schedule === "roundRobin") {
      for (const m of group.members) {
        const total = horizon(m, m.steps);
        for (let t = 0; t < plan.epochLength; t++) {
          group.step(m, isSolo, total, onEval);
          progress.tick(++stepsDone);
        }
        endEpoch(m, e, isSolo);
      }
    } else {
      // Lockstep: every peer acts (on the weights all peers had before this step), then every peer whose rollout
      // is complete trains: one after another, or all at once on trainer threads.
      const members = group.members;
      const totals = members.map((m) => horizon(m, m.steps));
      for (let t = 0; t < plan.epochLength; t++) {
        for (let k = 0; k < members.length; k++) group.act(members[k], isSolo, totals[k], onEval);
        // Every member has taken the same number of steps, so all learners are due together or not at all.
        const step = members[0].steps;
        if (pool) {
          if (pool.trainDue(step)) for (const m of members) if (m.peer.learns) checkFinite(m);
        } else {
          for (const m of members) if (m.peer.learns && m.peer.agent.maybeTrain(step)) checkFinite(m);
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
  for (const m of group.members) {
    m.env.close(); // frees engine memory (MuJoCo) when runs share a thread
    m.evalEnv.close();
  }
  const wallSeconds = (performance.now() - start) / 1000;
  progress.done(stepsDone);
  group.members.forEach((m) => m.peer.agent.save(join(dir.finalDir, `peer-${m.index}`), false));

  const peers: PeerSummary[] = group.peers.map((p, index) => {
    const m = group.members.find((x) => x.index === index);
    const total = m ? m.followCounts.reduce((a, b) => a + b, 0) : 0;
    return {
      index,
      kind: p.kind,
      lastEval: m?.lastEval ?? null,
      averageRewardOverTime: m ? mean(m.evalMeans) : null,
      followShare: m ? [...m.followCounts].map((c) => (total > 0 ? c / total : 0)) : null,
    };
  });
  const learners = peers.filter((p) => (p.kind === "dqn" || p.kind === "sac") && p.averageRewardOverTime !== null);
  const lastEvals = learners.map((p) => p.lastEval).filter((x): x is EvalResult => x !== null);
  const summary: GroupSummary = {
    env: config.env,
    preset: options.preset ?? null,
    variant: config.variant,
    seed: config.seed,
    steps: totalPerPeer,
    wallSeconds,
    stepsPerSecond: (stepsDone - startSteps) / Math.max(wallSeconds, 1e-9),
    averageRewardOverTime: mean(learners.map((p) => p.averageRewardOverTime as number)),
    lastEval: lastEvals.length ? { mean: mean(lastEvals.map((x) => x.mean)) as number, std: mean(lastEvals.map((x) => x.std)) as number } : null,
    peers,
    backend: `${options.kernels.name} (${options.kernels.variant})`,
    out: options.out,
    resumedFrom: restored ? restored.nextEpoch * plan.epochLength : null,
  };
  writeJsonAtomic(dir.summaryPath, summary);
  return summary;
}
