// peerlearn's WebAssembly SIMD kernels (128-bit vectors). Built by wasm/build.sh into wasm/kernels.wasm (plain
// SIMD) and wasm/kernels-relaxed.wasm (relaxed-SIMD fused multiply-add), both committed, so that installing the
// package needs no compiler. The readable reference for every kernel is src/nn/kernels/js.ts.
//
// Every pointer argument is an offset in floats into the module's own memory; the JavaScript side allocates from
// __heap_base upwards.
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

#ifdef RELAXED
#define MADD(a, b, c) wasm_f32x4_relaxed_madd((a), (b), (c))
#else
#define MADD(a, b, c) wasm_f32x4_add(wasm_f32x4_mul((a), (b)), (c))
#endif

#define KC 256
#define NR 8  // two vectors
#define MR 4  // 4 x 8 tile = 8 accumulators: fits the 16 vector registers that engines map WebAssembly onto

static float packed_b[KC * NR] __attribute__((aligned(16)));

// Scalar arguments and results pass through this block (see src/nn/kernels/wasm.ts for why).
static double args[8];
EXPORT("argsAddress")
double* args_address(void) { return args; }

static inline float* F(int off) { return (float*)((__UINTPTR_TYPE__)(unsigned)off * 4u); }

static void pack_b(int tb, const float* b, int ldb, int p0, int kc, int j0, int nvalid) {
  for (int p = 0; p < kc; p++)
    for (int j = 0; j < NR; j++)
      packed_b[p * NR + j] =
          j < nvalid ? (tb ? b[(long)(j0 + j) * ldb + p0 + p] : b[(long)(p0 + p) * ldb + j0 + j]) : 0.0f;
}

// One MR x NR tile (rows < MR at the bottom edge are handled by `mr`).
static void micro(int mr, int kc, const float* a, long rsa, long csa, float* c, int ldc, int nvalid, int accumulate) {
  v128_t c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  const float* a0 = a;
  const float* a1 = a + (mr > 1 ? rsa : 0);
  const float* a2 = a + (mr > 2 ? 2 * rsa : 0);
  const float* a3 = a + (mr > 3 ? 3 * rsa : 0);
  for (int p = 0; p < kc; p++) {
    const v128_t b0 = wasm_v128_load(packed_b + p * NR);
    const v128_t b1 = wasm_v128_load(packed_b + p * NR + 4);
    const long q = p * csa;
    v128_t s = wasm_f32x4_splat(a0[q]);
    c00 = MADD(s, b0, c00);
    c01 = MADD(s, b1, c01);
    s = wasm_f32x4_splat(a1[q]);
    c10 = MADD(s, b0, c10);
    c11 = MADD(s, b1, c11);
    s = wasm_f32x4_splat(a2[q]);
    c20 = MADD(s, b0, c20);
    c21 = MADD(s, b1, c21);
    s = wasm_f32x4_splat(a3[q]);
    c30 = MADD(s, b0, c30);
    c31 = MADD(s, b1, c31);
  }
  float tile[MR * NR] __attribute__((aligned(16)));
  wasm_v128_store(tile + 0, c00);
  wasm_v128_store(tile + 4, c01);
  wasm_v128_store(tile + 8, c10);
  wasm_v128_store(tile + 12, c11);
  wasm_v128_store(tile + 16, c20);
  wasm_v128_store(tile + 20, c21);
  wasm_v128_store(tile + 24, c30);
  wasm_v128_store(tile + 28, c31);
  for (int i = 0; i < mr; i++) {
    float* ci = c + (long)i * ldc;
    const float* ti = tile + i * NR;
    if (nvalid == NR) {
      v128_t lo = wasm_v128_load(ti), hi = wasm_v128_load(ti + 4);
      if (accumulate) {
        lo = wasm_f32x4_add(lo, wasm_v128_load(ci));
        hi = wasm_f32x4_add(hi, wasm_v128_load(ci + 4));
      }
      wasm_v128_store(ci, lo);
      wasm_v128_store(ci + 4, hi);
    } else {
      for (int j = 0; j < nvalid; j++) ci[j] = accumulate ? ci[j] + ti[j] : ti[j];
    }
  }
}

