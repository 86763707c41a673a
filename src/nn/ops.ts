/** Whole-block operations on networks: gradient-norm clipping and Polyak averaging. */
import type { Tensor } from "./kernels/heap.js";
import type { Kernels } from "./kernels/kernels.js";

/** Global L2 norm of a gradient block. */
export function gradNorm(kernels: Kernels, grads: Tensor): number {
  kernels.sumSquares(grads.offset, grads.length);
  return Math.sqrt(kernels.scalars[0]);
}

/**
 * Scales `grads` so that their global L2 norm is at most maxNorm, as torch.nn.utils.clip_grad_norm_ does
 * (coefficient maxNorm / (norm + 1e-6), applied only when below 1). Returns nothing: a returned double would be
 * boxed when the call is not inlined, and this runs on every gradient step.
 */
export function clipGradNorm(kernels: Kernels, grads: Tensor, maxNorm: number): void {
  kernels.sumSquares(grads.offset, grads.length);
  const coef = maxNorm / (Math.sqrt(kernels.scalars[0]) + 1e-6);
  if (coef < 1) {
    kernels.scalars[0] = coef;
    kernels.scale(grads.offset, grads.length);
  }
}

/** target = (1 - tau) target + tau source over whole parameter blocks (SB3's polyak_update). */
export function polyakUpdate(kernels: Kernels, target: Tensor, source: Tensor, tau: number): void {
  if (target.length !== source.length) throw new RangeError("polyakUpdate: blocks differ in length");
  kernels.scalars[0] = tau;
  kernels.polyak(target.offset, source.offset, target.length);
}
