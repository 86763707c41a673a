/**
 * Regression losses with mean reduction, returning the loss and writing dLoss/dPrediction. They run over one value
 * per batch row (a few hundred floats), so plain TypeScript is as fast as a kernel call would be.
 * Rows are read and written with a stride, so a column of a wider matrix can be used in place.
 */

/** Smooth L1 (Huber) loss with beta = 1, as torch.nn.functional.smooth_l1_loss (DQN's loss). */
export function huberLoss(
  pred: Float32Array,
  target: Float32Array,
  n: number,
  grad: Float32Array,
  predStride = 1,
  gradStride = 1,
): number {
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const d = pred[i * predStride] - target[i];
    const ad = Math.abs(d);
    loss += ad < 1 ? 0.5 * d * d : ad - 0.5;
    grad[i * gradStride] = (ad < 1 ? d : Math.sign(d)) / n;
  }
  return loss / n;
}

/** Mean squared error, as torch.nn.functional.mse_loss; `scale` multiplies loss and gradient (SAC uses 0.5). */
export function mseLoss(
  pred: Float32Array,
  target: Float32Array,
  n: number,
  grad: Float32Array,
  scale = 1,
  predStride = 1,
  gradStride = 1,
): number {
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const d = pred[i * predStride] - target[i];
    loss += d * d;
    grad[i * gradStride] = (2 * scale * d) / n;
  }
  return (scale * loss) / n;
}
