/** Whole-block operations on networks: gradient-norm clipping and Polyak averaging. */
import type { Tensor } from "./kernels/heap.js";
import type { Kernels } from "./kernels/kernels.js";

/** Global L2 norm of a gradient block. */
export function gradNorm(kernels: Kernels, grads: Tensor): number {
  kernels.sumSquares(grads.offset, grads.length);
  return Math.sqrt(kernels.scalars[0]);
}

/**
 * Scales a gradient block so that its global L2 norm is at most maxNorm, as torch.nn.utils.clip_grad_norm_ does
 * (coefficient maxNorm / (norm + 1e-6), applied only when below 1). A small object rather than a function of
 * (grads, maxNorm): the engine boxes a double passed to a call it does not inline, and this runs on every step.
 */
export class GradClipper {
  constructor(
    private readonly kernels: Kernels,
    private readonly grads: Tensor,
    private readonly maxNorm: number,
  ) {}

  apply(): void {
    const k = this.kernels;
    k.sumSquares(this.grads.offset, this.grads.length);
    const coef = this.maxNorm / (Math.sqrt(k.scalars[0]) + 1e-6);
    if (coef < 1) {
      k.scalars[0] = coef;
      k.scale(this.grads.offset, this.grads.length);
    }
  }
}

/** clip_grad_norm_ in one call, for code off the hot path (see GradClipper). */
export function clipGradNorm(kernels: Kernels, grads: Tensor, maxNorm: number): void {
  new GradClipper(kernels, grads, maxNorm).apply();
}

/** target = (1 - tau) target + tau source over whole parameter blocks (SB3's polyak_update). */
export function polyakUpdate(kernels: Kernels, target: Tensor, source: Tensor, tau: number): void {
  new PolyakUpdater(kernels, target, source, tau).apply();
}

/** polyakUpdate made once, for every step: tau is read from the object, not passed (a boxed double, as above). */
export class PolyakUpdater {
  constructor(
    private readonly kernels: Kernels,
    private readonly target: Tensor,
    private readonly source: Tensor,
    private readonly tau: number,
  ) {
    if (target.length !== source.length) throw new RangeError("polyakUpdate: blocks differ in length");
  }

  apply(): void {
    this.kernels.scalars[0] = this.tau;
    this.kernels.polyak(this.target.offset, this.source.offset, this.target.length);
  }
}

/**
 * The name of the first block holding a NaN or an infinity, or null (a sum of squares is finite only when every
 * element is). One kernel call per block: cheap enough to run after every training round. Agents make their list
 * once and loop by index: a list or an iterator per round would allocate.
 */
export function firstNonFinite(kernels: Kernels, blocks: readonly (readonly [string, Tensor])[]): string | null {
  for (let i = 0; i < blocks.length; i++) {
    const t = blocks[i][1];
    kernels.sumSquares(t.offset, t.length);
    if (!Number.isFinite(kernels.scalars[0])) return blocks[i][0];
  }
  return null;
}
