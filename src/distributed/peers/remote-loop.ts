/**
 * The coordinator's stand-in for the loop of a peer in another process: RemoteLoop runs the group's seams here
 * around the env step the peer takes there. Training is only started (`send`) and runs there while the group goes
 * on. The env step's request carries what the group will ask around it (lookahead.ts): the value estimates of
 * the updates before and after it, and the suggestion the group will likely ask next, so that a lockstep step
 * waits for as few round trips as it can.
 */
import {
  runStepSeams,
  type EvalResult,
  type LoopHooks,
  type LoopState,
  type StepSeamSite,
} from "../../agents/off-policy-loop.js";
import type { StepResult } from "../../envs/env.js";
import { rolloutComplete } from "../../agents/agent.js";
import type { MemberLoop } from "../../peers/member-loop.js";
import type { ValueQuery } from "../../peers/targets.js";
import type { Lookahead } from "./lookahead.js";
import type { z } from "zod";
import { Op, ProtocolError, encode, f32, type Message } from "./peer-protocol.js";
import { PeerInfoSchema, SaveReplySchema, StepReplySchema, fields } from "./peer-messages.js";
import { PeerUnavailable } from "./peer-links.js";
import { LONG_MS, type LoopView, type Presence } from "./presence.js";
import { RemotePeer, answerShape, queryWire, type AheadQuery } from "./remote-peer.js";

export class RemoteLoop implements MemberLoop, StepSeamSite {
  readonly placedElsewhere = true;
  readonly obs: Float32Array;
  steps = 0;
  progressTotal = 1;
  lastEval: EvalResult | null = null;
  private readonly evalMeans: number[] = [];
  readonly env: { readonly maxEpisodeSteps: number };
  private readonly actionRow: Float32Array;
  private readonly presence: Presence;
  /** The reply of the step whose seams are running (runStepSeams). */
  private step: { readonly reply: Message; readonly meta: z.infer<typeof StepReplySchema> } | null = null;

  constructor(
    private readonly peer: RemotePeer,
    private readonly hooks: LoopHooks,
    maxEpisodeSteps: number,
    private readonly ahead: Lookahead,
    private readonly index: number,
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
    let view: LoopView;
    try {
      view = fields(PeerInfoSchema, p.links.request(p.index, p.hello, p.timeoutMs), "hello").view;
      if (view.obs.length !== this.obs.length)
        throw new ProtocolError(`its observation is not ${this.obs.length} numbers`);
    } catch (e) {
      if (e instanceof PeerUnavailable || e instanceof ProtocolError) return false;
      throw e;
    }
    p.present = true;
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
      this.ahead.runHeld();
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
    // Requests failed so far: one failing after the rehearsal may change what the updates ask.
    const failures = this.presence.links.failures;
    const rehearsal = this.ahead.rehearse(this.index);
    const route = (query: ValueQuery, newRows: number[], withStep: AheadQuery[]): void => {
      if (!(query.peer instanceof RemotePeer)) return; // this process's peers answer as the updates ask
      const item = { query, newRows };
      if (query.peer === this.peer) withStep.push(item);
      else if (others.has(query.peer)) others.get(query.peer)?.push(item);
      else others.set(query.peer, [item]);
    };
    for (const query of rehearsal?.earlier ?? []) route(query, [], before);
    for (const query of rehearsal?.queries ?? []) {
      const newRows: number[] = [];
      if (rehearsal && query.buffer === rehearsal.buffer)
        query.slots.forEach((slot, r) => (slot === rehearsal.newSlot ? newRows.push(r) : 0));
      route(query, newRows, mine);
    }
    for (const [p, items] of others) p.askAhead(items, failures);
    const earlier = queryWire(before);
    const { heads, arrays } = queryWire(mine);
    // The suggestion asked next comes with the step, unless a training round there comes first.
    const info = this.peer.info;
    const ask = rolloutComplete(this.steps + 1, info.trainFreq, info.learningStarts)
      ? null
      : this.ahead.nextAsk(this.index);
    const aheadObs = ask ? [Float32Array.from(ask.obs)] : [];
    const prefetch = ask ? { explore: ask.explore } : null;
    const meta = { progressTotal: this.progressTotal, before: earlier.heads, queries: heads, own, prefetch };
    const sent = [this.actionRow, ...aheadObs, ...earlier.arrays, ...arrays];
    const d = this.obs.length;
    let m = null as z.infer<typeof StepReplySchema> | null;
    const reply = this.presence.ask(encode(Op.step, meta, sent), undefined, (r) => {
      m = fields(StepReplySchema, r, "step");
      f32(r, 0, d);
      if (m.reset) f32(r, 1, d);
      if (ask) f32(r, m.reset ? 2 : 1, info.actionWidth);
      answerShape([...before, ...mine], r.arrays, (m.reset ? 2 : 1) + (ask ? 1 : 0));
    });
    if (!reply || !m) {
      this.ahead.runHeld();
      for (const p of others.keys()) p.dropAhead();
      return;
    }
    let at = m.reset ? 2 : 1;
    if (ask) this.presence.prefetch = { obs: aheadObs[0], explore: ask.explore, row: f32(reply, at++), used: false };
    this.peer.answered([...before, ...mine], reply.arrays.slice(at), failures);
    this.ahead.runHeld();
    const r: StepResult = { obs: f32(reply, 0), reward: m.reward, terminated: m.terminated, truncated: m.truncated };
    this.steps = m.steps;
    this.step = { reply, meta: m };
    runStepSeams(h, this, action, r);
    this.step = null;
    let dropped = false;
    for (const p of [this.peer, ...others.keys()]) dropped = p.dropAhead() || dropped;
    if (dropped && this.presence.links.failures === failures)
      throw new Error(`internal error: value estimates rehearsed for peer ${this.presence.index}'s step went unasked`);
  }

