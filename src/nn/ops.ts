/** Whole-block operations on networks: gradient-norm clipping and Polyak averaging. */
import type { Tensor } from "./kernels/heap.js";
import type { Kernels } from "./kernels/kernels.js";

/**
 * Scales `grads` so that their global L2 norm is at most maxNorm, as torch.nn.utils.clip_grad_norm_ does
 * (coefficient maxNorm / (norm + 1e-6), applied only when below 1). Returns the norm before clipping.
 */
export function clipGradNorm(kernels: Kernels, grads: Tensor, maxNorm: number): number {
  const norm = Math.sqrt(kernels.sumSquares(grads.offset, grads.length));
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) kernels.scale(grads.offset, grads.length, coef);
  return norm;
}

/** target = (1 - tau) target + tau source over whole parameter blocks (SB3's polyak_update). */
export function polyakUpdate(kernels: Kernels, target: Tensor, source: Tensor, tau: number): void {
  if (target.length !== source.length) throw new RangeError("polyakUpdate: blocks differ in length");
  kernels.polyak(target.offset, source.offset, target.length, tau);
}
