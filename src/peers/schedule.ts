/**
 * When each peer acts. Two schedules:
 * - `roundRobin`, the original's: training is cut into epochs of max(minEpochLength, maxEpisodeSteps) steps; in
 *   each epoch every acting peer in turn runs a whole epoch while the others are frozen but answer its questions.
 *   An epoch is run as whole rollouts of trainFreq steps (SB3 finishes the rollout it is in), so its length is
 *   rounded up to a multiple of trainFreq; the last epoch is what is left of the budget, so that every acting
 *   peer takes exactly `steps` env steps.
 * - `lockstep`, the paper's definition of concurrent training: all peers step together, one env step each in turn.
 *
 * Solo epochs: after `maxPeerEpochs` peer epochs (the Early Advising budget) peers train alone; `switchRatio`
 * alternates solo and peer epochs (k > 1: every (k+1)-th epoch index i % (k+1) == 1 is solo; 0 < k < 1: the
 * reverse). The original sets its solo flag and never clears it, so after the first solo epoch all later ones are
 * solo too; no published run used a switch ratio, and this is the intended alternation.
 */

export const SCHEDULES = ["roundRobin", "lockstep"] as const;
export type ScheduleKind = (typeof SCHEDULES)[number];

export interface EpochPlan {
  /** Steps of one peer in a full epoch (a whole number of rollouts). */
  readonly epochLength: number;
  readonly epochs: number;
  /** Steps of one peer in the last epoch: what is left of the budget (at most epochLength). */
  readonly lastEpochLength: number;
}

/**
 * The budget is exactly `steps` env steps per acting peer: epochs of max(minEpochLength, maxEpisodeSteps) steps
 * rounded up to whole rollouts of trainFreq, and a last epoch of what is left (the original ran whole epochs only,
 * overshooting a budget that is not a multiple of the rounded length: 1.04M steps for Early Advising's 1M).
 */
export function planEpochs(
  steps: number,
  minEpochLength: number,
  maxEpisodeSteps: number,
  trainFreq: number,
): EpochPlan {
  const nominal = Math.min(Math.max(minEpochLength, maxEpisodeSteps), steps);
  const epochLength = Math.ceil(nominal / trainFreq) * trainFreq;
  const epochs = Math.ceil(steps / epochLength);
  return { epochLength, epochs, lastEpochLength: steps - (epochs - 1) * epochLength };
}

/** Steps of one peer in epoch `e` of `plan`. */
export const epochSteps = (plan: EpochPlan, e: number): number =>
  e === plan.epochs - 1 ? plan.lastEpochLength : plan.epochLength;

/** Decides, epoch by epoch, whether peers learn with advice or alone. */
export class SoloEpochs {
  private peerEpochs = 0;

  constructor(
    private readonly switchRatio: number,
    private readonly maxPeerEpochs: number,
  ) {}

  /** Whether epoch `i` (0-based, called once per epoch in order) is solo. */
  isSolo(i: number): boolean {
    if (this.peerEpochs >= this.maxPeerEpochs) return true;
    const boostSingle = this.switchRatio > 0 && this.switchRatio < 1;
    const ratio = boostSingle ? 1 / this.switchRatio : this.switchRatio;
    const solo = ratio > 0 && (i % (1 + ratio) === 1) !== boostSingle;
    if (!solo) this.peerEpochs += 1;
    return solo;
  }

  getState(): number {
    return this.peerEpochs;
  }

  setState(peerEpochs: number): void {
    this.peerEpochs = peerEpochs;
  }
}
