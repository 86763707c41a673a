// See gemm.h. The readable reference for every kernel here is src/nn/kernels/js.ts; tests compare the two.
#include "gemm.h"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define PEERLEARN_X86 1
#include <immintrin.h>
#endif

namespace peerlearn {

namespace {

constexpr int KC = 256;        // rows of op(B) per packed panel: 256 x 32 floats = 32 KiB, fits L1
constexpr int NR_MAX = 32;     // widest micro-tile (AVX-512: two 16-float vectors)
alignas(64) thread_local float packed_b[KC * NR_MAX];

// Copies rows [p0, p0 + kc) and columns [j0, j0 + nvalid) of op(B) into packed_b as kc rows of nr floats,
// zero-padding the columns past nvalid so that the micro-kernel can always load whole vectors.
void pack_b(bool trans_b, const float* b, int ldb, int p0, int kc, int j0, int nvalid, int nr) {
  float* dst = packed_b;
  if (!trans_b) {
    for (int p = 0; p < kc; p++) {
      const float* src = b + static_cast<std::ptrdiff_t>(p0 + p) * ldb + j0;
      float* row = dst + p * nr;
      std::memcpy(row, src, sizeof(float) * nvalid);
      for (int j = nvalid; j < nr; j++) row[j] = 0.0f;
    }
  } else {
    for (int j = 0; j < nvalid; j++) {
      const float* src = b + static_cast<std::ptrdiff_t>(j0 + j) * ldb + p0;
      for (int p = 0; p < kc; p++) dst[p * nr + j] = src[p];
    }
    for (int j = nvalid; j < nr; j++)
      for (int p = 0; p < kc; p++) dst[p * nr + j] = 0.0f;
  }
}

// The blocking shared by the SIMD paths: panels of KC rows of op(B) packed NR columns at a time, each swept by
// micro-tiles of up to MR rows of op(A). Micro(mr, kc, a, lda, packed_b, c, ldc, nvalid, accumulate) computes one
// tile; TA selects how op(A) is addressed.
using MicroFn = void (*)(int, int, const float*, int, const float*, float*, int, int, bool);

template <int NR, int MR>
void gemm_blocked(MicroFn micro_n, MicroFn micro_t, bool ta, bool tb, int m, int n, int k, const float* a, int lda,
                  const float* b, int ldb, float* c, int ldc, float beta) {
  for (int p0 = 0; p0 < k; p0 += KC) {
    const int kc = k - p0 < KC ? k - p0 : KC;
    const bool acc = beta != 0.0f || p0 > 0;
    for (int j0 = 0; j0 < n; j0 += NR) {
      const int nvalid = n - j0 < NR ? n - j0 : NR;
      pack_b(tb, b, ldb, p0, kc, j0, nvalid, NR);
      for (int i0 = 0; i0 < m; i0 += MR) {
        const int mr = m - i0 < MR ? m - i0 : MR;
        float* ct = c + static_cast<std::ptrdiff_t>(i0) * ldc + j0;
        if (ta)
          micro_t(mr, kc, a + static_cast<std::ptrdiff_t>(p0) * lda + i0, lda, packed_b, ct, ldc, nvalid, acc);
        else
          micro_n(mr, kc, a + static_cast<std::ptrdiff_t>(i0) * lda + p0, lda, packed_b, ct, ldc, nvalid, acc);
      }
    }
  }
}

// ---- portable path ---------------------------------------------------------------------------------------------

void gemm_generic(bool ta, bool tb, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c,
                  int ldc, float beta) {
  const std::ptrdiff_t ars = ta ? 1 : lda, acs = ta ? lda : 1;
  for (int i = 0; i < m; i++) {
    float* ci = c + static_cast<std::ptrdiff_t>(i) * ldc;
    if (beta == 0.0f)
      for (int j = 0; j < n; j++) ci[j] = 0.0f;
    for (int p = 0; p < k; p++) {
      const float av = a[i * ars + p * acs];
      if (tb) {
        for (int j = 0; j < n; j++) ci[j] += av * b[static_cast<std::ptrdiff_t>(j) * ldb + p];
      } else {
        const float* bp = b + static_cast<std::ptrdiff_t>(p) * ldb;
        for (int j = 0; j < n; j++) ci[j] += av * bp[j];
      }
    }
  }
}

#ifdef PEERLEARN_X86

// ---- AVX-512: micro-tile MR x 32 (up to 12 x 32 = 24 accumulators) ---------------------------------------------

template <int MR, bool TA>
__attribute__((target("avx512f,fma"))) void micro_avx512(int kc, const float* a, int lda, const float* bp, float* c,
                                                          int ldc, int nvalid, bool accumulate) {
  __m512 acc0[MR], acc1[MR];
  for (int i = 0; i < MR; i++) acc0[i] = acc1[i] = _mm512_setzero_ps();
  for (int p = 0; p < kc; p++) {
    const __m512 b0 = _mm512_load_ps(bp + p * 32);
    const __m512 b1 = _mm512_load_ps(bp + p * 32 + 16);
    for (int i = 0; i < MR; i++) {
      // op(A)[i, p]: contiguous over i when A is transposed, contiguous over p otherwise.
      const float av = TA ? a[static_cast<std::ptrdiff_t>(p) * lda + i] : a[static_cast<std::ptrdiff_t>(i) * lda + p];
      const __m512 ab = _mm512_set1_ps(av);
      acc0[i] = _mm512_fmadd_ps(ab, b0, acc0[i]);
      acc1[i] = _mm512_fmadd_ps(ab, b1, acc1[i]);
    }
  }
  if (nvalid == 32) {  // full tile: plain stores (masked ones are slower on some cores)
    for (int i = 0; i < MR; i++) {
      float* ci = c + static_cast<std::ptrdiff_t>(i) * ldc;
      if (accumulate) {
        acc0[i] = _mm512_add_ps(acc0[i], _mm512_loadu_ps(ci));
        acc1[i] = _mm512_add_ps(acc1[i], _mm512_loadu_ps(ci + 16));
      }
      _mm512_storeu_ps(ci, acc0[i]);
      _mm512_storeu_ps(ci + 16, acc1[i]);
    }
    return;
  }
  const __mmask16 m0 = nvalid >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << nvalid) - 1);
  const __mmask16 m1 = nvalid >= 32 ? 0xFFFF : nvalid <= 16 ? 0 : static_cast<__mmask16>((1u << (nvalid - 16)) - 1);
  for (int i = 0; i < MR; i++) {
    float* ci = c + static_cast<std::ptrdiff_t>(i) * ldc;
    if (accumulate) {
      acc0[i] = _mm512_add_ps(acc0[i], _mm512_maskz_loadu_ps(m0, ci));
      acc1[i] = _mm512_add_ps(acc1[i], _mm512_maskz_loadu_ps(m1, ci + 16));
    }
    _mm512_mask_storeu_ps(ci, m0, acc0[i]);
    _mm512_mask_storeu_ps(ci + 16, m1, acc1[i]);
  }
}

