/**
 * The coordinator's stand-ins for peers in other processes: RemotePeer answers the group's questions (suggest,
 * critic, values, act) by asking the peer's process; RemoteLoop runs the group's seams here around the env step
 * the peer takes there. Requests go one at a time per peer, in the group's order, so every peer's generators
 * draw exactly as in one process; training is only started (`send`) and runs there while the group goes on.
 *
 * Round trips are what a group over NATS waits for, so a remote peer's env step carries the value estimates the
 * group's updates will ask of it after that step (the group rehearses them: group.rehearseUpdates), and other
 * remote peers those updates ask are sent theirs at the same time; the updates then find the answers here. The
 * step's reply also brings the suggestion the group will likely ask of the peer next (Prefetch).
 *
 * A peer that does not answer within group.adviceTimeoutMs is left out until it answers again (see
 * peer-advice.ts and agent-values.ts for what that means for choices and values): its steps are skipped, its
 * stand-in asks it again at most once a second, and when it is back (restarted from its last checkpoint) the
 * stand-in takes over the state the peer reports.
 */
import type { AgentAction } from "../agents/agent.js";
import type { Learner } from "../agents/learner.js";
import type { EvalResult, LoopHooks, LoopState } from "../agents/off-policy-loop.js";
import type { StepResult } from "../envs/env.js";
import { rolloutComplete } from "../agents/agent.js";
import type { MemberLoop, RemoteSeams } from "../peers/group.js";
import type { ActingPeer, PeerKind } from "../peers/peer.js";
import type { ValueQuery } from "../peers/targets.js";
import {
  Op,
  encode,
  f32,
  f64,
  markPrefetchUsed,
  type Message,
  type NumberArray,
  type QueryHead,
} from "./peer-protocol.js";
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
 * A suggestion a peer computed ahead, after its env step, for the state the group will likely ask about next
 * (group.nextAskOf). The stand-in answers that ask with it; the next request tells the peer whether it was used,
 * and a peer whose suggestion went unused takes back the draws it made for it, so the peer's generators draw
 * exactly as in one process either way.
 */
export interface Prefetch {
  readonly obs: Float32Array;
  readonly explore: boolean;
  readonly row: Float32Array;
  used: boolean;
}

/** Where a peer's presence is kept: shared by its two stand-ins. */
export class Presence {
  present = true;
  lastTry = 0;
  prefetch: Prefetch | null = null;
  constructor(
    readonly index: number,
    readonly links: PeerLinks,
    readonly timeoutMs: number,
    private readonly log: (line: string) => void,
    /** The hello that asks the peer who it is (with the group's config hash). */
    readonly hello: Uint8Array,
  ) {}

  /** A request that marks the peer absent when it fails (then returns null). */
  ask(request: Uint8Array, timeoutMs = this.timeoutMs): Message | null {
    if (!this.present) return null;
    this.settlePrefetch(request);
    try {
      return this.links.request(this.index, request, timeoutMs);
    } catch (e) {
      this.failed(e);
      return null;
    }
  }

  /** The reply of the request `start` sent (null, the peer marked absent, when it failed). */
  collect(): Message | null {
    if (!this.present) return null;
    try {
      return this.links.reply(this.index);
    } catch (e) {
      this.failed(e);
      return null;
    }
  }

  /** Starts a request whose reply is read later (or by the next request). */
  start(request: Uint8Array, timeoutMs = this.timeoutMs): void {
    if (!this.present) return;
    this.settlePrefetch(request);
    try {
      this.links.send(this.index, request, timeoutMs);
    } catch (e) {
      this.failed(e);
    }
  }

  /** Tells the peer, with its next request, whether the suggestion it computed ahead was used. */
  private settlePrefetch(request: Uint8Array): void {
    if (this.prefetch?.used) markPrefetchUsed(request);
    this.prefetch = null;
  }

