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
import { PeerGroup, type GroupPlacement } from "./group.js";
import { GroupSchedule, learnersOf } from "./group-schedule.js";
import { TrainerPool } from "../agents/trainers/trainer-pool.js";
import { loadGroupCheckpoint, saveGroupCheckpoint } from "./group-checkpoint.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import { GroupSummarySchema, type GroupSummary, type PeerSummary } from "./group-summary.js";
import { usePrecision } from "../nn/kernels/precision.js";

export interface GroupTrainOptions {
  out: string;
  kernels: Kernels;
  /** Peers placed elsewhere (GroupPlacement; distributed/peers/peer-coordinator.ts); lockstep only. */
  placement?: GroupPlacement;
  preset?: string;
  progress?: (line: string, final: boolean) => void;
}

export class GroupRun {
  readonly dir: RunDir;
  private readonly finished: GroupSummary | null = null;
  private group!: PeerGroup;
  private schedule!: GroupSchedule;
  private pool: TrainerPool | null = null;
  private progress!: Progress;
  private clock!: RunClock;
  private resumedFrom: number | null = null;
  private lastCheckpoint = 0;
  /** The steps of the newest checkpoint on disk (saving it again would first remove it). */
  private savedAt: number | null = null;

  constructor(
    private readonly config: GroupRunConfig,
    private readonly options: GroupTrainOptions,
  ) {
    usePrecision(options.kernels, config.precision); // first: a refusal leaves no folder; trainGroup() restores it
    this.dir = new RunDir(options.out);
    this.dir.prepare(config);
    if (this.dir.isComplete()) {
      this.finished = this.dir.readSummary(GroupSummarySchema, "peer group run");
      return;
    }
    this.open();
  }

  private open(): void {
    const { config, options, dir } = this;
    const group = new PeerGroup(config, options.kernels, new Random(config.seed), options.placement ?? null);
    this.group = group;
    const g = config.group;
    const n = group.members.length;
    this.schedule = new GroupSchedule(config, group, {
      afterStep: (done) => this.afterStep(done),
      epochEnd: (m, epoch, solo) =>
        dir.appendMetrics({ type: "epoch", peer: m.index, epoch, solo, followCounts: [...m.epochFollowCounts] }),
      evaluation: (m, ev, returns) => {
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
      },
    });
    this.progress = new Progress(config.steps * n, 0, options.progress);
    // Resume from the latest checkpoint (taken between any two steps), or start from scratch.
    const restored = loadGroupCheckpoint(dir, group, this.schedule.solo);
    if (restored) {
      this.schedule.resume(restored.position, restored.stepsDone);
      this.lastCheckpoint = restored.stepsDone;
      this.savedAt = restored.stepsDone;
      this.resumedFrom = Math.floor(restored.stepsDone / n);
    }
    this.progress.tick(this.schedule.stepsDone);
    // Trainer threads copy the agents as they are: made after the checkpoint is restored.
    if (g.schedule === "lockstep" && g.parallelTraining && !options.placement) {
      this.pool = new TrainerPool(
        learnersOf(group).map((m) => m.peer.agent),
        options.kernels,
      );
      this.schedule.trainOn(this.pool);
    }
    this.clock = new RunClock(this.schedule.stepsDone);
  }

  get done(): boolean {
    return this.finished !== null || this.schedule.done;
  }

  /** Env steps taken so far, all peers together. */
  get steps(): number {
    return this.finished ? this.finished.steps * this.finished.peers.length : this.schedule.stepsDone;
  }

  /** Takes up to `maxSteps` env steps (a lockstep round is taken whole); true once the run has taken them all. */
  advance(maxSteps = Infinity): boolean {
    return this.done || this.schedule.advance(maxSteps);
  }

  /**
   * Saves the group where it stands (a peer placed elsewhere that is away makes no whole group: nothing saved).
   * Returns the steps per peer saved, or null.
   */
  checkpoint(): number | null {
    if (this.done) return null;
    if (this.group.peers.some((p) => !p.available)) return null;
    this.pool?.syncAll(); // the trainers' target networks and optimisers into the copies that are saved
    const { at, solo, stepsDone } = this.schedule;
    const n = this.group.members.length;
    if (this.savedAt !== stepsDone)
      saveGroupCheckpoint(this.dir, this.group, solo, { ...at }, stepsDone, Math.floor(stepsDone / n));
    this.lastCheckpoint = this.savedAt = stepsDone;
    return Math.floor(stepsDone / n);
  }

  /** Ends the run (advancing it to its end first): final weights, summary.json; the summary. */
  finish(): GroupSummary {
    if (this.finished) return this.finished;
    this.advance();
    const { group, config, options } = this;
    const stepsDone = this.schedule.stepsDone;
    this.pool?.syncAll();
    this.pool?.close();
    for (const m of group.members) m.loop.close();
    const timing = this.clock.finish(stepsDone);
    this.progress.done(stepsDone);
    // (A peer placed elsewhere saves its own, into its own folder.)
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

  /** Counts steps taken and checkpoints every checkpointFreq env steps per acting peer, between any two steps. */
  private afterStep(stepsDone: number): void {
    this.progress.tick(stepsDone);
    const n = this.group.members.length;
    if (this.config.checkpointFreq <= 0 || stepsDone - this.lastCheckpoint < this.config.checkpointFreq * n) return;
    if (stepsDone >= this.config.steps * n) return; // the summary follows at once
    this.checkpoint();
  }
}