template <bool TA>
__attribute__((target("avx512f,fma"))) void micro_avx512_dispatch(int mr, int kc, const float* a, int lda,
                                                                   const float* bp, float* c, int ldc, int nvalid,
                                                                   bool acc) {
  switch (mr) {
    case 12: return micro_avx512<12, TA>(kc, a, lda, bp, c, ldc, nvalid, acc);
    case 11: return micro_avx512<11, TA>(kc, a, lda, bp, c, ldc, nvalid, acc);
    case 10: return micro_avx512<10, TA>(kc, a, lda, bp, c, ldc, nvalid, acc);
    case 9: return micro_avx512<9, TA>(kc, a, lda, bp, c, ldc, nvalid, acc);
    case 8: return micro_avx512<8, TA>(kc, a, lda, bp, c, ldc, nvalid, acc);
    case 7: return micro_avx512<7, TA>(kc, a, lda, bp, c, ldc, nvalid, acc);
    case 6: return micro_avx512<6, TA>(kc, a, lda, bp, c, ldc, nvalid, acc);
    case 5: return micro_avx512<5, TA>(kc, a, lda, bp, c, ldc, nvalid, acc);
    case 4: return micro_avx512<4, TA>(kc, a, lda, bp, c, ldc, nvalid, acc);
    case 3: return micro_avx512<3, TA>(kc, a, lda, bp, c, ldc, nvalid, acc);
    case 2: return micro_avx512<2, TA>(kc, a, lda, bp, c, ldc, nvalid, acc);
    default: return micro_avx512<1, TA>(kc, a, lda, bp, c, ldc, nvalid, acc);
  }
}

