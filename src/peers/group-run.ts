/**
 * A peer group run that advances in slices: `advance(n)` takes up to n more env steps (all peers together) on the
 * group's schedule, `checkpoint()` saves where it stands, `finish()` writes the final weights and summary. Driving
 * it in slices lets a caller keep its event loop alive (Ctrl-C, a dashboard) without changing a single step: the
 * cursor (epoch, slot, step) is the same position a checkpoint records.
 */
import { join } from "node:path";
import { Random } from "../core/random.js";
import type { EvalResult } from "../agents/off-policy-loop.js";
import { RunClock, backendName, meanOf } from "../runs/run-summary.js";
import { RunDir, writeJsonAtomic } from "../runs/run-dir.js";
import { Progress } from "../runs/progress.js";
import type { GroupRunConfig } from "./config.js";
import { PeerGroup, type Member } from "./group.js";
import { SoloEpochs, epochSteps, planEpochs, type EpochPlan } from "./schedule.js";
import { TrainerPool } from "../agents/trainers/trainer-pool.js";
import { loadGroupCheckpoint, saveGroupCheckpoint, type GroupPosition } from "./group-checkpoint.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import type { RunSummaryBase } from "../runs/run-summary.js";
import type { GroupPlacement } from "./placement.js";

export interface PeerSummary {
  index: number;
  kind: string;
  lastEval: EvalResult | null;
  averageRewardOverTime: number | null;
  /** Share of this peer's follow decisions that went to each peer (null for peers that do not act). */
  followShare: number[] | null;
}

export interface GroupSummary extends RunSummaryBase {
  preset: string | null;
  variant: string;
  peers: PeerSummary[];
}

export interface GroupTrainOptions {
  out: string;
  kernels: Kernels;
  /** Peers in other processes (distributed/peers/peer-coordinator.ts); lockstep only. */
  placement?: GroupPlacement;
  preset?: string;
  progress?: (line: string, final: boolean) => void;
}

export class GroupRun {
  readonly dir: RunDir;
  private readonly finished: GroupSummary | null = null;
  private group!: PeerGroup;
  private plan!: EpochPlan;
  private solo!: SoloEpochs;
  private pool: TrainerPool | null = null;
  private learners: Member[] = [];
  private progress!: Progress;
  private clock!: RunClock;
  private resumedFrom: number | null = null;
  private stepsDone = 0;
  private lastCheckpoint = 0;
  /** Where the next step is: the position a checkpoint records; `begun` once the epoch's solo draw is made. */
  private at: GroupPosition = { epoch: 0, slot: 0, step: 0, solo: false };
  private begun = false;

  constructor(
    private readonly config: GroupRunConfig,
    private readonly options: GroupTrainOptions,
  ) {
    this.dir = new RunDir(options.out);
    this.dir.prepare(config);
    if (this.dir.isComplete()) {
      this.finished = this.dir.readSummary<GroupSummary>(
        (s) => Array.isArray(s.peers) && typeof s.steps === "number",
        "peer group run",
      );
      return;
    }
    this.open();
  }

  private open(): void {
    const { config, options, dir } = this;
    const group = new PeerGroup(config, options.kernels, new Random(config.seed), options.placement ?? null);
    this.group = group;
    const g = config.group;
    const first = group.members[0];
    this.plan = planEpochs(config.steps, g.minEpochLength, first.loop.env.maxEpisodeSteps, first.peer.trainFreq);
    this.solo = new SoloEpochs(g.switchRatio, g.maxPeerEpochs);
    const n = group.members.length;
    this.progress = new Progress(config.steps * n, 0, options.progress);
    // Resume from the latest checkpoint (taken between any two steps), or start from scratch.
    const restored = loadGroupCheckpoint(dir, group, this.solo);
    this.stepsDone = this.lastCheckpoint = restored?.stepsDone ?? 0;
    this.resumedFrom = restored ? Math.floor(restored.stepsDone / n) : null;
    this.progress.tick(this.stepsDone);
    if (restored) {
      this.at = { ...restored.position };
      // Inside the epoch a checkpoint was taken in, its solo decision was already made (and counted).
      this.begun = restored.position.slot > 0 || restored.position.step > 0;
    }
    group.onEvaluation = (m, ev, returns) => {
      dir.appendMetrics({
        type: "eval",
        peer: m.index,
        step: m.steps,
        epoch: m.epoch,
        evalMean: ev.mean,
        evalStd: ev.std,
        evalReturns: [...returns],
        followCounts: [...m.followCounts],
        ...Object.fromEntries(
          group.terms.flatMap((t) => {
            const v = t.logged(m);
            return v ? [[t.name, Array.from(v)]] : [];
          }),
        ),
      });
      this.progress.setEval(ev.mean);
    };
    // Peers in other processes first: their training is only started, and runs while the local ones train.
    this.learners = group.members
      .filter((m) => m.peer.learns)
      .sort((a, b) => Number(b.loop.placedElsewhere) - Number(a.loop.placedElsewhere));
    this.pool =
      g.schedule === "lockstep" && g.parallelTraining && !options.placement
        ? new TrainerPool(
            this.learners.map((m) => m.peer.agent),
            options.kernels,
          )
        : null;
    this.clock = new RunClock(this.stepsDone);
  }

  get done(): boolean {
    return this.finished !== null || this.at.epoch >= this.plan.epochs;
  }

  /** Env steps taken so far, all peers together. */
  get steps(): number {
    return this.finished ? this.finished.steps * this.finished.peers.length : this.stepsDone;
  }

