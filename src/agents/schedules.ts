/** Schedules of a quantity over training, as functions of SB3's progress_remaining (1 at the start, 0 at the end). */

/**
 * SB3's get_linear_fn: from `start` to `end` over the first `fraction` of training, then constant at `end`.
 */
export function linearSchedule(start: number, end: number, fraction: number): (progressRemaining: number) => number {
  return (progressRemaining) => {
    const progress = 1 - progressRemaining;
    return progress > fraction ? end : start + (progress * (end - start)) / fraction;
  };
}
