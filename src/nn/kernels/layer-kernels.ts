/**
 * The readable definitions of the fused layer kernels (Kernels.linearForward and linearBackwardInput) in terms of
 * the basic ones. The js and wasm backends run exactly these; the native backend fuses them, and its tests compare
 * the fused result with these to the bit.
 */
import type { ActivationCode, Kernels } from "./kernels.js";

/** Y = X W^T, then Y = act(Y + bias). */
export function linearForwardUnfused(
  k: Kernels,
  rows: number,
  outSize: number,
  inSize: number,
  x: number,
  ldx: number,
  w: number,
  bias: number,
  y: number,
  act: ActivationCode,
): void {
  k.gemm(false, true, rows, outSize, inSize, x, ldx, w, inSize, y, outSize, 0);
  k.biasAct(y, bias, rows, outSize, act);
}

/** D = G W; D *= act'(yBelow); db = beta db + column sums of D (when db >= 0). */
export function linearBackwardInputUnfused(
  k: Kernels,
  rows: number,
  outSize: number,
  inSize: number,
  g: number,
  w: number,
  d: number,
  yBelow: number,
  act: ActivationCode,
  db: number,
  beta: number,
): void {
  k.gemm(false, false, rows, inSize, outSize, g, outSize, w, inSize, d, inSize, 0);
  k.actBackward(d, yBelow, rows * inSize, act);
  if (db >= 0) k.sumRows(d, rows, inSize, db, beta);
}
