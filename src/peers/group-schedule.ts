/**
 * A peer group driven on its schedule, with no files and no threads of its own (it runs in a browser too): the
 * epochs of the plan, solo or with advice, round-robin or lockstep, in slices (`advance(n)`). Its cursor (epoch,
 * slot, step) is the position a checkpoint records. What happens around the steps is the caller's, through
 * callbacks: after every step (progress, checkpoints), at each member's epoch end (metrics), and after each
 * member's evaluation (metrics, demo frames). GroupRun (run folders, trainer threads), the demo and the bench
 * drive it.
 */
import type { GroupRunConfig } from "./config.js";
import type { GroupPosition } from "./group-checkpoint.js";
import type { EvalResult } from "../runs/run-summary.js";
import type { Member, PeerGroup } from "./group.js";
import { SoloEpochs, epochSteps, planEpochs, type EpochPlan } from "./schedule.js";

/** Trainer threads as the schedule sees them (agents/trainers/trainer-pool.ts): lockstep training, all at once. */
export interface ParallelTrainers {
  /** Starts the round when due at `step` and waits for it; whether one ran. */
  trainDue(step: number): boolean;
}

export interface ScheduleCallbacks {
  /** After every step (a lockstep round counts as one call), with the env steps taken so far by all peers. */
  afterStep?(stepsDone: number): void;
  /** When member m ends an epoch (its follow counts of the epoch are reset after this). */
  epochEnd?(m: Member, epoch: number, solo: boolean): void;
  /** After each evaluation of member m (every evalFreq of its steps; the returns array is reused). */
  evaluation?(m: Member, result: EvalResult, returns: readonly number[]): void;
}

/** The learning members, those placed elsewhere first (their training is started, then runs meanwhile). */
export function learnersOf(group: PeerGroup): Member[] {
  return group.members
    .filter((m) => m.peer.learns)
    .sort((a, b) => Number(b.loop.placedElsewhere) - Number(a.loop.placedElsewhere));
}

export class GroupSchedule {
  readonly plan: EpochPlan;
  readonly solo: SoloEpochs;
  /** Where the next step is; `begun` once the epoch's solo draw is made. */
  at: GroupPosition = { epoch: 0, slot: 0, step: 0, solo: false };
  private begun = false;
  stepsDone = 0;
  readonly learners: Member[];

  constructor(
    private readonly config: GroupRunConfig,
    readonly group: PeerGroup,
    private readonly callbacks: ScheduleCallbacks = {},
  ) {
    const g = config.group;
    const first = group.members[0];
    this.plan = planEpochs(config.steps, g.minEpochLength, first.loop.env.maxEpisodeSteps, first.peer.trainFreq);
    this.solo = new SoloEpochs(g.switchRatio, g.maxPeerEpochs);
    this.learners = learnersOf(group);
    const evaluation = callbacks.evaluation;
    if (evaluation) group.listenToEvaluations(evaluation);
  }

  private trainers: ParallelTrainers | null = null;

  /** Lockstep training on trainer threads from now on (made after a checkpoint is restored: they copy the agents). */
  trainOn(trainers: ParallelTrainers): void {
    this.trainers = trainers;
  }

  /** Continues from a checkpoint's position (inside its epoch the solo draw was already made). */
  resume(position: GroupPosition, stepsDone: number): void {
    this.at = { ...position };
    this.begun = position.slot > 0 || position.step > 0;
    this.stepsDone = stepsDone;
  }

  get done(): boolean {
    return this.at.epoch >= this.plan.epochs;
  }

  /** Takes up to `maxSteps` env steps (a lockstep round is taken whole); true once the run has taken them all. */
  advance(maxSteps = Infinity): boolean {
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
          this.stepped(1);
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
        // Every member has taken the same number of steps, so all learners are due together or not at all. (Indexed
        // loops: this one runs for the whole run, and its for-of iterators were allocated on every step.)
        const learners = this.learners;
        if (this.trainers) {
          if (this.trainers.trainDue(members[0].steps))
            for (let i = 0; i < learners.length; i++) learners[i].loop.checkFinite();
        } else {
          for (let i = 0; i < learners.length; i++) learners[i].loop.trainIfDue();
        }
        at.step += 1;
        this.stepped(n);
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

  /** Epsilon's horizon: SB3's learn() per epoch (faithful) or the peer's whole training (corrected). */
  private horizon(e: number): number {
    return this.config.variant === "faithful"
      ? e * this.plan.epochLength + epochSteps(this.plan, e)
      : this.config.steps;
  }

  private endEpoch(m: Member): void {
    this.callbacks.epochEnd?.(m, this.at.epoch, this.at.solo);
    m.epochFollowCounts.fill(0);
    m.epoch += 1;
  }

  private stepped(steps: number): void {
    this.stepsDone += steps;
    this.callbacks.afterStep?.(this.stepsDone);
  }
}
