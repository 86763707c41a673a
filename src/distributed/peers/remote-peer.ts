/**
 * The coordinator's stand-in for a peer in another process: RemotePeer answers the group's questions (suggest,
 * critic, values, act) by asking the peer's process. Requests go one at a time per peer, in the group's order, so
 * every peer's generators draw exactly as in one process.
 *
 * Round trips are what a group over NATS waits for, so value estimates the group's updates will ask are sent
 * ahead (with a peer's env step, remote-loop.ts, or in a request of their own) and found here when the updates
 * ask; a suggestion the peer computed ahead (Prefetch, presence.ts) answers the ask it was computed for.
 */
import type { AgentAction } from "../../agents/agent.js";
import type { Learner } from "../../agents/learner.js";
import type { ActingPeer, PeerKind } from "../../peers/peer.js";
import type { ValueQuery } from "../../peers/targets.js";
import {
  Op,
  ProtocolError,
  encode,
  f32,
  f64,
  type Message,
  type NumberArray,
  type QueryHead,
} from "./peer-protocol.js";
import type { PeerInfo, Presence } from "./presence.js";

/** A value query sent ahead, with the rows of s' the peer fills in from the env step it takes meanwhile. */
export interface AheadQuery {
  readonly query: ValueQuery;
  readonly newRows: number[];
}

/** The wire form of queries: their heads (message JSON) and their arrays, in order. */
export function queryWire(items: readonly AheadQuery[]): { heads: QueryHead[]; arrays: NumberArray[] } {
  const arrays: NumberArray[] = [];
  const heads = items.map(({ query, newRows }) => {
    arrays.push(query.nextObs);
    if (query.obs) arrays.push(query.obs);
    return { k: query.k, two: query.obs !== null, newRows };
  });
  return { heads, arrays };
}

export class RemotePeer implements ActingPeer {
  readonly acts = true;
  readonly random = null;
  private readonly row: Float32Array;
  /**
   * Answers to queries sent ahead, in the order the updates will ask them, with the count of failed requests when
   * they were rehearsed (a peer that fails meanwhile may change what the updates ask).
   */
  private readonly answers: { item: AheadQuery; values: Float64Array[]; failures: number }[] = [];
  /** Queries sent ahead in a request of their own, whose reply is not read yet. */
  private sentAhead: { items: AheadQuery[]; failures: number } | null = null;
  /** Whether its coming step takes its own suggestion, and exploring or not (actOnOwnSuggestion). */
  ownSuggestion: { explore: boolean } | null = null;

  constructor(
    readonly presence: Presence,
    readonly info: PeerInfo,
  ) {
    this.row = new Float32Array(info.actionWidth);
    presence.actionWidth = info.actionWidth;
  }

  /** A reply that carries one action row (a suggestion, an action). */
  private readonly rowCheck = (m: Message): void => void f32(m, 0, this.info.actionWidth);

  get kind(): PeerKind {
    return this.info.kind;
  }
  get learns(): boolean {
    return this.info.learns;
  }
  get available(): boolean {
    return this.presence.present;
  }
  get actionWidth(): number {
    return this.info.actionWidth;
  }
  get gamma(): number {
    return this.info.gamma;
  }
  get learningStarts(): number {
    return this.info.learningStarts;
  }
  get trainFreq(): number {
    return this.info.trainFreq;
  }
  get agent(): Learner {
    throw new Error(`peer ${this.info.index}'s learner runs in another process`);
  }

  beforeStep(numTimesteps: number): void {
    if (this.info.beforeStep) this.presence.start(encode(Op.beforeStep, { t: numTimesteps }));
  }

  act(obs: Float32Array, numTimesteps: number): AgentAction {
    const reply = this.presence.ask(encode(Op.act, { t: numTimesteps }, [obs]), undefined, this.rowCheck);
    const row = reply ? f32(reply, 0) : this.row.fill(0);
    return this.info.discrete ? row[0] : Float32Array.from(row);
  }

  /** A peer that fails while answering writes zeros (it is absent from then on: its row is replaced). */
  suggest(obs: Float32Array, explore: boolean, out: Float32Array, offset: number): void {
    const ahead = this.presence.ahead();
    if (ahead && !ahead.used && ahead.explore === explore && sameValues(ahead.obs, obs)) {
      ahead.used = true;
      out.set(ahead.row, offset);
      return;
    }
    const reply = this.presence.ask(encode(Op.suggest, { explore }, [obs]), undefined, this.rowCheck);
    if (reply) out.set(f32(reply, 0), offset);
    else out.fill(0, offset, offset + this.info.actionWidth);
  }

  critic(obs: Float32Array, actions: Float32Array, n: number, out: Float64Array): void {
    const reply = this.presence.ask(
      encode(Op.critic, { n }, [obs, actions.subarray(0, n * this.info.actionWidth)]),
      undefined,
      (m) => f64(m, 0, n),
    );
    if (reply) out.set(f64(reply, 0));
    else out.fill(0, 0, n);
  }

  actOnOwnSuggestion(explore: boolean): boolean {
    this.ownSuggestion = { explore };
    return true;
  }

