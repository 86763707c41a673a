/**
 * Adam with PyTorch's semantics (torch.optim.Adam, no weight decay, no amsgrad), the optimiser SB3 uses with
 * betas (0.9, 0.999) and eps 1e-8. One kernel call updates a whole parameter block.
 */
import type { Tensor } from "./kernels/heap.js";
import { AdamScalar, type Kernels } from "./kernels/kernels.js";

export interface AdamOptions {
  readonly lr: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
}

export interface AdamState {
  step: number;
  m: Float32Array;
  v: Float32Array;
}

export class Adam {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Number of steps taken (PyTorch's `state["step"]`), which drives the bias corrections. */
  step = 0;
  readonly m: Tensor;
  readonly v: Tensor;

  constructor(
    private readonly kernels: Kernels,
    /** The parameters and their gradients: two blocks of equal length on the same heap. */
    readonly params: Tensor,
    readonly grads: Tensor,
    options: AdamOptions,
  ) {
    if (params.length !== grads.length) throw new RangeError("Adam: parameter and gradient blocks differ in length");
    this.lr = options.lr;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.m = kernels.heap.alloc(params.length);
    this.v = kernels.heap.alloc(params.length);
  }

  /** p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps), as torch.optim.Adam computes it. */
  update(): void {
    this.step += 1;
    const s = this.kernels.scalars;
    s[AdamScalar.beta1] = this.beta1;
    s[AdamScalar.beta2] = this.beta2;
    s[AdamScalar.eps] = this.eps;
    s[AdamScalar.stepSize] = this.lr / (1 - this.beta1 ** this.step);
    s[AdamScalar.bc2Sqrt] = Math.sqrt(1 - this.beta2 ** this.step);
    this.kernels.adam(this.params.offset, this.grads.offset, this.m.offset, this.v.offset, this.params.length);
  }

  getState(): AdamState {
    return { step: this.step, m: this.m.data.slice(), v: this.v.data.slice() };
  }

  setState(state: AdamState): void {
    if (state.m.length !== this.m.length || state.v.length !== this.v.length) {
      throw new RangeError(`Adam state has ${state.m.length} moments, the optimiser ${this.m.length}`);
    }
    this.step = state.step;
    this.m.data.set(state.m);
    this.v.data.set(state.v);
  }
}