// C = A B^T when C is thin (a network's output layer, or a forward pass on one or a few rows, as when an agent
// picks an action): dot products along the contiguous rows of A and B beat packing a panel of B that is mostly
// padding or used for a single row. Four columns at a time give four independent FMA chains.
__attribute__((target("avx512f,fma"))) void gemm_dot_avx512(int m, int n, int k, const float* a, int lda,
                                                             const float* b, int ldb, float* c, int ldc, float beta) {
  const __mmask16 tail = static_cast<__mmask16>((1u << (k & 15)) - 1);
  const int kfull = k & ~15;
  for (int i = 0; i < m; i++) {
    const float* ai = a + static_cast<std::ptrdiff_t>(i) * lda;
    float* ci = c + static_cast<std::ptrdiff_t>(i) * ldc;
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      const float* b0 = b + static_cast<std::ptrdiff_t>(j) * ldb;
      const float* b1 = b0 + ldb;
      const float* b2 = b1 + ldb;
      const float* b3 = b2 + ldb;
      __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
      for (int p = 0; p < kfull; p += 16) {
        const __m512 av = _mm512_loadu_ps(ai + p);
        s0 = _mm512_fmadd_ps(av, _mm512_loadu_ps(b0 + p), s0);
        s1 = _mm512_fmadd_ps(av, _mm512_loadu_ps(b1 + p), s1);
        s2 = _mm512_fmadd_ps(av, _mm512_loadu_ps(b2 + p), s2);
        s3 = _mm512_fmadd_ps(av, _mm512_loadu_ps(b3 + p), s3);
      }
      if (tail) {
        const __m512 av = _mm512_maskz_loadu_ps(tail, ai + kfull);
        s0 = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(tail, b0 + kfull), s0);
        s1 = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(tail, b1 + kfull), s1);
        s2 = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(tail, b2 + kfull), s2);
        s3 = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(tail, b3 + kfull), s3);
      }
      const float r[4] = {_mm512_reduce_add_ps(s0), _mm512_reduce_add_ps(s1), _mm512_reduce_add_ps(s2),
                          _mm512_reduce_add_ps(s3)};
      for (int q = 0; q < 4; q++) ci[j + q] = beta == 0.0f ? r[q] : ci[j + q] + r[q];
    }
    for (; j < n; j++) {
      const float* bj = b + static_cast<std::ptrdiff_t>(j) * ldb;
      __m512 s = _mm512_setzero_ps();
      for (int p = 0; p < kfull; p += 16) s = _mm512_fmadd_ps(_mm512_loadu_ps(ai + p), _mm512_loadu_ps(bj + p), s);
      if (tail) s = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, ai + kfull), _mm512_maskz_loadu_ps(tail, bj + kfull), s);
      const float r = _mm512_reduce_add_ps(s);
      ci[j] = beta == 0.0f ? r : ci[j] + r;
    }
  }
}

// Thin products (see gemm_dot_avx512): few columns, or few rows, with both operands contiguous along k.
bool use_dot(bool ta, bool tb, int m, int n) { return !ta && tb && (n <= 8 || m <= 16); }

void gemm_avx512(bool ta, bool tb, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c,
                 int ldc, float beta) {
  if (use_dot(ta, tb, m, n)) return gemm_dot_avx512(m, n, k, a, lda, b, ldb, c, ldc, beta);
  gemm_blocked<32, 12>(micro_avx512_dispatch<false>, micro_avx512_dispatch<true>, ta, tb, m, n, k, a, lda, b, ldb, c,
                       ldc, beta);
}

// ---- AVX2 + FMA: micro-tile MR x 16 (up to 6 x 16 = 12 accumulators) -------------------------------------------

