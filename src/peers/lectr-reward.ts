/**
 * LeCTR's teaching rewards (Omidshafiei et al., AAAI 2019, "Learning to Teach in Cooperative Multiagent
 * Reinforcement Learning"): the advising-level reward of a piece of advice is a measure of the student's learning
 * progress on the advised experience, taken after the student's task-level learning phase (Phase I). Student and
 * teacher share it. The paper compares six; it recommends VEG, our default.
 *
 *   VEG  value estimation gain: 1 when the student's value estimate of the experienced (o, a) now exceeds a threshold
 *        tau, else 0.
 *   JVG  joint value gain: the student's V(o) = max_a Q(o, a) after learning minus before.
 *   QTR  Q-teaching reward: the student's Q(o, advised action) minus Q(o, the action it intended), after learning
 *        (0 when no action was advised).
 *   LG   learning gain: the student's Q(o, a) after learning minus before.
 *   LGG  learning gain gradient: this LG minus the student's mean LG of the previous phase (how the gain changes).
 *   TDG  TD gain: the reduction of the student's absolute TD error on the transition, |delta_before| - |delta_after|.
 *
 * The paper states them for its tabular/deep task learners; the formulas here are our reading of its definitions,
 * with one value each: see the LeCTR notes in docs/peer-learning.md for what we had to choose.
 */

export const TEACHING_REWARDS = ["veg", "jvg", "qtr", "lg", "lgg", "tdg"] as const;
export type TeachingReward = (typeof TEACHING_REWARDS)[number];

/** What the student's task-level values said about one experienced transition, at recording and after learning. */
export interface AdviceOutcome {
  /** Q(o, a) of the executed action a, when the step was taken and after the learning phase. */
  readonly qBefore: number;
  readonly qAfter: number;
  /** max_a Q(o, a), before and after. */
  readonly vBefore: number;
  readonly vAfter: number;
  /** After learning: Q(o, advised action) and Q(o, intended action); equal when nothing was advised. */
  readonly qAdvisedAfter: number;
  readonly qIntendedAfter: number;
  /** TD error r + gamma (1 - terminated) max Q(o') - Q(o, a), before and after. */
  readonly tdBefore: number;
  readonly tdAfter: number;
  readonly advised: boolean;
}

export function teachingReward(
  kind: TeachingReward,
  x: AdviceOutcome,
  threshold: number,
  previousMeanGain: number,
): number {
  switch (kind) {
    case "veg":
      return x.qAfter > threshold ? 1 : 0;
    case "jvg":
      return x.vAfter - x.vBefore;
    case "qtr":
      return x.advised ? x.qAdvisedAfter - x.qIntendedAfter : 0;
    case "lg":
      return x.qAfter - x.qBefore;
    case "lgg":
      return x.qAfter - x.qBefore - previousMeanGain;
    case "tdg":
      return Math.abs(x.tdBefore) - Math.abs(x.tdAfter);
  }
}
