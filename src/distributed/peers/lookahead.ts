/**
 * The coordinator's side of GroupPlacement's seams (peers/group.ts), which let a lockstep group over processes
 * wait for as few round trips as it can while every term sees the same updates in the same order as in one
 * process:
 *
 * - rehearse: the value queries a member's updates will make after its coming env step, found by running the
 *   updates on the group's state (the coming transition's s' stood in by the current one) and restoring it. The
 *   queries depend only on which buffer entries are sampled, never on their values, and sampling draws the same
 *   whatever the values. A remote peer's queries then go with the env step (remote-loop.ts) or ahead of it.
 * - holding updates: a member's updates may wait for the next member's env step when nothing the group does in
 *   between reads the terms or draws from its generator; that step's request then carries their queries.
 * - asking ahead: the suggestion the group will likely ask of a remote peer next comes with its reply.
 */
import type { Member, PeerGroup } from "../../peers/group.js";
import { LearnerPeer, ScriptedPeer } from "../../peers/peer.js";
import type { SuggestionBuffer } from "../../peers/suggestion-buffer.js";
import type { ValueAnswers, ValueQuery } from "../../peers/targets.js";
import { RemotePeer } from "./remote-peer.js";

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

/** A loop whose env step can carry the value queries of the member before it (RemoteLoop, without gSDE). */
interface CarriesEarlierUpdates {
  readonly takesEarlierUpdates?: boolean;
}

/** A copy of a query (the accumulator's arrays are reused), its first k rows. */
function copyOf(q: ValueQuery): ValueQuery {
  const rows = q.k * q.buffer.obsDim;
  return {
    peer: q.peer,
    buffer: q.buffer,
    k: q.k,
    slots: q.slots.slice(0, q.k),
    nextObs: q.nextObs.slice(0, rows),
    obs: q.obs ? q.obs.slice(0, rows) : null,
  };
}

export class Lookahead {
  private group: PeerGroup | null = null;
  /** Whether the group's updates can be rehearsed: a predictable advisor and repeatable terms only. */
  private repeatable = false;
  /** While set, value queries are recorded here and answered with zeros (rehearse). */
  private recording: ValueQuery[] | null = null;
  /** A member whose updates wait for the env step of the member after it, and that member (holdsUpdates). */
  private held: { readonly member: Member; readonly until: Member } | null = null;

  attach(group: PeerGroup): void {
    this.group = group;
    this.repeatable = group.advisor.predictable === true && group.terms.every((t) => t.repeatable === true);
  }

  private get g(): PeerGroup {
    if (!this.group) throw new Error("internal error: the group is not built yet");
    return this.group;
  }

  private member(index: number): Member {
    const m = this.g.members.find((x) => x.index === index);
    if (!m) throw new Error(`internal error: peer ${index} is not an acting member`);
    return m;
  }

  /** The group's value answers: recorded while rehearsing, a remote peer's from what it fetched ahead, else own. */
  answers(own: ValueAnswers): ValueAnswers {
    return {
      answer: (q, next, prev) => {
        if (this.recording) {
          this.recording.push(copyOf(q));
          next.fill(0, 0, q.k);
          prev.fill(0, 0, q.k);
        } else if (q.peer instanceof RemotePeer) q.peer.answer(q, next, prev);
        else own.answer(q, next, prev);
      },
    };
  }

  /** Runs `updates` (on a state restored after) and returns the value queries it made, in order. */
  private record(updates: () => void): ValueQuery[] {
    const queries: ValueQuery[] = [];
    this.recording = queries;
    try {
      updates();
    } finally {
      this.recording = null;
    }
    return queries;
  }

