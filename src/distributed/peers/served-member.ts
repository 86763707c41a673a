/**
 * The member a peer process serves: the same group every process builds (the same generators for the same
 * peers), of which it runs only its own member (its envs, replay buffer and training), and the answers to the
 * coordinator's requests about it. Its run folder is a run folder like any other (config.json, checkpoints with
 * manifests), resumed from its newest checkpoint when it has one.
 */
import { basename } from "node:path";
import { Random, type RandomState } from "../../core/random.js";
import { UserError } from "../../core/errors.js";
import type { Kernels } from "../../nn/kernels/kernels.js";
import type { EvalResult, LoopState, OffPolicyLoop } from "../../agents/off-policy-loop.js";
import type { AgentAction } from "../../agents/agent.js";
import type { Learner } from "../../agents/learner.js";
import { RunDir } from "../../runs/run-dir.js";
import type { GroupRunConfig } from "../../peers/config.js";
import { PeerGroup, localLoop } from "../../peers/group.js";
import { LearnerPeer } from "../../peers/peer.js";
import { ProtocolError, f32, type Message, type QueryHead } from "./peer-protocol.js";
import { servingPlacement } from "./serving-placement.js";
import type { PeerInfo } from "./presence.js";

/** What one env step of the member reports back (its seams, run here, only record). */
interface StepRecord {
  reward: number;
  terminated: boolean;
  truncated: boolean;
  obs: Float32Array;
}

export class ServedMember {
  readonly peer: LearnerPeer;
  readonly loop: OffPolicyLoop;
  readonly learner: Learner;
  readonly runDir: RunDir;
  readonly resumedAt: number | null;
  private readonly row: Float32Array;
  // What the member's seams recorded at its last step.
  private chosen: AgentAction = 0;
  private stepped: StepRecord | null = null;
  private evaluation: { ev: EvalResult; returns: number[] } | null = null;
  private first: Float32Array | null = null;
  /** The generators a suggestion may draw from, and their states before the one computed ahead (Prefetch). */
  private readonly generators: (Random | null)[];
  private beforePrefetch: (RandomState | null)[] | null = null;

  constructor(
    private readonly config: GroupRunConfig,
    readonly index: number,
    kernels: Kernels,
    out: string,
    log: (line: string) => void,
  ) {
    const placement = servingPlacement(index, {
      chooseAction: () => this.chosen,
      afterEnvStep: (r) => (this.stepped = { ...r, obs: Float32Array.from(r.obs) }),
      onEvaluation: (ev, returns) => (this.evaluation = { ev, returns: [...returns] }),
      onEpisodeEnd: (_reward, obs) => (this.first = Float32Array.from(obs)),
    });
    const group = new PeerGroup(config, kernels, new Random(config.seed), placement);
    const member = group.members.find((m) => m.index === index);
    if (!member || !(member.peer instanceof LearnerPeer))
      throw new UserError(
        `peer ${index} of this group is not a learner (${group.peers[index]?.kind ?? "none"}); scripted peers run in peer 0's process`,
      );
    this.peer = member.peer;
    this.loop = localLoop(member);
    this.learner = this.peer.learner;
    this.row = new Float32Array(this.peer.actionWidth);
    this.generators = [this.learner.random, this.peer.random];
    this.runDir = new RunDir(out);
    this.runDir.prepare(config);
    const resumed = this.runDir.resume<LoopState>((dir, state) => this.loop.load(dir, state));
    this.resumedAt = resumed ? resumed.steps : null;
    if (resumed)
      log(
        `peer ${index}: resumed from its checkpoint ${basename(this.runDir.latestCheckpoint() ?? "")} (step ${resumed.steps})`,
      );
  }

  info(): PeerInfo {
    const { peer, loop } = this;
    return {
      index: this.index,
      kind: peer.kind,
      learns: peer.learns,
      actionWidth: peer.actionWidth,
      discrete: this.learner.discreteActions > 0,
      obsDim: loop.obs.length,
      gamma: peer.gamma,
      learningStarts: peer.learningStarts,
      trainFreq: peer.trainFreq,
      beforeStep: this.learner.usesBeginStep,
      view: { obs: [...loop.obs], steps: loop.steps, evalMeans: [...loop.evalMeans], lastEval: loop.lastEval },
      resumed: this.resumedAt !== null,
    };
  }

  /** Puts back the generators of the suggestion computed ahead, unless this request says it was used. */
  settlePrefetch(m: Message): void {
    const before = this.beforePrefetch;
    if (before && !m.prefetchUsed)
      this.generators.forEach((g, i) => {
        const state = before[i];
        if (g && state) g.setState(state);
      });
    this.beforePrefetch = null;
  }

  /** A suggestion computed ahead of its ask, its generators' states kept to be put back if it goes unused. */
  computeAhead(obs: Float32Array, explore: boolean): Float32Array {
    this.beforePrefetch = this.generators.map((g) => g?.getState() ?? null);
    this.peer.suggest(obs, explore, this.row, 0);
    return Float32Array.from(this.row);
  }

  /** Its suggestion for obs, into a reused row. */
  suggest(obs: Float32Array, explore: boolean): Float32Array {
    this.peer.suggest(obs, explore, this.row, 0);
    return this.row;
  }

  /** Its action for obs at step t (what it would do when acting), into a reused row. */
  act(obs: Float32Array, t: number): Float32Array {
    const a = this.peer.act(obs, t);
    if (typeof a === "number") this.row[0] = a;
    else this.row.set(a);
    return this.row;
  }

  /**
   * Its value estimates for queries (`heads`; their arrays are the message's from `from` on), one array after
   * another, as separate requests would be answered; `newNext`: the s' of the step just taken, for the rows that
   * stand for it.
   */
  answer(heads: readonly QueryHead[], m: Message, from: number, newNext: Float32Array | null): Float64Array[] {
    const d = this.loop.obs.length;
    const outs: Float64Array[] = [];
    let a = from;
    for (const q of heads) {
      const next = f32(m, a++, q.k * d);
      if (q.newRows.some((r) => r >= q.k)) throw new ProtocolError(`a value query's new rows pass its ${q.k} states`);
      if (newNext) for (const r of q.newRows) next.set(newNext, r * d);
      for (const states of q.two ? [next, f32(m, a++, q.k * d)] : [next]) {
        const out = new Float64Array(q.k);
        this.peer.values(states, q.k, out);
        outs.push(out);
      }
    }
    return outs;
  }

  /**
   * One env step with `action` (or its own suggestion, `own`): what it reported, the reset observation at an
   * episode's end, and the s' the group stores (the faithful variant stores the reset observation).
   */
  step(
    action: Float32Array,
    own: { explore: boolean } | null,
    progressTotal: number,
  ): {
    r: StepRecord;
    ev: { ev: EvalResult; returns: number[] } | null;
    reset: Float32Array | null;
    stored: Float32Array;
  } {
    // Its own suggestion as its action (PeerAdvice asked it to take it here), or the group's choice.
    const taken = own ? Float32Array.from(this.suggest(this.loop.obs, own.explore)) : action;
    this.chosen = this.learner.discreteActions > 0 ? taken[0] : taken;
    this.stepped = null;
    this.evaluation = null;
    this.first = null;
    this.loop.progressTotal = progressTotal;
    this.loop.collect();
    const r = this.stepped as StepRecord | null;
    if (!r) throw new Error("the env step reported nothing");
    const reset = this.first as Float32Array | null;
    const stored = this.config.variant === "faithful" && reset ? reset : r.obs;
    return { r, ev: this.evaluation, reset, stored };
  }
}
