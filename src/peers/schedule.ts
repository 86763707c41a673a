/**
 * When each peer acts. Two schedules:
 * - `roundRobin`, the original's: training is cut into epochs of max(minEpochLength, maxEpisodeSteps) steps; in
 *   each epoch every acting peer in turn runs a whole epoch while the others are frozen but answer its questions.
 *   An epoch is run as whole rollouts of trainFreq steps (SB3 finishes the rollout it is in), so its length is
 *   rounded up to a multiple of trainFreq. The number of epochs is steps // epoch length (before rounding); a
 *   budget shorter than one epoch runs as one epoch of that length.
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
  /** Steps of one peer in one epoch. */
  readonly epochLength: number;
  readonly epochs: number;
}

export function planEpochs(
  steps: number,
  minEpochLength: number,
  maxEpisodeSteps: number,
  trainFreq: number,
): EpochPlan {
  // A budget shorter than one epoch is one epoch of that budget (the original would train for zero epochs).
  const nominal = Math.min(Math.max(minEpochLength, maxEpisodeSteps), steps);
  return { epochLength: Math.ceil(nominal / trainFreq) * trainFreq, epochs: Math.floor(steps / nominal) };
}

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