template <int MR, bool TA>
__attribute__((target("avx2,fma"))) void micro_avx2(int kc, const float* a, int lda, const float* bp, float* c,
                                                     int ldc, int nvalid, bool accumulate) {
  __m256 acc0[MR], acc1[MR];
  for (int i = 0; i < MR; i++) acc0[i] = acc1[i] = _mm256_setzero_ps();
  for (int p = 0; p < kc; p++) {
    const __m256 b0 = _mm256_load_ps(bp + p * 16);
    const __m256 b1 = _mm256_load_ps(bp + p * 16 + 8);
    for (int i = 0; i < MR; i++) {
      const float av = TA ? a[static_cast<std::ptrdiff_t>(p) * lda + i] : a[static_cast<std::ptrdiff_t>(i) * lda + p];
      const __m256 ab = _mm256_broadcast_ss(&av);
      acc0[i] = _mm256_fmadd_ps(ab, b0, acc0[i]);
      acc1[i] = _mm256_fmadd_ps(ab, b1, acc1[i]);
    }
  }
  alignas(32) float tile[16];
  for (int i = 0; i < MR; i++) {
    float* ci = c + static_cast<std::ptrdiff_t>(i) * ldc;
    if (nvalid == 16) {
      if (accumulate) {
        acc0[i] = _mm256_add_ps(acc0[i], _mm256_loadu_ps(ci));
        acc1[i] = _mm256_add_ps(acc1[i], _mm256_loadu_ps(ci + 8));
      }
      _mm256_storeu_ps(ci, acc0[i]);
      _mm256_storeu_ps(ci + 8, acc1[i]);
    } else {
      _mm256_store_ps(tile, acc0[i]);
      _mm256_store_ps(tile + 8, acc1[i]);
      for (int j = 0; j < nvalid; j++) ci[j] = accumulate ? ci[j] + tile[j] : tile[j];
    }
  }
}

template <bool TA>
__attribute__((target("avx2,fma"))) void micro_avx2_dispatch(int mr, int kc, const float* a, int lda,
                                                              const float* bp, float* c, int ldc, int nvalid,
                                                              bool acc) {
  switch (mr) {
    case 6: return micro_avx2<6, TA>(kc, a, lda, bp, c, ldc, nvalid, acc);
    case 5: return micro_avx2<5, TA>(kc, a, lda, bp, c, ldc, nvalid, acc);
    case 4: return micro_avx2<4, TA>(kc, a, lda, bp, c, ldc, nvalid, acc);
    case 3: return micro_avx2<3, TA>(kc, a, lda, bp, c, ldc, nvalid, acc);
    case 2: return micro_avx2<2, TA>(kc, a, lda, bp, c, ldc, nvalid, acc);
    default: return micro_avx2<1, TA>(kc, a, lda, bp, c, ldc, nvalid, acc);
  }
}

void gemm_avx2(bool ta, bool tb, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c,
               int ldc, float beta) {
  gemm_blocked<16, 6>(micro_avx2_dispatch<false>, micro_avx2_dispatch<true>, ta, tb, m, n, k, a, lda, b, ldb, c, ldc,
                      beta);
}

// Element-wise kernels: one source, compiled for each instruction set and picked by the loader (GCC/Clang
// function multi-versioning), so the compiler's auto-vectoriser does the work.
#define PEERLEARN_CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#else
#define PEERLEARN_CLONES
#endif  // PEERLEARN_X86

}  // namespace

#ifdef PEERLEARN_X86
namespace {
// 12 independent accumulator chains hide the FMA latency on every current x86 core; the asm keeps the compiler
// from folding or reordering the loop.
#define PEERLEARN_FMA12(R)                                                                                        \
  "vfmadd231ps %%" R "0, %%" R "1, %%" R "2\n vfmadd231ps %%" R "0, %%" R "1, %%" R "3\n"                       \
  "vfmadd231ps %%" R "0, %%" R "1, %%" R "4\n vfmadd231ps %%" R "0, %%" R "1, %%" R "5\n"                       \
  "vfmadd231ps %%" R "0, %%" R "1, %%" R "6\n vfmadd231ps %%" R "0, %%" R "1, %%" R "7\n"                       \
  "vfmadd231ps %%" R "0, %%" R "1, %%" R "8\n vfmadd231ps %%" R "0, %%" R "1, %%" R "9\n"                       \
  "vfmadd231ps %%" R "0, %%" R "1, %%" R "10\n vfmadd231ps %%" R "0, %%" R "1, %%" R "11\n"                     \
  "vfmadd231ps %%" R "0, %%" R "1, %%" R "12\n vfmadd231ps %%" R "0, %%" R "1, %%" R "13\n"

__attribute__((target("avx512f,fma"))) void fma_block_avx512(long iters) {
  for (long t = 0; t < iters; t++)
    __asm__ volatile(PEERLEARN_FMA12("zmm")::: "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
                     "xmm10", "xmm11", "xmm12", "xmm13");
}

__attribute__((target("avx2,fma"))) void fma_block_avx2(long iters) {
  for (long t = 0; t < iters; t++)
    __asm__ volatile(PEERLEARN_FMA12("ymm")::: "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
                     "xmm10", "xmm11", "xmm12", "xmm13");
}
}  // namespace
#endif