  /**
   * The value queries member `index`'s updates will make after the env step it is about to take (its action
   * chosen), and those of the held updates before them; the group's generator, terms and buffer as they were.
   * Null when nothing can be rehearsed: a solo epoch (no updates), a term that is not repeatable, an advisor that
   * is not predictable (it may draw from the generator after the env step).
   */
  rehearse(index: number): Rehearsal | null {
    const g = this.g;
    if (g.inSoloEpoch || !this.repeatable) return null;
    const m = this.member(index);
    const randomState = g.random.getState();
    const termStates = g.terms.map((t) => t.getState());
    const buffer = m.suggestions;
    const mark = buffer.mark();
    try {
      // The held updates come first (in one process they ran before this member chose its action).
      const waiting = this.held?.member;
      const earlier = waiting ? this.record(() => g.updateValues(waiting)) : [];
      if (m.storeAdvice) buffer.add(0, m.followed, m.obs, m.obs);
      const newSlot = m.storeAdvice ? buffer.latestSlot : -1;
      const queries = this.record(() => g.updateValues(m));
      return { earlier, queries, buffer, newSlot };
    } finally {
      buffer.rewind(mark);
      g.terms.forEach((t, i) => t.setState(termStates[i]));
      g.random.setState(randomState);
    }
  }

  /**
   * Whether member `index`'s updates wait for (are held until) the next member's env step: when running them later
   * is running them in the same order. The next member runs elsewhere, carries earlier updates, is present, past
   * warm-up and makes no decision, and follows itself (it takes its own suggestion where it steps) or a peer here
   * whose suggestion draws apart from the updates (suggestsApartFromUpdates).
   */
  holdsUpdates(index: number): boolean {
    const g = this.g;
    const m = this.member(index);
    if (!this.repeatable || m.loop.placedElsewhere || g.config.group.schedule !== "lockstep") return false;
    const next = g.members[g.members.indexOf(m) + 1];
    const waits =
      next !== undefined &&
      (next.loop as CarriesEarlierUpdates).takesEarlierUpdates === true &&
      next.peer.available &&
      next.loop.steps >= next.peer.learningStarts &&
      !next.follow.choosesNext &&
      (next.follow.followed === next.index || this.suggestsApartFromUpdates(next.follow.followed));
    if (waits) this.held = { member: m, until: next };
    return waits;
  }

  /**
   * Whether peer j's suggestion may come before updates that were to run first: j is here, and the updates' value
   * queries draw nothing from the generators its suggestion draws from (a scripted peer is never asked for
   * values; a DQN's and a TD3's values draw nothing; a SAC's sample its action).
   */
  private suggestsApartFromUpdates(j: number): boolean {
    if (j < 0) return false;
    const peer = this.g.peers[j];
    return peer instanceof ScriptedPeer || (peer instanceof LearnerPeer && !peer.learner.valuesDraw);
  }

  /** Before member `index`'s env step: held updates wait only for the member they wait for. */
  beforeStep(index: number): void {
    if (this.held && this.held.until.index !== index) this.runHeld();
  }

  /** Runs the held updates, if any. */
  runHeld(): void {
    const h = this.held;
    this.held = null;
    if (h) this.g.updateValues(h.member);
  }

  /**
   * The suggestion the group will likely ask of member `index` first after its coming env step and updates: the
   * next member's advice (next in this step, or the first one in the next lockstep step) asks it when it follows
   * it or chooses anew. A guess: a peer that computes the suggestion ahead takes its draws back when it goes unused.
   */
  nextAsk(index: number): SuggestionAsk | null {
    const members = this.g.members;
    const m = this.member(index);
    return this.askOf(m, members[(members.indexOf(m) + 1) % members.length]);
  }

  /** The one after a training round: the first member of the next lockstep step asks first. */
  askAfterTraining(index: number): SuggestionAsk | null {
    return this.askOf(this.member(index), this.g.members[0]);
  }

  /** The suggestion member `asker`'s advice will ask of m at its coming step: when it chooses anew or follows m. */
  private askOf(m: Member, asker: Member): SuggestionAsk | null {
    const g = this.g;
    if (g.inSoloEpoch || g.advisor.predictable !== true) return null;
    if (asker === m || asker.loop.steps < asker.peer.learningStarts) return null;
    if (!asker.follow.choosesNext && asker.follow.followed !== m.index) return null;
    return { obs: asker.obs, explore: g.config.group.peersSampleWithNoise };
  }
}
