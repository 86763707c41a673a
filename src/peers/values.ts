/**
 * Combining the value mechanisms (Eq. 9 with the paper's footnote 7): each enabled term (critic, trust, agent
 * values) is divided by its own largest absolute value, so that each lies in [-1, 1], and the terms are summed.
 */

/** out[j] += v[j] / max_k |v[k]| (a term that is all zeros adds nothing, where the original would add NaN). */
export function addNormalized(v: ArrayLike<number>, n: number, out: Float64Array): void {
  let max = 0;
  for (let j = 0; j < n; j++) max = Math.max(max, Math.abs(v[j]));
  if (max === 0) return;
  for (let j = 0; j < n; j++) out[j] += v[j] / max;
}

/**
 * Moves values towards the mean target of the samples that followed each peer (Eq. 4 for trust, Eq. 7 for agent
 * values): v[j] += lr * (sums[j] / counts[j] - v[j]) for every j with samples; the others stay.
 */
export function moveTowardsMeanTargets(
  values: Float64Array,
  sums: Float64Array,
  counts: Float64Array,
  lr: number,
): void {
  for (let j = 0; j < values.length; j++) {
    if (counts[j] > 0) values[j] += lr * (sums[j] / counts[j] - values[j]);
  }
}
