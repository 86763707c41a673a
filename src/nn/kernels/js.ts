/**
 * Portable TypeScript kernels: the reference the fast backends are tested against, and the fallback when neither
 * the native addon nor WebAssembly SIMD is available. Written for clarity first, with a 4-row register block in
 * the matrix product so that it is not needlessly slow.
 */
import { Activation, AdamScalar, type ActivationCode, type Kernels } from "./kernels.js";
import { arrayBufferMemory, Heap } from "./heap.js";

export class JsKernels implements Kernels {
  readonly name = "js";
  readonly variant = "scalar";
  readonly heap: Heap;
  readonly scalars = new Float64Array(8);
  /** op(B) copied row-major when B is transposed, so the inner loop always walks contiguous memory. */
  private packedB = new Float32Array(0);

  constructor(initialBytes = 1 << 22) {
    this.heap = new Heap(arrayBufferMemory(initialBytes));
  }

  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, beta: number): void {
    const f = this.heap.f32;
    if (beta === 0) for (let i = 0; i < m; i++) f.fill(0, c + i * ldc, c + i * ldc + n);
    // Row kk of op(B) starts at bRow(kk) in `bm` and is contiguous.
    let bm: Float32Array = f;
    let bBase = b;
    let bStride = ldb;
    if (transB) {
      if (this.packedB.length < k * n) this.packedB = new Float32Array(k * n);
      bm = this.packedB;
      for (let j = 0; j < n; j++) for (let kk = 0; kk < k; kk++) bm[kk * n + j] = f[b + j * ldb + kk];
      bBase = 0;
      bStride = n;
    }
    const ars = transA ? 1 : lda; // step between rows of op(A)
    const acs = transA ? lda : 1; // step between columns of op(A)
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const c0 = c + i * ldc;
      const c1 = c0 + ldc;
      const c2 = c1 + ldc;
      const c3 = c2 + ldc;
      for (let kk = 0; kk < k; kk++) {
        const ak = a + i * ars + kk * acs;
        const a0 = f[ak];
        const a1 = f[ak + ars];
        const a2 = f[ak + 2 * ars];
        const a3 = f[ak + 3 * ars];
        const br = bBase + kk * bStride;
        for (let j = 0; j < n; j++) {
          const bv = bm[br + j];
          f[c0 + j] += a0 * bv;
          f[c1 + j] += a1 * bv;
          f[c2 + j] += a2 * bv;
          f[c3 + j] += a3 * bv;
        }
      }
    }
    for (; i < m; i++) {
      const c0 = c + i * ldc;
      for (let kk = 0; kk < k; kk++) {
        const a0 = f[a + i * ars + kk * acs];
        const br = bBase + kk * bStride;
        for (let j = 0; j < n; j++) f[c0 + j] += a0 * bm[br + j];
      }
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
