/**
 * Portable TypeScript kernels: the reference the fast backends are tested against, and the fallback when neither
 * the native addon nor WebAssembly SIMD is available. Written for clarity first; the matrix product packs its
 * operands and computes 4 x 4 blocks in registers so that it is not needlessly slow.
 */
import { Activation, AdamScalar, type ActivationCode, type Kernels } from "./kernels.js";
import { arrayBufferMemory, Heap } from "./heap.js";
import { UnfusedLayerKernels } from "./layer-kernels.js";

export class JsKernels extends UnfusedLayerKernels implements Kernels {
  readonly name = "js";
  readonly variant = "scalar";
  readonly heap: Heap;
  readonly scalars = new Float64Array(8);
  /** Packed copies of the operands (see gemm), grown on demand and reused. */
  private packedA = new Float32Array(0);
  private packedB = new Float32Array(0);

  constructor(initialBytes = 1 << 22) {
    super();
    this.heap = new Heap(arrayBufferMemory(initialBytes));
  }

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
  ): void {
    const f = this.heap.f32;
    // Pack op(A) into panels of 4 rows and op(B) into panels of 4 columns, k-major and zero-padded, so that the
    // 4 x 4 block below reads both operands contiguously whatever the transposes.
    const mp = Math.ceil(m / 4) * 4;
    const np = Math.ceil(n / 4) * 4;
    if (this.packedA.length < mp * k) this.packedA = new Float32Array(mp * k);
    if (this.packedB.length < np * k) this.packedB = new Float32Array(np * k);
    const pa = this.packedA;
    const pb = this.packedB;
    const ars = transA ? 1 : lda; // step between rows of op(A)
    const acs = transA ? lda : 1; // step between columns of op(A)
    const brs = transB ? 1 : ldb; // step between rows of op(B)
    const bcs = transB ? ldb : 1; // step between columns of op(B)
    for (let i = 0; i < mp; i++) {
      const base = (i >> 2) * 4 * k + (i & 3);
      for (let p = 0; p < k; p++) pa[base + 4 * p] = i < m ? f[a + i * ars + p * acs] : 0;
    }
    for (let j = 0; j < np; j++) {
      const base = (j >> 2) * 4 * k + (j & 3);
      for (let p = 0; p < k; p++) pb[base + 4 * p] = j < n ? f[b + p * brs + j * bcs] : 0;
    }
    for (let i0 = 0; i0 < m; i0 += 4) {
      const ap = (i0 >> 2) * 4 * k;
      for (let j0 = 0; j0 < n; j0 += 4) {
        const bp = (j0 >> 2) * 4 * k;
        // Sixteen accumulators in locals: the JIT keeps them in registers.
        let c00 = 0,
          c01 = 0,
          c02 = 0,
          c03 = 0,
          c10 = 0,
          c11 = 0,
          c12 = 0,
          c13 = 0;
        let c20 = 0,
          c21 = 0,
          c22 = 0,
          c23 = 0,
          c30 = 0,
          c31 = 0,
          c32 = 0,
          c33 = 0;
        for (let p = 0; p < k; p++) {
          const x = ap + 4 * p;
          const y = bp + 4 * p;
          const a0 = pa[x],
            a1 = pa[x + 1],
            a2 = pa[x + 2],
            a3 = pa[x + 3];
          const b0 = pb[y],
            b1 = pb[y + 1],
            b2 = pb[y + 2],
            b3 = pb[y + 3];
          c00 += a0 * b0;
          c01 += a0 * b1;
          c02 += a0 * b2;
          c03 += a0 * b3;
          c10 += a1 * b0;
          c11 += a1 * b1;
          c12 += a1 * b2;
          c13 += a1 * b3;
          c20 += a2 * b0;
          c21 += a2 * b1;
          c22 += a2 * b2;
          c23 += a2 * b3;
          c30 += a3 * b0;
          c31 += a3 * b1;
          c32 += a3 * b2;
          c33 += a3 * b3;
        }
        this.store(f, c, ldc, i0, j0, m, n, beta, c00, c01, c02, c03, 0);
        this.store(f, c, ldc, i0, j0, m, n, beta, c10, c11, c12, c13, 1);
        this.store(f, c, ldc, i0, j0, m, n, beta, c20, c21, c22, c23, 2);
        this.store(f, c, ldc, i0, j0, m, n, beta, c30, c31, c32, c33, 3);
      }
    }
  }

  /** Writes (or adds, with beta 1) row r of a 4 x 4 block, clipped to the m x n matrix. */
  private store(
    f: Float32Array,
    c: number,
    ldc: number,
    i0: number,
    j0: number,
    m: number,
    n: number,
    beta: number,
    v0: number,
    v1: number,
    v2: number,
    v3: number,
    r: number,
  ): void {
    const i = i0 + r;
    if (i >= m) return;
    const row = c + i * ldc + j0;
    const w = n - j0;
    if (beta === 0) {
      f[row] = v0;
      if (w > 1) f[row + 1] = v1;
      if (w > 2) f[row + 2] = v2;
      if (w > 3) f[row + 3] = v3;
    } else {
      f[row] += v0;
      if (w > 1) f[row + 1] += v1;
      if (w > 2) f[row + 2] += v2;
      if (w > 3) f[row + 3] += v3;
    }
  }

  biasAct(y: number, bias: number, rows: number, cols: number, act: ActivationCode): void {
    const f = this.heap.f32;
    for (let r = 0; r < rows; r++) {
      const row = y + r * cols;
      for (let j = 0; j < cols; j++) {
        const z = f[row + j] + f[bias + j];
        f[row + j] = act === Activation.relu ? (z > 0 ? z : 0) : act === Activation.tanh ? Math.tanh(z) : z;
      }
    }
  }

  actBackward(grad: number, y: number, n: number, act: ActivationCode): void {
    const f = this.heap.f32;
    if (act === Activation.relu) {
      for (let i = 0; i < n; i++) if (!(f[y + i] > 0)) f[grad + i] = 0;
    } else if (act === Activation.tanh) {
      for (let i = 0; i < n; i++) f[grad + i] *= 1 - f[y + i] * f[y + i];
    }
  }

  sumRows(src: number, rows: number, cols: number, dst: number, beta: number): void {
    const f = this.heap.f32;
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += f[src + r * cols + j];
      f[dst + j] = beta * f[dst + j] + s;
    }
  }

  adam(p: number, g: number, m: number, v: number, n: number): void {
    const f = this.heap.f32;
    const s = this.scalars;
    const b1 = s[AdamScalar.beta1];
    const b2 = s[AdamScalar.beta2];
    const eps = s[AdamScalar.eps];
    const stepSize = s[AdamScalar.stepSize];
    const bc2Sqrt = s[AdamScalar.bc2Sqrt];
    for (let i = 0; i < n; i++) {
      const gi = f[g + i];
      const mi = (f[m + i] = b1 * f[m + i] + (1 - b1) * gi);
      const vi = (f[v + i] = b2 * f[v + i] + (1 - b2) * gi * gi);
      f[p + i] -= (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
    }
  }

  polyak(target: number, source: number, n: number): void {
    const f = this.heap.f32;
    const tau = this.scalars[0];
    for (let i = 0; i < n; i++) f[target + i] = (1 - tau) * f[target + i] + tau * f[source + i];
  }

  scale(x: number, n: number): void {
    const f = this.heap.f32;
    const s = this.scalars[0];
    for (let i = 0; i < n; i++) f[x + i] *= s;
  }

  sumSquares(x: number, n: number): void {
    const f = this.heap.f32;
    let s = 0;
    for (let i = 0; i < n; i++) s += f[x + i] * f[x + i];
    this.scalars[0] = s;
  }
}