EXPORT("gemm")
void gemm(int ta, int tb, int m, int n, int k, int a_off, int lda, int b_off, int ldb, int c_off, int ldc,
          float beta) {
  const float* a = F(a_off);
  const float* b = F(b_off);
  float* c = F(c_off);
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (beta == 0.0f)
      for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) c[(long)i * ldc + j] = 0.0f;
    return;
  }
  const long rsa = ta ? 1 : lda, csa = ta ? lda : 1;
  for (int p0 = 0; p0 < k; p0 += KC) {
    const int kc = k - p0 < KC ? k - p0 : KC;
    const int acc = beta != 0.0f || p0 > 0;
    for (int j0 = 0; j0 < n; j0 += NR) {
      const int nvalid = n - j0 < NR ? n - j0 : NR;
      pack_b(tb, b, ldb, p0, kc, j0, nvalid);
      for (int i0 = 0; i0 < m; i0 += MR) {
        const int mr = m - i0 < MR ? m - i0 : MR;
        micro(mr, kc, a + i0 * rsa + p0 * csa, rsa, csa, c + (long)i0 * ldc + j0, ldc, nvalid, acc);
      }
    }
  }
}

// Activation codes: 0 identity, 1 relu (tanh is done in JavaScript, which has Math.tanh).
EXPORT("biasAct")
void bias_act(int y_off, int bias_off, int rows, int cols, int act) {
  float* y = F(y_off);
  const float* bias = F(bias_off);
  for (int r = 0; r < rows; r++) {
    float* row = y + (long)r * cols;
    if (act == 1) {
      for (int j = 0; j < cols; j++) {
        const float z = row[j] + bias[j];
        row[j] = z > 0.0f ? z : 0.0f;
      }
    } else {
      for (int j = 0; j < cols; j++) row[j] += bias[j];
    }
  }
}

EXPORT("actBackward")
void act_backward(int grad_off, int y_off, int n, int act) {
  float* grad = F(grad_off);
  const float* y = F(y_off);
  if (act == 1) {
    for (int i = 0; i < n; i++) grad[i] = y[i] > 0.0f ? grad[i] : 0.0f;
  } else if (act == 2) {
    for (int i = 0; i < n; i++) grad[i] *= 1.0f - y[i] * y[i];
  }
}

EXPORT("sumRows")
void sum_rows(int src_off, int rows, int cols, int dst_off, float beta) {
  const float* src = F(src_off);
  float* dst = F(dst_off);
  for (int j = 0; j < cols; j++) dst[j] *= beta;
  for (int r = 0; r < rows; r++)
    for (int j = 0; j < cols; j++) dst[j] += src[(long)r * cols + j];
}

// args: b1, b2, eps, step size, sqrt(bias correction 2).
EXPORT("adam")
void adam(int p_off, int g_off, int m_off, int v_off, int n) {
  const float b1 = (float)args[0], b2 = (float)args[1], eps = (float)args[2], step_size = (float)args[3],
              bc2_sqrt = (float)args[4];
  float* p = F(p_off);
  const float* g = F(g_off);
  float* m = F(m_off);
  float* v = F(v_off);
  const float c1 = 1.0f - b1, c2 = 1.0f - b2;
  for (int i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = b1 * m[i] + c1 * gi;
    const float vi = b2 * v[i] + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= step_size * mi / (__builtin_sqrtf(vi) / bc2_sqrt + eps);
  }
}

// args: tau.
EXPORT("polyak")
void polyak(int t_off, int s_off, int n) {
  const float tau = (float)args[0];
  float* t = F(t_off);
  const float* s = F(s_off);
  const float keep = 1.0f - tau;
  for (int i = 0; i < n; i++) t[i] = keep * t[i] + tau * s[i];
}

// args: the factor.
EXPORT("scale")
void scale(int x_off, int n) {
  const float s = (float)args[0];
  float* x = F(x_off);
  for (int i = 0; i < n; i++) x[i] *= s;
}

// Result in args[0].
EXPORT("sumSquares")
void sum_squares(int x_off, int n) {
  const float* x = F(x_off);
  double acc0 = 0, acc1 = 0;
  int i = 0;
  for (; i + 2 <= n; i += 2) {
    acc0 += (double)x[i] * x[i];
    acc1 += (double)x[i + 1] * x[i + 1];
  }
  if (i < n) acc0 += (double)x[i] * x[i];
  args[0] = acc0 + acc1;
}