  private failed(e: unknown): void {
    this.prefetch = null;
    if (!(e instanceof PeerUnavailable)) throw e;
    if (this.present) this.log(`peerlearn peer 0: peer ${this.index} did not answer: left out until it answers again`);
    this.present = false;
    this.lastTry = Date.now();
  }

  /** Says the peer is back (after a restart from its own checkpoint). */
  back(steps: number): void {
    this.log(`peerlearn peer 0: peer ${this.index} is back, at its step ${steps}`);
  }
}

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
  /** Answers to queries sent ahead, in the order the updates will ask them. */
  private readonly answers: { item: AheadQuery; values: Float64Array[] }[] = [];
  /** Queries sent ahead in a request of their own, whose reply is not read yet. */
  private sentAhead: AheadQuery[] | null = null;

  constructor(
    readonly presence: Presence,
    readonly info: PeerInfo,
  ) {
    this.row = new Float32Array(info.actionWidth);
  }

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
    const reply = this.presence.ask(encode(Op.act, { t: numTimesteps }, [obs]));
    const row = reply ? f32(reply, 0) : this.row.fill(0);
    return this.info.discrete ? row[0] : Float32Array.from(row);
  }

  /** A peer that fails while answering writes zeros (it is absent from then on: its row is replaced). */
  suggest(obs: Float32Array, explore: boolean, out: Float32Array, offset: number): void {
    const ahead = this.presence.prefetch;
    if (ahead && !ahead.used && ahead.explore === explore && sameValues(ahead.obs, obs)) {
      ahead.used = true;
      out.set(ahead.row, offset);
      return;
    }
    const reply = this.presence.ask(encode(Op.suggest, { explore }, [obs]));
    if (reply) out.set(f32(reply, 0), offset);
    else out.fill(0, offset, offset + this.info.actionWidth);
  }

  critic(obs: Float32Array, actions: Float32Array, n: number, out: Float64Array): void {
    const reply = this.presence.ask(encode(Op.critic, { n }, [obs, actions.subarray(0, n * this.info.actionWidth)]));
    if (reply) out.set(f64(reply, 0));
    else out.fill(0, 0, n);
  }

  /** Whether its coming step takes its own suggestion, and exploring or not (actOnOwnSuggestion). */
  ownSuggestion: { explore: boolean } | null = null;

  actOnOwnSuggestion(explore: boolean): boolean {
    this.ownSuggestion = { explore };
    return true;
  }

  /** Sends value queries ahead in a request of their own (the updates of another peer's step will ask them). */
  askAhead(items: AheadQuery[]): void {
    if (!this.presence.present || items.length === 0) return;
    const { heads, arrays } = queryWire(items);
    this.presence.start(encode(Op.values, { queries: heads }, arrays));
    this.sentAhead = items;
  }

  /** Takes the answers to queries that went ahead with this peer's env step. */
  answered(items: readonly AheadQuery[], values: readonly NumberArray[]): void {
    let a = 0;
    for (const item of items) {
      const n = item.query.obs ? 2 : 1;
      const got = values.slice(a, a + n).map((v) => {
        if (!(v instanceof Float64Array)) throw new Error(`peer ${this.info.index}: value estimates are not Float64`);
        return v;
      });
      a += n;
      this.answers.push({ item, values: got });
    }
  }

  /**
   * The answer fetched ahead for these states, or null when none was (they are asked now). An answer for other
   * states would mean the rehearsal and the updates differ: a bug, never a fault of the network.
   */
  private answerAhead(next: Float32Array, prev: Float32Array | null, k: number): Float64Array[] | null {
    if (this.sentAhead) {
      const items = this.sentAhead;
      this.sentAhead = null;
      const reply = this.presence.collect();
      if (reply) this.answered(items, reply.arrays);
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

  valuesOfTwo(
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
    const reply = this.presence.ask(encode(Op.values, { queries }, [obs.subarray(0, k * this.info.obsDim)]));
    if (reply) out.set(f64(reply, 0));
    else out.fill(0, 0, k);
  }
}

export class RemoteLoop implements MemberLoop {
  readonly remote = true;
  readonly obs: Float32Array;
  steps = 0;
  progressTotal = 1;
  lastEval: EvalResult | null = null;
  private readonly evalMeans: number[] = [];
  readonly env: { readonly maxEpisodeSteps: number };
  private readonly actionRow: Float32Array;
  private readonly presence: Presence;

  constructor(
    private readonly peer: RemotePeer,
    private readonly hooks: LoopHooks,
    maxEpisodeSteps: number,
    private readonly seams: RemoteSeams,
  ) {
    this.presence = peer.presence;
    const view = peer.info.view;
    this.obs = new Float32Array(peer.info.obsDim);
    this.actionRow = new Float32Array(peer.info.actionWidth);
    this.env = { maxEpisodeSteps };
    this.adopt(view);
  }

  /** Takes over the state the peer reports (at the start, or when it is back after a restart). */
  adopt(state: LoopView): void {
    this.obs.set(state.obs);
    this.steps = state.steps;
    this.evalMeans.splice(0, this.evalMeans.length, ...state.evalMeans);
    this.lastEval = state.lastEval;
  }

  /** Asks an absent peer whether it is back (at most once a second); true when it is present. */
  private present(): boolean {
    const p = this.presence;
    if (p.present) return true;
    if (Date.now() - p.lastTry < 1000) return false;
    p.lastTry = Date.now();
    let reply: Message;
    try {
      reply = p.links.request(p.index, p.hello, p.timeoutMs);
    } catch (e) {
      if (e instanceof PeerUnavailable) return false;
      throw e;
    }
    p.present = true;
    const view = (reply.meta as unknown as PeerInfo).view;
    this.adopt(view);
    p.back(view.steps);
    return true;
  }

  /** Its env step can carry the previous member's value queries (not with gSDE: its beforeStep request comes first). */
  get takesEarlierUpdates(): boolean {
    return !this.peer.info.beforeStep;
  }

  collect(): void {
    if (!this.present()) {
      this.seams.runDeferredUpdates();
      return; // left out of this step
    }
    const h = this.hooks;
    this.peer.ownSuggestion = null;
    const action = h.chooseAction?.();
    if (action === undefined) throw new Error("a remote peer's step needs the group's choice of action");
    const own = this.peer.ownSuggestion;
    this.peer.ownSuggestion = null;
    if (own)
      this.actionRow.fill(0); // the peer takes its own suggestion there
    else if (typeof action === "number") this.actionRow[0] = action;
    else this.actionRow.set(action);
    // The value estimates the updates will ask: those of the previous member's updates that waited for this step
    // (this peer answers them before its env step), then those after it; this peer's go with the step, the
    // others' ahead, in the order the updates ask them.
    const before: AheadQuery[] = [];
    const mine: AheadQuery[] = [];
    const others = new Map<RemotePeer, AheadQuery[]>();
    const rehearsal = this.seams.rehearse();
    const sort = (query: ValueQuery, newRows: number[], own: AheadQuery[]): void => {
      if (!(query.peer instanceof RemotePeer)) return; // this process's peers answer as the updates ask
      const item = { query, newRows };
      if (query.peer === this.peer) own.push(item);
      else others.set(query.peer, [...(others.get(query.peer) ?? []), item]);
    };
    for (const query of rehearsal?.earlier ?? []) sort(query, [], before);
    for (const query of rehearsal?.queries ?? []) {
      const newRows: number[] = [];
      if (rehearsal && query.buffer === rehearsal.buffer)
        query.slots.forEach((slot, r) => (slot === rehearsal.newSlot ? newRows.push(r) : 0));
      sort(query, newRows, mine);
    }
    for (const [p, items] of others) p.askAhead(items);
    const failures = this.presence.links.failures;
    const earlier = queryWire(before);
    const { heads, arrays } = queryWire(mine);
    // The suggestion asked next comes with the step, unless a training round there comes first.
    const info = this.peer.info;
    const ask = rolloutComplete(this.steps + 1, info.trainFreq, info.learningStarts) ? null : this.seams.nextAsk();
    const aheadObs = ask ? [Float32Array.from(ask.obs)] : [];
    const prefetch = ask ? { explore: ask.explore } : null;
    const meta = { progressTotal: this.progressTotal, before: earlier.heads, queries: heads, own, prefetch };
    const sent = [this.actionRow, ...aheadObs, ...earlier.arrays, ...arrays];
    const reply = this.presence.ask(encode(Op.step, meta, sent));
    if (!reply) {
      this.seams.runDeferredUpdates();
      for (const p of others.keys()) p.dropAhead();
      return;
    }
    const m = reply.meta as {
      reward: number;
      terminated: boolean;
      truncated: boolean;
      steps: number;
      eval: EvalResult | null;
      returns: number[];
      reset: boolean;
    };
    let at = m.reset ? 2 : 1;
    if (ask) this.presence.prefetch = { obs: aheadObs[0], explore: ask.explore, row: f32(reply, at++), used: false };
    this.peer.answered([...before, ...mine], reply.arrays.slice(at));
    this.seams.runDeferredUpdates();
    const r: StepResult = { obs: f32(reply, 0), reward: m.reward, terminated: m.terminated, truncated: m.truncated };
    this.steps = m.steps;
    h.afterEnvStep?.(r);
    if (m.eval) {
      this.lastEval = m.eval;
      this.evalMeans.push(m.eval.mean);
      h.onEvaluation?.(m.eval, m.returns);
    }
    const done = r.terminated || r.truncated;
    h.afterStore?.(r, done);
    if (done) {
      const first = f32(reply, 1);
      h.onEpisodeEnd?.(r.reward, first);
      this.obs.set(first);
    } else {
      this.obs.set(r.obs);
    }
    h.afterStep?.();
    let dropped = false;
    for (const p of [this.peer, ...others.keys()]) dropped = p.dropAhead() || dropped;
    if (dropped && this.presence.links.failures === failures)
      throw new Error(`internal error: value estimates rehearsed for peer ${this.presence.index}'s step went unasked`);
  }

  /** Starts the peer's training round there when one is due; it runs while the group goes on. */
  trainIfDue(): boolean {
    const info = this.peer.info;
    if (!rolloutComplete(this.steps, info.trainFreq, info.learningStarts)) return false;
    this.presence.start(encode(Op.train));
    return true;
  }

  /** The peer checks its own training; a divergence comes back as the error reply of its next request. */
  checkFinite(): void {}

  get averageRewardOverTime(): number | null {
    const n = this.evalMeans.length;
    return n ? this.evalMeans.reduce((a, b) => a + b, 0) / n : null;
  }

  /** The peer saves its checkpoint into its own folder, under the coordinator's checkpoint name. */
  save(dir: string): LoopState {
    const reply = this.presence.ask(encode(Op.save, { name: checkpointName(dir) }), LONG_MS);
    if (!reply) throw new PeerUnavailable(`peer ${this.presence.index} did not save its checkpoint`);
    return reply.meta.state as LoopState;
  }

  load(dir: string, state: LoopState): void {
    const reply = this.presence.ask(encode(Op.load, { name: checkpointName(dir), state }), LONG_MS);
    if (!reply) throw new PeerUnavailable(`peer ${this.presence.index} did not load its checkpoint`);
    this.adopt(state);
  }

  close(): void {}
}

/** Whether two states hold the same numbers, bit for bit (-0 and 0 differ: a network may tell them apart). */
function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** ".../checkpoints/step-600/peer-1" -> "step-600": the name both sides give a checkpoint. */
function checkpointName(dir: string): string {
  const parts = dir.split(/[\\/]/);
  return parts[parts.length - 2];
}