  /** Takes up to `maxSteps` env steps (a lockstep round is taken whole); true once the run has taken them all. */
  advance(maxSteps = Infinity): boolean {
    if (this.done) return true;
    const { group, at } = this;
    const members = group.members;
    const n = members.length;
    const until = this.stepsDone + maxSteps;
    while (at.epoch < this.plan.epochs && this.stepsDone < until) {
      if (!this.begun) {
        at.solo = this.solo.isSolo(at.epoch);
        this.begun = true;
      }
      const length = epochSteps(this.plan, at.epoch);
      const total = this.horizon(at.epoch);
      if (this.config.group.schedule === "roundRobin") {
        const m = members[at.slot];
        if (at.step < length) {
          group.step(m, at.solo, total);
          at.step += 1;
          this.tick(1);
          continue;
        }
        this.endEpoch(m);
        at.step = 0;
        if (++at.slot < n) continue;
        at.slot = 0;
      } else if (at.step < length) {
        // Lockstep: every peer acts (on the weights all peers had before this step), then every peer whose
        // rollout is complete trains: one after another, or all at once on trainer threads.
        for (let k = 0; k < n; k++) group.act(members[k], at.solo, total);
        // Every member has taken the same number of steps, so all learners are due together or not at all.
        if (this.pool) {
          if (this.pool.trainDue(members[0].steps)) for (const m of this.learners) m.loop.checkFinite();
        } else {
          for (const m of this.learners) m.loop.trainIfDue();
        }
        at.step += 1;
        this.tick(n);
        continue;
      } else {
        for (const m of members) this.endEpoch(m);
        at.step = 0;
      }
      at.epoch += 1;
      this.begun = false;
    }
    return this.done;
  }

  /**
   * Saves the group where it stands (a peer in another process that is away makes no whole group: nothing saved).
   * Returns the steps per peer saved, or null.
   */
  checkpoint(): number | null {
    if (this.finished || this.done) return null;
    if (this.group.peers.some((p) => !p.available)) return null;
    this.pool?.syncAll(); // the trainers' target networks and optimisers into the copies that are saved
    const n = this.group.members.length;
    saveGroupCheckpoint(
      this.dir,
      this.group,
      this.solo,
      { ...this.at },
      this.stepsDone,
      Math.floor(this.stepsDone / n),
    );
    this.lastCheckpoint = this.stepsDone;
    return Math.floor(this.stepsDone / n);
  }

  /** Ends the run (advancing it to its end first): final weights, summary.json; the summary. */
  finish(): GroupSummary {
    if (this.finished) return this.finished;
    this.advance();
    const { group, config, options } = this;
    this.pool?.syncAll();
    this.pool?.close();
    for (const m of group.members) m.loop.close();
    const timing = this.clock.finish(this.stepsDone);
    this.progress.done(this.stepsDone);
    // (A peer in another process saves its own, into its own folder.)
    for (const m of group.members)
      if (!m.loop.placedElsewhere) m.peer.agent.save(join(this.dir.finalDir, `peer-${m.index}`), false);
    const peers: PeerSummary[] = group.peers.map((p, index) => {
      const m = group.members.find((x) => x.index === index);
      const total = m ? m.followCounts.reduce((a, b) => a + b, 0) : 0;
      return {
        index,
        kind: p.kind,
        lastEval: m?.loop.lastEval ?? null,
        averageRewardOverTime: m ? m.loop.averageRewardOverTime : null,
        followShare: m ? [...m.followCounts].map((c) => (total > 0 ? c / total : 0)) : null,
      };
    });
    const learning = peers.filter((p) => group.peers[p.index].learns && p.averageRewardOverTime !== null);
    const lastEvals = learning.map((p) => p.lastEval).filter((x): x is EvalResult => x !== null);
    const summary: GroupSummary = {
      env: config.env,
      preset: options.preset ?? null,
      variant: config.variant,
      seed: config.seed,
      steps: config.steps,
      ...timing,
      averageRewardOverTime: meanOf(learning.map((p) => p.averageRewardOverTime as number)),
      lastEval: lastEvals.length
        ? { mean: meanOf(lastEvals.map((x) => x.mean)) as number, std: meanOf(lastEvals.map((x) => x.std)) as number }
        : null,
      peers,
      backend: backendName(options.kernels),
      out: options.out,
      resumedFrom: this.resumedFrom,
    };
    writeJsonAtomic(this.dir.summaryPath, summary);
    return summary;
  }

  /** Epsilon's horizon: SB3's learn() per epoch (faithful) or the peer's whole training (corrected). */
  private horizon(e: number): number {
    return this.config.variant === "faithful"
      ? e * this.plan.epochLength + epochSteps(this.plan, e)
      : this.config.steps;
  }

  private endEpoch(m: Member): void {
    const { epoch } = this.at;
    this.dir.appendMetrics({
      type: "epoch",
      peer: m.index,
      epoch,
      solo: this.at.solo,
      followCounts: [...m.epochFollowCounts],
    });
    m.epochFollowCounts.fill(0);
    m.epoch += 1;
  }

  /** Counts steps taken and checkpoints every checkpointFreq env steps per acting peer, between any two steps. */
  private tick(steps: number): void {
    this.stepsDone += steps;
    this.progress.tick(this.stepsDone);
    const n = this.group.members.length;
    if (this.config.checkpointFreq <= 0 || this.stepsDone - this.lastCheckpoint < this.config.checkpointFreq * n)
      return;
    if (this.stepsDone >= this.config.steps * n) return; // the summary follows at once
    this.checkpoint();
  }
}
