/**
 * LeCTR as an advising method of a peer group. Each learning peer has, beside its task-level learner (its DQN), a
 * student policy (ask for advice or not) and a teacher policy (advise an action, or nothing, to a peer that asks).
 *
 * Advising-level observations (LeCTR's): the student sees [o_i, Q_i(o_i, .)]; a teacher j asked by student i sees
 * [o_i, Q_i(o_i, .), Q_j(o_i, .)]. Advice is executed: when the student asks and the teacher advises an action, the
 * student takes it instead of its own.
 *
 * Two phases, alternating (LeCTR's protocol): in Phase I (phaseLength env steps of a student) the advising policies
 * are fixed, the task-level learners learn, and every advising decision is recorded; Phase II scores each record
 * with the teaching reward (lectr-reward.ts) from the student's values after Phase I, shared by student and
 * teacher, and trains both advising policies on those transitions.
 *
 * Choices the LeCTR paper leaves open or the peer-learning setting forces (also in docs/peer-learning.md):
 * - LeCTR trains its advising policies with a centralised actor-critic over many task-learning sessions, resetting
 *   the task-level learners each session. Here one run is one session (a fixed step budget as for every other
 *   method; resetting would waste it) and each advising policy is an independent DQN over its discrete choices.
 * - With more than two peers a student's teacher is drawn uniformly among the other learning peers at each ask
 *   (LeCTR is stated for pairs).
 * - Each peer acts in its own env copy, so the teacher's Q is evaluated at the student's observation.
 * - Advising-level next observations use the values at the time of the step; the advising-level discount is
 *   `gamma` of the lectr settings.
 */
import { Random, type RandomState } from "../core/random.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import { DQN_DEFAULTS, Dqn, type DqnConfig, type DqnState } from "../agents/dqn/dqn.js";
import { teachingReward, type AdviceOutcome } from "./lectr-reward.js";
import { PhaseRecords, type PhaseRecordsState } from "./lectr-records.js";
import type { z } from "zod";
import type { LectrSettingsSchema } from "./config.js";

/** LeCTR's settings: declared and documented once, in the schema (peers/config.ts). */
export type LectrSettings = z.infer<typeof LectrSettingsSchema>;

export const LECTR_DEFAULTS: LectrSettings = {
  reward: "veg",
  threshold: 0,
  phaseLength: 1000,
  netArch: [64, 64],
  learningRate: 1e-3,
  batchSize: 32,
  bufferSize: 50_000,
  gamma: 0.9,
  explorationFraction: 0.2,
  explorationFinalEps: 0.05,
};

/** The task-level learner of a peer as LeCTR sees it. */
export interface TaskLearner {
  /** Q(o, a) for every action, into out. */
  qValues(obs: Float32Array, out: Float32Array): void;
}

export interface LectrState {
  students: DqnState[];
  teachers: DqnState[];
  records: PhaseRecordsState[];
  previousGain: number[];
  random: RandomState;
}

/** max of the first n values (no spread: that would allocate). */
function maxOf(values: Float32Array, n: number): number {
  let best = values[0];
  for (let k = 1; k < n; k++) if (values[k] > best) best = values[k];
  return best;
}

export class Lectr {
  readonly students: Dqn[];
  readonly teachers: Dqn[];
  /** Each student's Phase I so far. */
  private readonly records: PhaseRecords[];
  private readonly previousGain: number[];
  private readonly q: Float32Array;
  private readonly q2: Float32Array;
  private readonly sObs: Float32Array;
  private readonly sNext: Float32Array;
  private readonly tObs: Float32Array;
  private readonly tNext: Float32Array;
  private readonly rowObs: Float32Array;
  private readonly rowNext: Float32Array;
  /** Whether a learner's current row was opened by decide and awaits its outcome. */
  private readonly open: boolean[];
  /** Advising decisions taken so far (for the advising policies' epsilon). */
  private decisions = 0;

