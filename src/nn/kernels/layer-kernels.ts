/**
 * The readable definitions of the fused layer kernels (Kernels.linearForward and linearBackwardInput) in terms of
 * the basic ones. The js and wasm backends run exactly these (UnfusedLayerKernels); the native backend fuses them,
 * and the tests compare the fused result with these to the bit.
 */
import type { ActivationCode, Kernels } from "./kernels.js";

/** The kernels the definitions are written in. */
type BasicKernels = Pick<Kernels, "gemm" | "biasAct" | "actBackward" | "sumRows">;

/** Y = X W^T, then Y = act(Y + bias). */
export function linearForwardUnfused(
  k: BasicKernels,
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
  k: BasicKernels,
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

/** A backend that runs the layer kernels as their definitions (js, wasm): its basic kernels, one after another. */
export abstract class UnfusedLayerKernels implements BasicKernels {
  abstract gemm(...args: Parameters<Kernels["gemm"]>): void;
  abstract biasAct(...args: Parameters<Kernels["biasAct"]>): void;
  abstract actBackward(...args: Parameters<Kernels["actBackward"]>): void;
  abstract sumRows(...args: Parameters<Kernels["sumRows"]>): void;

  linearForward(
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
    linearForwardUnfused(this, rows, outSize, inSize, x, ldx, w, bias, y, act);
  }

  linearBackwardInput(
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
    linearBackwardInputUnfused(this, rows, outSize, inSize, g, w, d, yBelow, act, db, beta);
  }
}
