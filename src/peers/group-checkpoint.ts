/**
 * Checkpoints of a peer group at an epoch boundary: every acting peer's agent (weights, optimiser, replay buffer,
 * generator) in checkpoints/step-<n>/peer-<i>/, and in state.json everything else that decides what happens next:
 * envs, observations, counters, follow state, suggestion buffers, trust and agent values, every generator, the
 * Early Advising budget spent, and how much of metrics.jsonl was written. A run restored from it continues exactly
 * as if it had never stopped.
 */
import { join } from "node:path";
import type { RandomState } from "../core/random.js";
import type { EnvState } from "../envs/env.js";
import type { EvalResult } from "../agents/train.js";
import type { RunDir } from "../agents/run-dir.js";
import { readJson, writeJsonAtomic } from "../agents/run-dir.js";
import type { PeerGroup } from "./group.js";
import type { SoloEpochs } from "./schedule.js";
import type { SuggestionBuffer } from "./suggestion-buffer.js";
import type { LectrState } from "./lectr.js";

interface MemberState {
  agent: unknown;
  env: EnvState;
  evalEnv: EnvState;
  obs: number[];
  steps: number;
  epoch: number;
  followCounts: number[];
  evalMeans: number[];
  lastEval: EvalResult | null;
  trust: number[] | null;
  follow: { stepsFollowed: number; followed: number };
  suggestions: ReturnType<SuggestionBuffer["getState"]>;
}

export interface GroupState {
  /** The first epoch still to run. */
  nextEpoch: number;
  stepsDone: number;
  peerEpochs: number;
  groupRandom: RandomState;
  peerRandom: (RandomState | null)[];
  agentValues: number[] | null;
  members: MemberState[];
  metricsBytes: number;
  /** LeCTR's advising policies and its Phase I records (LeCTR runs only). */
  lectr?: { state: LectrState; decisions: number };
}

export function saveGroupCheckpoint(dir: RunDir, group: PeerGroup, solo: SoloEpochs, nextEpoch: number, stepsDone: number, stepsPerPeer: number): void {
  const ckpt = dir.newCheckpointDir(stepsPerPeer);
  const state: GroupState = {
    nextEpoch,
    stepsDone,
    peerEpochs: solo.getState(),
    groupRandom: group.random.getState(),
    peerRandom: group.peers.map((p) => p.random?.getState() ?? null),
    agentValues: group.agentValues ? [...group.agentValues.values] : null,
    members: group.members.map((m) => ({
      agent: m.peer.agent.save(join(ckpt, `peer-${m.index}`), true),
      env: m.env.getState(),
      evalEnv: m.evalEnv.getState(),
      obs: [...m.obs],
      steps: m.steps,
      epoch: m.epoch,
      followCounts: [...m.followCounts],
      evalMeans: [...m.evalMeans],
      lastEval: m.lastEval,
      trust: m.trust ? [...m.trust.values] : null,
      follow: m.follow.getState(),
      suggestions: m.suggestions.getState(),
    })),
    metricsBytes: dir.metricsBytes(),
    ...(group.lectr ? { lectr: { state: group.lectr.save((what) => join(ckpt, what)), decisions: group.lectr.decisionCount } } : {}),
  };
  writeJsonAtomic(join(ckpt, "state.json"), state);
  dir.commitCheckpoint(stepsPerPeer);
}

/** Restores the latest checkpoint into a freshly built group; returns its state, or null when there is none. */
export function loadGroupCheckpoint(dir: RunDir, group: PeerGroup, solo: SoloEpochs): GroupState | null {
  const ckpt = dir.latestCheckpoint();
  if (!ckpt) return null;
  const s = readJson<GroupState>(join(ckpt, "state.json"));
  group.random.setState(s.groupRandom);
  group.peers.forEach((p, i) => {
    const r = s.peerRandom[i];
    if (p.random && r) p.random.setState(r);
  });
  if (group.agentValues && s.agentValues) group.agentValues.values.set(s.agentValues);
  solo.setState(s.peerEpochs);
  group.members.forEach((m, k) => {
    const ms = s.members[k];
    m.peer.agent.load(join(ckpt, `peer-${m.index}`), ms.agent);
    m.env.setState(ms.env);
    m.evalEnv.setState(ms.evalEnv);
    m.obs.set(ms.obs);
    m.steps = ms.steps;
    m.epoch = ms.epoch;
    m.followCounts.set(ms.followCounts);
    m.epochFollowCounts.fill(0);
    m.evalMeans.splice(0, m.evalMeans.length, ...ms.evalMeans);
    m.lastEval = ms.lastEval;
    if (m.trust && ms.trust) m.trust.values.set(ms.trust);
    m.follow.setState(ms.follow);
    m.suggestions.setState(ms.suggestions);
  });
  if (group.lectr && s.lectr) group.lectr.load((what) => join(ckpt, what), s.lectr.state, s.lectr.decisions);
  dir.truncateMetrics(s.metricsBytes);
  return s;
}