  constructor(
    kernels: Kernels,
    private readonly learners: readonly TaskLearner[],
    private readonly obsDim: number,
    private readonly nActions: number,
    private readonly settings: LectrSettings,
    /** Env steps per learner in the run: the advising policies' epsilon decays over a share of it. */
    private readonly totalSteps: number,
    private readonly taskGamma: number,
    readonly random: Random,
  ) {
    const config: DqnConfig = {
      ...DQN_DEFAULTS,
      learningRate: settings.learningRate,
      bufferSize: settings.bufferSize,
      learningStarts: 0,
      batchSize: settings.batchSize,
      tau: 0.01,
      gamma: settings.gamma,
      trainFreq: 1,
      gradientSteps: 1,
      targetUpdateInterval: 1,
      explorationFraction: settings.explorationFraction,
      explorationInitialEps: 1,
      explorationFinalEps: settings.explorationFinalEps,
      netArch: settings.netArch,
      maxGradNorm: 10,
    };
    const studentDim = obsDim + nActions;
    const teacherDim = obsDim + 2 * nActions;
    this.students = learners.map(() => new Dqn(kernels, studentDim, 2, config, random.fork()));
    this.teachers = learners.map(() => new Dqn(kernels, teacherDim, nActions + 1, config, random.fork()));
    this.records = learners.map(() => new PhaseRecords(settings.phaseLength, obsDim, studentDim, teacherDim));
    this.previousGain = new Array<number>(learners.length).fill(0);
    this.q = new Float32Array(nActions);
    this.q2 = new Float32Array(nActions);
    this.sObs = new Float32Array(studentDim);
    this.sNext = new Float32Array(studentDim);
    this.tObs = new Float32Array(teacherDim);
    this.tNext = new Float32Array(teacherDim);
    this.rowObs = new Float32Array(obsDim);
    this.rowNext = new Float32Array(obsDim);
    this.open = learners.map(() => false);
  }

  /** [o, Q_i(o, .)] into out. */
  studentObservation(i: number, obs: Float32Array, out: Float32Array): void {
    out.set(obs);
    this.learners[i].qValues(obs, this.q);
    out.set(this.q, this.obsDim);
  }

  /** [o_i, Q_i(o_i, .), Q_j(o_i, .)] into out. */
  teacherObservation(i: number, j: number, obs: Float32Array, out: Float32Array): void {
    this.studentObservation(i, obs, out);
    this.learners[j].qValues(obs, this.q2);
    out.set(this.q2, this.obsDim + this.nActions);
  }

  /** The advising policies' epsilon: linear from 1 over explorationFraction of the run's advising decisions. */
  private epsilon(): number {
    const s = this.settings;
    const progress = this.decisions / Math.max(1, s.explorationFraction * this.totalSteps * this.learners.length);
    return progress >= 1 ? s.explorationFinalEps : 1 + (s.explorationFinalEps - 1) * progress;
  }

  private choose(net: Dqn, obs: Float32Array): number {
    if (this.random.uniform() < this.epsilon()) return this.random.integer(0, net.nActions);
    return net.greedyAction(obs);
  }

  /**
   * Student i's action at `obs` given its own intended action: asks (student policy), a teacher answers (teacher
   * policy), the advice is executed. Returns the action; `followed` is then whom the student followed (itself or the
   * teacher).
   */
  decide(i: number, obs: Float32Array, intended: number): number {
    this.decisions += 1;
    const rec = this.records[i];
    const row = rec.count;
    this.studentObservation(i, obs, this.sObs);
    const ask = this.choose(this.students[i], this.sObs);
    let teacher = i;
    let advice = -1;
    if (ask === 1 && this.learners.length > 1) {
      teacher = this.random.integer(0, this.learners.length - 1);
      if (teacher >= i) teacher += 1;
      this.teacherObservation(i, teacher, obs, this.tObs);
      advice = this.choose(this.teachers[teacher], this.tObs);
      PhaseRecords.writeRow(rec.teacherObs, row, this.tObs);
    }
    const advised = advice >= 0 && advice < this.nActions;
    const action = advised ? advice : intended;
    PhaseRecords.writeRow(rec.studentObs, row, this.sObs);
    PhaseRecords.writeRow(rec.obs, row, obs);
    rec.ask[row] = ask;
    rec.teacher[row] = teacher;
    rec.advice[row] = advice;
    rec.action[row] = action;
    rec.intended[row] = intended;
    this.open[i] = true;
    this.followed = advised ? teacher : i;
    return action;
  }

  /** Whom the student of the last decide() followed. */
  followed = -1;

  /** Completes the step's record with its outcome; ends student i's Phase I after phaseLength steps. */
  record(i: number, nextObs: Float32Array, reward: number, terminated: boolean): void {
    if (!this.open[i]) return;
    this.open[i] = false;
    const rec = this.records[i];
    const row = rec.count;
    PhaseRecords.writeRow(rec.nextObs, row, nextObs);
    rec.reward[row] = reward;
    rec.terminated[row] = terminated ? 1 : 0;
    const obs = PhaseRecords.copyRow(rec.obs, row, this.obsDim, this.rowObs);
    this.values(i, obs, rec.action[row], nextObs, reward, terminated);
    rec.qBefore[row] = this.qa;
    rec.vBefore[row] = this.v;
    rec.tdBefore[row] = this.td;
    this.studentObservation(i, nextObs, this.sNext);
    PhaseRecords.writeRow(rec.studentNext, row, this.sNext);
    if (rec.advice[row] >= 0) {
      this.teacherObservation(i, rec.teacher[row], nextObs, this.tNext);
      PhaseRecords.writeRow(rec.teacherNext, row, this.tNext);
    }
    rec.count += 1;
    if (rec.count >= this.settings.phaseLength) this.endPhase(i);
  }

