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
 * Choices the LeCTR paper leaves open or the peer-learning setting forces (also in the README):
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
import { DQN_DEFAULTS, Dqn, type DqnConfig, type DqnState } from "../agents/dqn.js";
import { teachingReward, type AdviceOutcome, type TeachingReward } from "./lectr-reward.js";

export interface LectrSettings {
  reward: TeachingReward;
  /** VEG's threshold tau on the student's Q(o, a). */
  threshold: number;
  /** A student's env steps per Phase I. */
  phaseLength: number;
  netArch: number[];
  learningRate: number;
  batchSize: number;
  bufferSize: number;
  /** Advising-level discount. */
  gamma: number;
  /** Share of the run over which the advising policies' epsilon decays from 1 to explorationFinalEps. */
  explorationFraction: number;
  explorationFinalEps: number;
}

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
  readonly dqn: Dqn;
}

/** One advising decision of Phase I, with what Phase II needs to score it. */
interface AdviceRecord {
  studentObs: number[];
  studentNext: number[];
  ask: number;
  teacher: number;
  teacherObs: number[] | null;
  teacherNext: number[] | null;
  /** The teacher's choice (nActions = no advice), or -1 when the student did not ask. */
  advice: number;
  obs: number[];
  nextObs: number[];
  action: number;
  intended: number;
  reward: number;
  terminated: boolean;
  qBefore: number;
  vBefore: number;
  tdBefore: number;
}

export interface LectrState {
  students: DqnState[];
  teachers: DqnState[];
  pending: AdviceRecord[][];
  previousGain: number[];
  phaseSteps: number[];
  random: RandomState;
}

