/**
 * Checkpoints of a peer group, between any two steps: every acting peer's loop (its agent's weights, optimiser,
 * replay buffer and generator in checkpoints/step-<n>/peer-<i>/; its envs, observation and counters in the state),
 * and everything else that decides what happens next: follow state, suggestion buffers, every value term's and the
 * advisor's state (each saved the same way, whatever it is), every generator, the Early Advising budget spent. A
 * run restored from it continues exactly as if it had never stopped.
 */
import { join } from "node:path";
import type { RandomState } from "../core/random.js";
import type { LoopState } from "../agents/off-policy-loop.js";
import type { RunDir } from "../runs/run-dir.js";
import type { PeerGroup } from "./group.js";
import type { SoloEpochs } from "./schedule.js";
import type { SuggestionBuffer } from "./suggestion-buffer.js";

/** Where a run stands: the next step of a peer to take (round-robin: of member `slot`), and the epoch's solo flag. */
export interface GroupPosition {
  epoch: number;
  slot: number;
  step: number;
  solo: boolean;
}

interface MemberState {
  loop: LoopState;
  epoch: number;
  followCounts: number[];
  epochFollowCounts: number[];
  follow: { stepsFollowed: number; followed: number };
  suggestions: ReturnType<SuggestionBuffer["getState"]>;
}

export interface GroupState {
  position: GroupPosition;
  stepsDone: number;
  peerEpochs: number;
  groupRandom: RandomState;
  peerRandom: (RandomState | null)[];
  members: MemberState[];
  /** Each value term's state, by name. */
  terms: Record<string, unknown>;
  advisor: unknown;
}

const memberDir = (ckpt: string, index: number): string => join(ckpt, `peer-${index}`);

export function saveGroupCheckpoint(
  dir: RunDir,
  group: PeerGroup,
  solo: SoloEpochs,
  position: GroupPosition,
  stepsDone: number,
  stepsPerPeer: number,
): void {
  dir.saveCheckpoint(stepsPerPeer, (ckpt): GroupState => ({
    position,
    stepsDone,
    peerEpochs: solo.getState(),
    groupRandom: group.random.getState(),
    peerRandom: group.peers.map((p) => p.random?.getState() ?? null),
    members: group.members.map((m) => ({
      loop: m.loop.save(memberDir(ckpt, m.index)),
      epoch: m.epoch,
      followCounts: [...m.followCounts],
      epochFollowCounts: [...m.epochFollowCounts],
      follow: m.follow.getState(),
      suggestions: m.suggestions.getState(),
    })),
    terms: Object.fromEntries(group.terms.map((t) => [t.name, t.getState()])),
    advisor: group.advisor.save(ckpt),
  }));
}

/** Restores the latest checkpoint into a freshly built group; returns its state, or null when there is none. */
export function loadGroupCheckpoint(dir: RunDir, group: PeerGroup, solo: SoloEpochs): GroupState | null {
  return dir.resume<GroupState>((ckpt, s) => {
    group.random.setState(s.groupRandom);
    group.peers.forEach((p, i) => {
      const r = s.peerRandom[i];
      if (p.random && r) p.random.setState(r);
    });
    solo.setState(s.peerEpochs);
    group.members.forEach((m, k) => {
      const ms = s.members[k];
      m.loop.load(memberDir(ckpt, m.index), ms.loop);
      m.epoch = ms.epoch;
      m.followCounts.set(ms.followCounts);
      m.epochFollowCounts.set(ms.epochFollowCounts);
      m.follow.setState(ms.follow);
      m.suggestions.setState(ms.suggestions);
    });
    for (const t of group.terms) t.setState(s.terms[t.name]);
    group.advisor.load(ckpt, s.advisor);
  });
}
