/**
 * Where a group's members run: the seams between a PeerGroup (group.ts) and the stand-ins of peers in other
 * processes (distributed/): the loop a member runs through, where each peer is built, and what the group tells a
 * remote member's stand-in about the requests around its env step, so that it can send them with the step.
 */
import type { EvalResult, LoopHooks, LoopState } from "../agents/off-policy-loop.js";
import type { LearnerSettings } from "./peer-settings.js";
import type { ActingPeer, LearnerPeer } from "./peer.js";
import type { SuggestionBuffer } from "./suggestion-buffer.js";
import type { ValueQuery } from "./targets.js";

/**
 * What the group and its driver use of a member's loop: an OffPolicyLoop in this process, or the stand-in of a
 * peer in another process (distributed/peers/remote-loop.ts), which runs the same step there and the group's seams here.
 */
export interface MemberLoop {
  /** The placement seam: whether the member runs elsewhere (its training is started there and runs meanwhile). */
  readonly placedElsewhere: boolean;
  /**
   * Whether its env step can carry the value queries of the member before it (a stand-in for a peer elsewhere:
   * PeerGroup defers that member's updates to the step's reply).
   */
  readonly takesEarlierUpdates?: boolean;
  readonly obs: Float32Array;
  readonly steps: number;
  readonly env: { readonly maxEpisodeSteps: number };
  progressTotal: number;
  readonly lastEval: EvalResult | null;
  readonly averageRewardOverTime: number | null;
  collect(): void;
  trainIfDue(): boolean;
  checkFinite(): void;
  save(dir: string, withBuffer?: boolean): LoopState;
  load(dir: string, state: LoopState): void;
  close(): void;
}

/**
 * Where each peer runs, for a group spread over processes (distributed/): peers this process does not run are
 * stand-ins built from what their construction would have drawn from the root generator, so that every process
 * draws the same generators for the same peers.
 */
export interface GroupPlacement {
  isLocal(index: number): boolean;
  /** The stand-in of acting peer `index`, which runs elsewhere. */
  remotePeer(index: number, kind: LearnerPeer["kind"], learner: LearnerSettings): ActingPeer;
  /**
   * The stand-in loop of that peer: `hooks` are the group's seams, run here around the step taken there; `seams`
   * tell it what the group will ask of the peer around its coming env step, so that it can ask it with the step.
   */
  remoteLoop(
    index: number,
    peer: ActingPeer,
    hooks: LoopHooks,
    maxEpisodeSteps: number,
    seams: RemoteSeams,
  ): MemberLoop;
  /** The seams of a local member in place of the group's (a peer process serving its coordinator). */
  localHooks?(index: number, groupHooks: LoopHooks): LoopHooks;
}

/** What the group will ask of a remote member around its coming env step (group.ts answers, remote-loop.ts asks). */
export interface RemoteSeams {
  /** The value estimates the group's updates after the step will ask (PeerGroup.rehearseUpdates). */
  rehearse(): Rehearsal | null;
  /** Runs the updates of the member before it that waited for this step (PeerGroup.defersUpdatesOf). */
  runDeferredUpdates(): void;
  /** The suggestion the group will likely ask of the member next, after the step (PeerGroup.nextAskOf). */
  nextAsk(): SuggestionAsk | null;
  /** The one it will likely ask next after a training round, at the next lockstep step (PeerGroup.askOf). */
  askAfterTraining(): SuggestionAsk | null;
}

/** A suggestion asked of a peer: for this state, exploring or not. */
export interface SuggestionAsk {
  readonly obs: Float32Array;
  readonly explore: boolean;
}

/** The value queries a member's coming updates will make, and the buffer slot its coming transition will take. */
export interface Rehearsal {
  /** Those of the previous member's updates, which wait for this step (asked before it: no new rows). */
  readonly earlier: ValueQuery[];
  readonly queries: ValueQuery[];
  readonly buffer: SuggestionBuffer;
  /** -1 when the coming transition is not stored (no advice: warm-up in the corrected variant). */
  readonly newSlot: number;
}