export class Lectr {
  readonly students: Dqn[];
  readonly teachers: Dqn[];
  private pending: AdviceRecord[][];
  private previousGain: number[];
  private phaseSteps: number[];
  private readonly q: Float32Array;
  private readonly q2: Float32Array;
  private readonly sObs: Float32Array;
  private readonly sNext: Float32Array;
  private readonly tObs: Float32Array;
  private readonly tNext: Float32Array;
  /** The record of the step in progress, per learner (filled by decide, completed by record). */
  private readonly current: (AdviceRecord | null)[];
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
    const n = learners.length;
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
    this.students = learners.map(() => new Dqn(kernels, obsDim + nActions, 2, config, random.fork()));
    this.teachers = learners.map(() => new Dqn(kernels, obsDim + 2 * nActions, nActions + 1, config, random.fork()));
    this.pending = learners.map(() => []);
    this.previousGain = new Array<number>(n).fill(0);
    this.phaseSteps = new Array<number>(n).fill(0);
    this.q = new Float32Array(nActions);
    this.q2 = new Float32Array(nActions);
    this.sObs = new Float32Array(obsDim + nActions);
    this.sNext = new Float32Array(obsDim + nActions);
    this.tObs = new Float32Array(obsDim + 2 * nActions);
    this.tNext = new Float32Array(obsDim + 2 * nActions);
    this.current = learners.map(() => null);
  }

  /** [o, Q_i(o, .)] into out. */
  studentObservation(i: number, obs: Float32Array, out: Float32Array): void {
    out.set(obs);
    this.learners[i].dqn.qValues(obs, this.q);
    out.set(this.q, this.obsDim);
  }

  /** [o_i, Q_i(o_i, .), Q_j(o_i, .)] into out. */
  teacherObservation(i: number, j: number, obs: Float32Array, out: Float32Array): void {
    this.studentObservation(i, obs, out);
    this.learners[j].dqn.qValues(obs, this.q2);
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
   * policy), the advice is executed. Returns the action and whom the student followed (itself or the teacher).
   */
  decide(i: number, obs: Float32Array, intended: number): { action: number; followed: number } {
    this.decisions += 1;
    this.studentObservation(i, obs, this.sObs);
    const ask = this.choose(this.students[i], this.sObs);
    let teacher = i;
    let advice = -1;
    let teacherObs: number[] | null = null;
    if (ask === 1 && this.learners.length > 1) {
      const others = this.learners.length - 1;
      teacher = this.random.integer(0, others);
      if (teacher >= i) teacher += 1;
      this.teacherObservation(i, teacher, obs, this.tObs);
      advice = this.choose(this.teachers[teacher], this.tObs);
      teacherObs = [...this.tObs];
    }
    const advised = advice >= 0 && advice < this.nActions;
    const action = advised ? advice : intended;
    this.current[i] = {
      studentObs: [...this.sObs],
      studentNext: [],
      ask,
      teacher,
      teacherObs,
      teacherNext: null,
      advice,
      obs: [...obs],
      nextObs: [],
      action,
      intended,
      reward: 0,
      terminated: false,
      qBefore: 0,
      vBefore: 0,
      tdBefore: 0,
    };
    return { action, followed: advised ? teacher : i };
  }

  /** Completes the step's record with its outcome; ends student i's Phase I after phaseLength steps. */
  record(i: number, nextObs: Float32Array, reward: number, terminated: boolean): void {
    const rec = this.current[i];
    if (!rec) return;
    this.current[i] = null;
    rec.nextObs = [...nextObs];
    rec.reward = reward;
    rec.terminated = terminated;
    const obs = Float32Array.from(rec.obs);
    [rec.qBefore, rec.vBefore, rec.tdBefore] = this.values(i, obs, rec.action, nextObs, reward, terminated);
    this.studentObservation(i, nextObs, this.sNext);
    rec.studentNext = [...this.sNext];
    if (rec.teacherObs) {
      this.teacherObservation(i, rec.teacher, nextObs, this.tNext);
      rec.teacherNext = [...this.tNext];
    }
    this.pending[i].push(rec);
    this.phaseSteps[i] += 1;
    if (this.phaseSteps[i] >= this.settings.phaseLength) this.endPhase(i);
  }

  /** Q(o, a), max_a Q(o, .) and the TD error of student i's current task-level values. */
  private values(i: number, obs: Float32Array, action: number, nextObs: Float32Array, reward: number, terminated: boolean): [number, number, number] {
    const dqn = this.learners[i].dqn;
    dqn.qValues(nextObs, this.q2);
    const nextV = Math.max(...this.q2);
    dqn.qValues(obs, this.q);
    const qa = this.q[action];
    return [qa, Math.max(...this.q), reward + (terminated ? 0 : this.taskGamma * nextV) - qa];
  }

  /** Phase II for student i: score the phase's records, train its student policy and the teachers it asked. */
  endPhase(i: number): void {
    const records = this.pending[i];
    this.pending[i] = [];
    this.phaseSteps[i] = 0;
    if (records.length === 0) return;
    let gainSum = 0;
    const s = this.settings;
    const dqn = this.learners[i].dqn;
    for (const rec of records) {
      const obs = Float32Array.from(rec.obs);
      const [qAfter, vAfter, tdAfter] = this.values(i, obs, rec.action, Float32Array.from(rec.nextObs), rec.reward, rec.terminated);
      dqn.qValues(obs, this.q);
      const advised = rec.advice >= 0 && rec.advice < this.nActions;
      const outcome: AdviceOutcome = { qBefore: rec.qBefore, qAfter, vBefore: rec.vBefore, vAfter, qAdvisedAfter: this.q[rec.action], qIntendedAfter: this.q[rec.intended], tdBefore: rec.tdBefore, tdAfter, advised };
      gainSum += qAfter - rec.qBefore;
      const r = teachingReward(s.reward, outcome, s.threshold, this.previousGain[i]);
      this.learn(this.students[i], rec.studentObs, rec.ask, r, rec.studentNext);
      if (rec.teacherObs && rec.teacherNext) this.learn(this.teachers[rec.teacher], rec.teacherObs, rec.advice, r, rec.teacherNext);
    }
    this.previousGain[i] = gainSum / records.length;
  }

  /** One advising-level transition (never terminal: advising goes on) and one gradient step of that policy. */
  private learn(net: Dqn, obs: number[], action: number, reward: number, next: number[]): void {
    net.observe(Float32Array.from(obs), Float32Array.from(next), action, reward, false, 0, 1);
    net.maybeTrain(net.config.trainFreq);
  }

  save(dir: (what: string) => string): LectrState {
    return {
      students: this.students.map((d, i) => d.save(dir(`lectr-student-${i}`), true)),
      teachers: this.teachers.map((d, i) => d.save(dir(`lectr-teacher-${i}`), true)),
      pending: this.pending,
      previousGain: [...this.previousGain],
      phaseSteps: [...this.phaseSteps],
      random: this.random.getState(),
    };
  }

  load(dir: (what: string) => string, s: LectrState, decisions: number): void {
    this.students.forEach((d, i) => d.load(dir(`lectr-student-${i}`), s.students[i]));
    this.teachers.forEach((d, i) => d.load(dir(`lectr-teacher-${i}`), s.teachers[i]));
    this.pending = s.pending;
    this.previousGain = [...s.previousGain];
    this.phaseSteps = [...s.phaseSteps];
    this.random.setState(s.random);
    this.decisions = decisions;
  }

  get decisionCount(): number {
    return this.decisions;
  }
}
