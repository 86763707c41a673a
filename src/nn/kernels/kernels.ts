/**
 * The small set of numeric kernels the networks are built from. Every hot operation of a gradient update (matrix
 * products, bias + activation, activation backward, Adam, Polyak) goes through this interface, so a backend
 * (portable TypeScript, WebAssembly SIMD, native C++) can be swapped without touching the algorithms.
 *
 * All arguments that name data are offsets, counted in float32 elements, into the backend's `Heap`: kernels never
 * see JavaScript arrays, which keeps native and WebAssembly calls free of marshalling.
 *
 * Real-valued scalars (Adam's coefficients, tau, a scale factor) and real results go through `scalars`, a small
 * Float64Array, rather than as arguments or return values: the engine boxes a double that crosses a call it does not
 * inline, and a gradient update must not allocate. Integer arguments (sizes, offsets, 0/1 flags) cost nothing.
 */
import type { Heap } from "./heap.js";

export type BackendName = "native" | "wasm" | "js";
export const BACKEND_NAMES: readonly BackendName[] = ["native", "wasm", "js"];

/** Activation codes shared with the native and WebAssembly kernels. */
export const Activation = { identity: 0, relu: 1, tanh: 2 } as const;
export type ActivationCode = (typeof Activation)[keyof typeof Activation];
export type ActivationName = keyof typeof Activation;

export interface Kernels {
  readonly name: BackendName;
  /** Which instruction set the backend's kernels use (e.g. "avx512", "simd128+relaxed"), for reports. */
  readonly variant: string;
  readonly heap: Heap;
  /** Scalar arguments and results of adam, polyak, scale and sumSquares (see the file comment). */
  readonly scalars: Float64Array;

  /**
   * C = op(A) op(B) + beta C, row-major; op(A) is m x k, op(B) is k x n, C is m x n with row stride ldc.
   * transA: A is stored k x m (row stride lda) and op(A) = A^T; likewise transB. beta must be 0 or 1.
   */
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    beta: number,
  ): void;

  /**
   * One layer's forward pass: Y = act(X W^T + bias), X rows x inSize (row stride ldx), W [outSize, inSize], Y rows x
   * outSize. Defined as gemm(false, true, ...) then biasAct (linearForwardUnfused); a backend may fuse the two.
   */
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
  ): void;

  /**
   * The gradient into the layer below: D = G W (G rows x outSize, W [outSize, inSize], D rows x inSize), then
   * D *= act'(yBelow) (the lower layer's activation, in terms of its output) and, where db >= 0, db = beta db +
   * the column sums of D (the lower layer's bias gradient). Defined as gemm, actBackward and sumRows
   * (linearBackwardInputUnfused); a backend may fuse them.
   */
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
  ): void;

  /** y[r, c] = act(y[r, c] + bias[c]) for a rows x cols block. */
  biasAct(y: number, bias: number, rows: number, cols: number, act: ActivationCode): void;

  /** grad[i] *= act'(pre-activation), written in terms of the activation's output y (relu: y > 0; tanh: 1 - y^2). */
  actBackward(grad: number, y: number, n: number, act: ActivationCode): void;

  /** dst[c] = beta * dst[c] + sum_r src[r, c] (the bias gradient). */
  sumRows(src: number, rows: number, cols: number, dst: number, beta: number): void;

  /**
   * One Adam step with PyTorch's semantics on n parameters, with scalars = [b1, b2, eps, stepSize, bc2Sqrt]:
   * m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= stepSize * m / (sqrt(v) / bc2Sqrt + eps),
   * where stepSize = lr / (1 - b1^t) and bc2Sqrt = sqrt(1 - b2^t).
   */
  adam(p: number, g: number, m: number, v: number, n: number): void;

  /** target = (1 - tau) target + tau source, with tau = scalars[0]. */
  polyak(target: number, source: number, n: number): void;

  /** x *= s, with s = scalars[0]. */
  scale(x: number, n: number): void;

  /** scalars[0] = sum_i x[i]^2, accumulated in double precision. */
  sumSquares(x: number, n: number): void;
}

/** Slots of `Kernels.scalars` used by `adam`. */
export const AdamScalar = { beta1: 0, beta2: 1, eps: 2, stepSize: 3, bc2Sqrt: 4 } as const;
