/**
 * What the coordinator knows of a peer in another process, shared by its two stand-ins (RemotePeer,
 * RemoteLoop): whether it is there, and the suggestion it computed ahead. Every request to the peer goes through
 * here. A peer that does not answer within group.adviceTimeoutMs is left out until it answers again (see
 * peer-advice.ts and agent-values.ts for what that means for choices and values): its steps are skipped, its
 * stand-in asks it again at most once a second, and when it is back (restarted from its last checkpoint) the
 * stand-in takes over the state the peer reports.
 */
import type { LoopState } from "../../agents/off-policy-loop.js";
import type { PeerKind } from "../../peers/peer.js";
import { printable } from "../../core/errors.js";
import { ProtocolError, f32, markPrefetchUsed, type Message } from "./peer-protocol.js";
import { PeerUnavailable, type PeerLinks } from "./peer-links.js";

/** What a peer process reports about itself when the coordinator says hello. */
export interface PeerInfo {
  readonly index: number;
  readonly kind: PeerKind;
  readonly learns: boolean;
  readonly actionWidth: number;
  /** A discrete action travels as its index in a one-float row. */
  readonly discrete: boolean;
  readonly obsDim: number;
  readonly gamma: number;
  readonly learningStarts: number;
  readonly trainFreq: number;
  /** Whether beforeStep does anything (SAC with gSDE): otherwise it is not sent. */
  readonly beforeStep: boolean;
  /** What its loop stands at (its first observation when fresh; where its own checkpoint left it when resumed). */
  readonly view: LoopView;
  /** Whether it resumed from a checkpoint of its own. */
  readonly resumed: boolean;
}

export type LoopView = Pick<LoopState, "obs" | "steps" | "evalMeans" | "lastEval">;

/**
 * Requests that may take long whatever the advice timeout (a checkpoint). A training round is held to the advice
 * timeout: a peer killed while training is noticed as soon as one killed while idle.
 */
export const LONG_MS = 600_000;

/**
 * A suggestion a peer computed ahead, after its env step or its training round, for the state the group will
 * likely ask about next (Lookahead.nextAsk, Lookahead.askAfterTraining). The stand-in answers that ask with it; the next request
 * tells the peer whether it was used, and a peer whose suggestion went unused takes back the draws it made for
 * it, so the peer's generators draw exactly as in one process either way.
 */
export interface Prefetch {
  readonly obs: Float32Array;
  readonly explore: boolean;
  readonly row: Float32Array;
  used: boolean;
}

/** A suggestion asked of a peer ahead: for this state, exploring or not. */
type Ask = Pick<Prefetch, "obs" | "explore">;

/** Where a peer's presence is kept: shared by its two stand-ins. */
export class Presence {
  present = true;
  lastTry = 0;
  prefetch: Prefetch | null = null;
  /** The peer's action width, once it said hello: a suggestion's row must have it. */
  actionWidth = 0;
  /** A suggestion asked ahead with a request whose reply is not read yet (a training round): the reply brings it. */
  private pendingAhead: Ask | null = null;
  constructor(
    readonly index: number,
    readonly links: PeerLinks,
    readonly timeoutMs: number,
    private readonly log: (line: string) => void,
    /** The hello that asks the peer who it is (with the group's config hash and the coordinator's session). */
    readonly hello: Uint8Array,
    /** The coordinator's session id: save, load and finish requests carry it (peer-messages.ts). */
    readonly session: string,
  ) {}

  /**
   * A request that marks the peer absent when it fails (then returns null). `check` throws ProtocolError when the
   * reply is not of the shape asked (a peer of another version, or something else on its subject): that counts as
   * a failure too.
   */
  ask(request: Uint8Array, timeoutMs = this.timeoutMs, check?: (m: Message) => void): Message | null {
    if (!this.present) return null;
    this.settlePrefetch(request);
    try {
      const reply = this.links.request(this.index, request, timeoutMs);
      check?.(reply);
      return reply;
    } catch (e) {
      this.failed(e);
      return null;
    }
  }

  /** The reply of the request `start` sent (null, the peer marked absent, when it failed or has the wrong shape). */
  collect(check?: (m: Message) => void): Message | null {
    if (!this.present) return null;
    try {
      const reply = this.links.reply(this.index);
      check?.(reply);
      return reply;
    } catch (e) {
      this.failed(e);
      return null;
    }
  }

  /**
   * Starts a request whose reply is read later (or by the next request). `ahead`: the suggestion the request asks
   * the peer to compute after it (its reply's first array); ahead() reads it.
   */
  start(request: Uint8Array, timeoutMs = this.timeoutMs, ahead: Ask | null = null): void {
    if (!this.present) return;
    this.settlePrefetch(request);
    try {
      this.links.send(this.index, request, timeoutMs);
      this.pendingAhead = ahead;
    } catch (e) {
      this.failed(e);
    }
  }

  /** The suggestion the peer computed ahead, if any; waits for the reply that brings it when that is still out. */
  ahead(): Prefetch | null {
    const pending = this.pendingAhead;
    if (pending) {
      this.pendingAhead = null;
      const reply = this.collect((m) => f32(m, 0, this.actionWidth));
      if (reply) this.prefetch = { ...pending, row: f32(reply, 0), used: false };
    }
    return this.prefetch;
  }

  /** Tells the peer, with its next request, whether the suggestion it computed ahead was used. */
  private settlePrefetch(request: Uint8Array): void {
    if (this.prefetch?.used) markPrefetchUsed(request);
    this.prefetch = null;
    // One asked ahead and not read: unused (the request's sending reads its reply and drops it).
    this.pendingAhead = null;
  }

  private failed(e: unknown): void {
    this.prefetch = null;
    this.pendingAhead = null;
    if (e instanceof ProtocolError) {
      this.links.failures++;
      if (this.present)
        this.log(
          `peerlearn peer 0: peer ${this.index} sent a reply of the wrong shape (${printable(e.message)}): left out until it answers again`,
        );
    } else if (!(e instanceof PeerUnavailable)) throw e;
    else if (this.present)
      this.log(`peerlearn peer 0: peer ${this.index} did not answer: left out until it answers again`);
    this.present = false;
    this.lastTry = Date.now();
  }

  /** Says the peer is back (after a restart from its own checkpoint). */
  back(steps: number): void {
    this.log(`peerlearn peer 0: peer ${this.index} is back, at its step ${steps}`);
  }
}