  private readonly outcome: { -readonly [K in keyof AdviceOutcome]: AdviceOutcome[K] } = {
    qBefore: 0,
    qAfter: 0,
    vBefore: 0,
    vAfter: 0,
    qAdvisedAfter: 0,
    qIntendedAfter: 0,
    tdBefore: 0,
    tdAfter: 0,
    advised: false,
  };

  // Results of values(): Q(o, a), max_a Q(o, .) and the TD error (fields, so that nothing is allocated).
  private qa = 0;
  private v = 0;
  private td = 0;

  /** Q(o, a), max_a Q(o, .) and the TD error of student i's current task-level values, into qa, v, td. */
  private values(
    i: number,
    obs: Float32Array,
    action: number,
    nextObs: Float32Array,
    reward: number,
    terminated: boolean,
  ): void {
    const learner = this.learners[i];
    learner.qValues(nextObs, this.q2);
    const nextV = maxOf(this.q2, this.nActions);
    learner.qValues(obs, this.q);
    this.qa = this.q[action];
    this.v = maxOf(this.q, this.nActions);
    this.td = reward + (terminated ? 0 : this.taskGamma * nextV) - this.qa;
  }

  /** Phase II for student i: score the phase's records, train its student policy and the teachers it asked. */
  endPhase(i: number): void {
    const rec = this.records[i];
    const n = rec.count;
    rec.count = 0;
    if (n === 0) return;
    let gainSum = 0;
    const s = this.settings;
    const learner = this.learners[i];
    const sDim = this.sObs.length;
    const tDim = this.tObs.length;
    for (let row = 0; row < n; row++) {
      const obs = PhaseRecords.copyRow(rec.obs, row, this.obsDim, this.rowObs);
      const next = PhaseRecords.copyRow(rec.nextObs, row, this.obsDim, this.rowNext);
      this.values(i, obs, rec.action[row], next, rec.reward[row], rec.terminated[row] === 1);
      learner.qValues(obs, this.q);
      const advice = rec.advice[row];
      const outcome = this.outcome;
      outcome.qBefore = rec.qBefore[row];
      outcome.qAfter = this.qa;
      outcome.vBefore = rec.vBefore[row];
      outcome.vAfter = this.v;
      outcome.qAdvisedAfter = this.q[rec.action[row]];
      outcome.qIntendedAfter = this.q[rec.intended[row]];
      outcome.tdBefore = rec.tdBefore[row];
      outcome.tdAfter = this.td;
      outcome.advised = advice >= 0 && advice < this.nActions;
      gainSum += this.qa - rec.qBefore[row];
      const r = teachingReward(s.reward, outcome, s.threshold, this.previousGain[i]);
      this.learn(
        this.students[i],
        PhaseRecords.copyRow(rec.studentObs, row, sDim, this.sObs),
        rec.ask[row],
        r,
        PhaseRecords.copyRow(rec.studentNext, row, sDim, this.sNext),
      );
      if (advice >= 0) {
        const t = this.teachers[rec.teacher[row]];
        this.learn(
          t,
          PhaseRecords.copyRow(rec.teacherObs, row, tDim, this.tObs),
          advice,
          r,
          PhaseRecords.copyRow(rec.teacherNext, row, tDim, this.tNext),
        );
      }
    }
    this.previousGain[i] = gainSum / n;
  }

  /** One advising-level transition (never terminal: advising goes on) and one gradient step of that policy. */
  private learn(net: Dqn, obs: Float32Array, action: number, reward: number, next: Float32Array): void {
    net.observe(obs, next, action, reward, false, 0, 1);
    net.maybeTrain(net.config.trainFreq);
  }

  save(dir: (what: string) => string): LectrState {
    return {
      students: this.students.map((d, i) => d.save(dir(`lectr-student-${i}`), true)),
      teachers: this.teachers.map((d, i) => d.save(dir(`lectr-teacher-${i}`), true)),
      records: this.records.map((r) => r.getState()),
      previousGain: [...this.previousGain],
      random: this.random.getState(),
    };
  }

  load(dir: (what: string) => string, s: LectrState, decisions: number): void {
    this.students.forEach((d, i) => d.load(dir(`lectr-student-${i}`), s.students[i]));
    this.teachers.forEach((d, i) => d.load(dir(`lectr-teacher-${i}`), s.teachers[i]));
    this.records.forEach((r, i) => r.setState(s.records[i]));
    this.previousGain.splice(0, this.previousGain.length, ...s.previousGain);
    this.random.setState(s.random);
    this.decisions = decisions;
  }

  get decisionCount(): number {
    return this.decisions;
  }
}