  /**
   * Starts the peer's training round there when one is due; it runs while the group goes on, and then computes
   * the suggestion the group will likely ask of it next (its reply brings it).
   */
  trainIfDue(): boolean {
    const info = this.peer.info;
    if (!rolloutComplete(this.steps, info.trainFreq, info.learningStarts)) return false;
    const next = this.ahead.askAfterTraining(this.index);
    const ask = next ? { obs: Float32Array.from(next.obs), explore: next.explore } : null;
    const prefetch = ask ? { explore: ask.explore } : null;
    this.presence.start(encode(Op.train, { prefetch }, ask ? [ask.obs] : []), undefined, ask);
    return true;
  }

  /** The step's evaluation, taken there and reported with it. */
  evaluateIfDue(): void {
    const m = this.step?.meta;
    if (!m?.eval) return;
    this.lastEval = m.eval;
    this.evalMeans.push(m.eval.mean);
    this.hooks.onEvaluation?.(m.eval, m.returns);
  }

  /** Stored there, in the peer's own replay buffer. */
  storeStep(): void {}

  /** Reset there: the reply carries the next episode's first observation. */
  resetEpisode(): Float32Array {
    if (!this.step) throw new Error("internal error: an episode end outside a step");
    return f32(this.step.reply, 1);
  }

  /** The peer checks its own training; a divergence comes back as the error reply of its next request. */
  checkFinite(): void {}

  get averageRewardOverTime(): number | null {
    const n = this.evalMeans.length;
    return n ? this.evalMeans.reduce((a, b) => a + b, 0) / n : null;
  }

  /** The peer saves its checkpoint into its own folder, under the coordinator's checkpoint name. */
  save(dir: string): LoopState {
    const session = this.presence.session;
    let state = null as LoopState | null;
    const reply = this.presence.ask(encode(Op.save, { name: checkpointName(dir), session }), LONG_MS, (r) => {
      state = fields(SaveReplySchema, r, "save").state as LoopState;
    });
    if (!reply || !state) throw new PeerUnavailable(`peer ${this.presence.index} did not save its checkpoint`);
    return state;
  }

  load(dir: string, state: LoopState): void {
    const session = this.presence.session;
    const reply = this.presence.ask(encode(Op.load, { name: checkpointName(dir), state, session }), LONG_MS);
    if (!reply) throw new PeerUnavailable(`peer ${this.presence.index} did not load its checkpoint`);
    this.adopt(state);
  }

  close(): void {}
}

/** ".../checkpoints/step-600/peer-1" -> "step-600": the name both sides give a checkpoint. */
function checkpointName(dir: string): string {
  const parts = dir.split(/[\\/]/);
  return parts[parts.length - 2];
}