  /** Sends value queries ahead in a request of their own (the updates of another peer's step will ask them). */
  askAhead(items: AheadQuery[], failures: number): void {
    if (!this.presence.present || items.length === 0) return;
    const { heads, arrays } = queryWire(items);
    this.presence.start(encode(Op.values, { queries: heads }, arrays));
    this.sentAhead = { items, failures };
  }

  /** Takes the answers to queries that went ahead with this peer's env step. */
  answered(items: readonly AheadQuery[], values: readonly NumberArray[], failures: number): void {
    let a = 0;
    for (const item of items) {
      const n = item.query.obs ? 2 : 1;
      const got = values.slice(a, a + n).map((v) => {
        if (!(v instanceof Float64Array)) throw new Error(`peer ${this.info.index}: value estimates are not Float64`);
        return v;
      });
      a += n;
      this.answers.push({ item, values: got, failures });
    }
  }

  /**
   * The answer fetched ahead for these states, or null when none was (they are asked now). An answer for other
   * states means the rehearsal and the updates differ: a bug, unless a peer failed since the rehearsal (the
   * updates then leave it out), when the answers fetched ahead are dropped.
   */
  private answerAhead(next: Float32Array, prev: Float32Array | null, k: number): Float64Array[] | null {
    if (this.sentAhead) {
      const { items, failures } = this.sentAhead;
      this.sentAhead = null;
      const reply = this.presence.collect((m) => answerShape(items, m.arrays, 0));
      if (reply) this.answered(items, reply.arrays, failures);
    }
    const answer = this.answers.shift();
    if (!answer) return null;
    const q = answer.item.query;
    const d = this.info.obsDim;
    const same =
      q.k === k &&
      (q.obs !== null) === (prev !== null) &&
      q.nextObs.every((x, i) => x === next[i] || answer.item.newRows.includes(Math.floor(i / d))) &&
      (q.obs === null || q.obs.every((x, i) => x === (prev as Float32Array)[i]));
    if (!same && this.presence.links.failures !== answer.failures) {
      this.answers.length = 0;
      return null;
    }
    if (!same)
      throw new Error(`internal error: peer ${this.info.index} was asked other value estimates than rehearsed`);
    return answer.values;
  }

  /**
   * Drops answers fetched ahead that the updates did not ask for; true when there were some (they may, if a peer
   * was left out meanwhile: agent values then wait).
   */
  dropAhead(): boolean {
    if (this.sentAhead) {
      this.sentAhead = null;
      this.presence.collect();
      return true;
    }
    const left = this.answers.length > 0;
    this.answers.length = 0;
    return left;
  }

  /** A value query of the group's terms (lookahead.ts routes them here): V(s') and, with s rows, V(s) at once. */
  answer(q: ValueQuery, next: Float64Array, prev: Float64Array): void {
    if (q.obs) this.valuesOfTwo(q.nextObs, q.obs, q.k, next, prev);
    else this.values(q.nextObs, q.k, next);
  }

  private valuesOfTwo(
    first: Float32Array,
    second: Float32Array,
    k: number,
    outFirst: Float64Array,
    outSecond: Float64Array,
  ): void {
    const ahead = this.answerAhead(first, second, k);
    if (ahead) {
      outFirst.set(ahead[0]);
      outSecond.set(ahead[1]);
      return;
    }
    const rows = k * this.info.obsDim;
    const queries: QueryHead[] = [{ k, two: true, newRows: [] }];
    const reply = this.presence.ask(
      encode(Op.values, { queries }, [first.subarray(0, rows), second.subarray(0, rows)]),
      undefined,
      (m) => (f64(m, 0, k), f64(m, 1, k)),
    );
    if (reply) {
      outFirst.set(f64(reply, 0));
      outSecond.set(f64(reply, 1));
    } else {
      outFirst.fill(0, 0, k);
      outSecond.fill(0, 0, k);
    }
  }

  values(obs: Float32Array, k: number, out: Float64Array): void {
    const ahead = this.answerAhead(obs, null, k);
    if (ahead) {
      out.set(ahead[0]);
      return;
    }
    const queries: QueryHead[] = [{ k, two: false, newRows: [] }];
    const reply = this.presence.ask(
      encode(Op.values, { queries }, [obs.subarray(0, k * this.info.obsDim)]),
      undefined,
      (m) => f64(m, 0, k),
    );
    if (reply) out.set(f64(reply, 0));
    else out.fill(0, 0, k);
  }
}

/**
 * Checks that `arrays` from `from` on answer `items` (each query's one or two Float64 arrays of k values); throws
 * ProtocolError otherwise.
 */
export function answerShape(items: readonly AheadQuery[], arrays: readonly NumberArray[], from: number): void {
  let a = from;
  for (const item of items)
    for (let j = 0; j < (item.query.obs ? 2 : 1); j++, a++) {
      const v = arrays[a];
      if (!(v instanceof Float64Array) || v.length !== item.query.k)
        throw new ProtocolError(`value estimates ${a - from} are not ${item.query.k} Float64 numbers`);
    }
  if (a !== arrays.length) throw new ProtocolError(`${arrays.length - a} arrays more than the queries asked`);
}

/** Whether two states hold the same numbers, bit for bit (-0 and 0 differ: a network may tell them apart). */
function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