double fma_peak_gflops(Isa isa, double seconds) {
#ifdef PEERLEARN_X86
  if (isa == Isa::generic) return 0.0;
  const double lanes = isa == Isa::avx512 ? 16.0 : 8.0;
  const long block = 1 << 20;
  long iters = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0.0;
  do {
    if (isa == Isa::avx512) fma_block_avx512(block);
    else fma_block_avx2(block);
    iters += block;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (elapsed < seconds);
  return static_cast<double>(iters) * 12.0 * lanes * 2.0 / elapsed / 1e9;
#else
  (void)isa;
  (void)seconds;
  return 0.0;
#endif
}

Isa detect_isa() {
#ifdef PEERLEARN_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return Isa::avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::avx2;
#endif
  return Isa::generic;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::avx512: return "avx512";
    case Isa::avx2: return "avx2";
    default: return "generic";
  }
}

void gemm(Isa isa, bool ta, bool tb, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c,
          int ldc, float beta) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (beta == 0.0f)
      for (int i = 0; i < m; i++) std::memset(c + static_cast<std::ptrdiff_t>(i) * ldc, 0, sizeof(float) * n);
    return;
  }
#ifdef PEERLEARN_X86
  if (isa == Isa::avx512) return gemm_avx512(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta);
  if (isa == Isa::avx2) return gemm_avx2(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta);
#endif
  gemm_generic(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta);
}

// Activation codes: 0 identity, 1 relu, 2 tanh (src/nn/kernels/kernels.ts).
PEERLEARN_CLONES void bias_act(float* y, const float* bias, int rows, int cols, int act) {
  for (int r = 0; r < rows; r++) {
    float* row = y + static_cast<std::ptrdiff_t>(r) * cols;
    if (act == 1) {
      for (int j = 0; j < cols; j++) {
        const float z = row[j] + bias[j];
        row[j] = z > 0.0f ? z : 0.0f;
      }
    } else if (act == 2) {
      for (int j = 0; j < cols; j++) row[j] = std::tanh(row[j] + bias[j]);
    } else {
      for (int j = 0; j < cols; j++) row[j] += bias[j];
    }
  }
}

PEERLEARN_CLONES void act_backward(float* grad, const float* y, int n, int act) {
  if (act == 1) {
    for (int i = 0; i < n; i++) grad[i] = y[i] > 0.0f ? grad[i] : 0.0f;
  } else if (act == 2) {
    for (int i = 0; i < n; i++) grad[i] *= 1.0f - y[i] * y[i];
  }
}

PEERLEARN_CLONES void sum_rows(const float* src, int rows, int cols, float* dst, float beta) {
  for (int j = 0; j < cols; j++) dst[j] *= beta;
  for (int r = 0; r < rows; r++) {
    const float* row = src + static_cast<std::ptrdiff_t>(r) * cols;
    for (int j = 0; j < cols; j++) dst[j] += row[j];
  }
}

PEERLEARN_CLONES void adam(float* p, const float* g, float* m, float* v, int n, float b1, float b2, float eps,
                           float step_size, float bc2_sqrt) {
  const float c1 = 1.0f - b1, c2 = 1.0f - b2;
  for (int i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = b1 * m[i] + c1 * gi;
    const float vi = b2 * v[i] + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= step_size * mi / (std::sqrt(vi) / bc2_sqrt + eps);
  }
}

PEERLEARN_CLONES void polyak(float* target, const float* source, int n, float tau) {
  const float keep = 1.0f - tau;
  for (int i = 0; i < n; i++) target[i] = keep * target[i] + tau * source[i];
}

PEERLEARN_CLONES void scale(float* x, int n, float s) {
  for (int i = 0; i < n; i++) x[i] *= s;
}

double sum_squares(const float* x, int n) {
  // Eight independent double accumulators: vectorisable without reassociation flags, and exact enough for a norm.
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; l++) acc[l] += static_cast<double>(x[i + l]) * x[i + l];
  for (; i < n; i++) acc[0] += static_cast<double>(x[i]) * x[i];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

}  // namespace peerlearn
