/**
 * Regression losses with mean reduction: one function for the gradient (the hot path: it returns nothing, since
 * returning a double from a call that is not inlined allocates) and one for the value (for logging; addMseLoss sums
 * it into a cell, for steps that keep it). They run over one value per batch row (a few hundred floats), so plain
 * TypeScript is as fast as a kernel call would be. Rows are read and written with a stride, so a column of a wider
 * matrix can be used in place.
 */

/** Smooth L1 (Huber) loss with beta = 1, as torch.nn.functional.smooth_l1_loss (DQN's loss). */
export function huberLoss(pred: Float32Array, target: Float32Array, n: number, predStride = 1): number {
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const ad = Math.abs(pred[i * predStride] - target[i]);
    loss += ad < 1 ? 0.5 * ad * ad : ad - 0.5;
  }
  return loss / n;
}

/** d(huberLoss)/d(pred): clamp(pred - target, -1, 1) / n. */
export function huberGrad(
  pred: Float32Array,
  target: Float32Array,
  n: number,
  grad: Float32Array,
  predStride = 1,
  gradStride = 1,
): void {
  for (let i = 0; i < n; i++) {
    const d = pred[i * predStride] - target[i];
    grad[i * gradStride] = (d > 1 ? 1 : d < -1 ? -1 : d) / n;
  }
}

const lossScratch = new Float64Array(1);

/** Mean squared error, as torch.nn.functional.mse_loss, times `scale` (SAC uses 0.5 per critic). */
export function mseLoss(pred: Float32Array, target: Float32Array, n: number, scale = 1, predStride = 1): number {
  lossScratch[0] = 0;
  addMseLoss(pred, target, n, lossScratch, 0, scale, predStride);
  return lossScratch[0];
}

/** into[at] += mseLoss(...): for the hot path, where the returned double would allocate (see the file comment). */
export function addMseLoss(
  pred: Float32Array,
  target: Float32Array,
  n: number,
  into: Float64Array,
  at: number,
  scale = 1,
  predStride = 1,
): void {
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const d = pred[i * predStride] - target[i];
    loss += d * d;
  }
  into[at] += (scale * loss) / n;
}

/** d(mseLoss)/d(pred): 2 scale (pred - target) / n. */
export function mseGrad(
  pred: Float32Array,
  target: Float32Array,
  n: number,
  grad: Float32Array,
  scale = 1,
  predStride = 1,
  gradStride = 1,
): void {
  for (let i = 0; i < n; i++) grad[i * gradStride] = (2 * scale * (pred[i * predStride] - target[i])) / n;
}
