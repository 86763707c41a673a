// The x86-64 paths: AVX-512 (micro-tile 12 x 32: 24 of the 32 zmm registers accumulate) and AVX2 + FMA (6 x 16:
// 12 of the 16 ymm registers accumulate), the shapes of the BLIS/OpenBLAS Skylake-X and Haswell sgemm kernels.
// Per step of the inner dimension a micro-kernel loads one packed row of B (2 vectors), broadcasts MR packed
// values of A and issues 2 MR independent FMAs, enough to hide the FMA latency on every current core.
// The readable definition of every product here is src/nn/kernels/js.ts; tests compare the two.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#include "gemm_paths.h"

namespace peerlearn {

namespace {

// ---- AVX-512 ---------------------------------------------------------------------------------------------------

// ROWS <= 12 rows of the tile (the last tile of a block may have fewer), op(A) read in place (TA: transposed).
template <int ROWS, bool TA>
__attribute__((target("avx512f,fma"))) void micro_avx512_rows(int kc, const float* a, int lda, const float* bp, float* c,
                                                               int ldc, int nr, bool accumulate) {
  constexpr int MR = ROWS, NR = 32;
  __m512 acc[MR][2];
  PEERLEARN_UNROLL
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  for (int p = 0; p < kc; p++) {
    const __m512 b0 = _mm512_load_ps(bp);
    const __m512 b1 = _mm512_load_ps(bp + 16);
    PEERLEARN_UNROLL
    for (int i = 0; i < MR; i++) {
      // op(A)[i, p]: contiguous over i when A is transposed, contiguous over p otherwise.
      const __m512 av = _mm512_set1_ps(TA ? a[static_cast<std::ptrdiff_t>(p) * lda + i] : a[static_cast<std::ptrdiff_t>(i) * lda + p]);
      acc[i][0] = _mm512_fmadd_ps(av, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(av, b1, acc[i][1]);
    }
    bp += NR;
  }
  if (nr == NR) {
    PEERLEARN_UNROLL
    for (int i = 0; i < MR; i++) {
      float* ci = c + static_cast<std::ptrdiff_t>(i) * ldc;
      if (accumulate) {
        acc[i][0] = _mm512_add_ps(acc[i][0], _mm512_loadu_ps(ci));
        acc[i][1] = _mm512_add_ps(acc[i][1], _mm512_loadu_ps(ci + 16));
      }
      _mm512_storeu_ps(ci, acc[i][0]);
      _mm512_storeu_ps(ci + 16, acc[i][1]);
    }
    return;
  }
  alignas(64) float tile[MR * NR];
  PEERLEARN_UNROLL
  for (int i = 0; i < MR; i++) {
    _mm512_store_ps(tile + i * NR, acc[i][0]);
    _mm512_store_ps(tile + i * NR + 16, acc[i][1]);
  }
  store_edge_tile(tile, NR, c, ldc, MR, nr, accumulate);
}

__attribute__((target("avx512f,fma"))) void micro_avx512(int kc, const float* a, int lda, bool ta, const float* bp, float* c,
                                              int ldc, int mr, int nr, bool acc) {
  switch (mr) {
    case 12: return ta ? micro_avx512_rows<12, true>(kc, a, lda, bp, c, ldc, nr, acc) : micro_avx512_rows<12, false>(kc, a, lda, bp, c, ldc, nr, acc);
    case 11: return ta ? micro_avx512_rows<11, true>(kc, a, lda, bp, c, ldc, nr, acc) : micro_avx512_rows<11, false>(kc, a, lda, bp, c, ldc, nr, acc);
    case 10: return ta ? micro_avx512_rows<10, true>(kc, a, lda, bp, c, ldc, nr, acc) : micro_avx512_rows<10, false>(kc, a, lda, bp, c, ldc, nr, acc);
    case 9: return ta ? micro_avx512_rows<9, true>(kc, a, lda, bp, c, ldc, nr, acc) : micro_avx512_rows<9, false>(kc, a, lda, bp, c, ldc, nr, acc);
    case 8: return ta ? micro_avx512_rows<8, true>(kc, a, lda, bp, c, ldc, nr, acc) : micro_avx512_rows<8, false>(kc, a, lda, bp, c, ldc, nr, acc);
    case 7: return ta ? micro_avx512_rows<7, true>(kc, a, lda, bp, c, ldc, nr, acc) : micro_avx512_rows<7, false>(kc, a, lda, bp, c, ldc, nr, acc);
    case 6: return ta ? micro_avx512_rows<6, true>(kc, a, lda, bp, c, ldc, nr, acc) : micro_avx512_rows<6, false>(kc, a, lda, bp, c, ldc, nr, acc);
    case 5: return ta ? micro_avx512_rows<5, true>(kc, a, lda, bp, c, ldc, nr, acc) : micro_avx512_rows<5, false>(kc, a, lda, bp, c, ldc, nr, acc);
    case 4: return ta ? micro_avx512_rows<4, true>(kc, a, lda, bp, c, ldc, nr, acc) : micro_avx512_rows<4, false>(kc, a, lda, bp, c, ldc, nr, acc);
    case 3: return ta ? micro_avx512_rows<3, true>(kc, a, lda, bp, c, ldc, nr, acc) : micro_avx512_rows<3, false>(kc, a, lda, bp, c, ldc, nr, acc);
    case 2: return ta ? micro_avx512_rows<2, true>(kc, a, lda, bp, c, ldc, nr, acc) : micro_avx512_rows<2, false>(kc, a, lda, bp, c, ldc, nr, acc);
    default: return ta ? micro_avx512_rows<1, true>(kc, a, lda, bp, c, ldc, nr, acc) : micro_avx512_rows<1, false>(kc, a, lda, bp, c, ldc, nr, acc);
  }
}

// ---- AVX2 + FMA ------------------------------------------------------------------------------------------------

template <int ROWS, bool TA>  // see micro_avx512_rows
__attribute__((target("avx2,fma"))) void micro_avx2_rows(int kc, const float* a, int lda, const float* bp, float* c, int ldc,
                                                          int nr, bool accumulate) {
  constexpr int MR = ROWS, NR = 16;
  __m256 acc[MR][2];
  PEERLEARN_UNROLL
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  for (int p = 0; p < kc; p++) {
    const __m256 b0 = _mm256_load_ps(bp);
    const __m256 b1 = _mm256_load_ps(bp + 8);
    PEERLEARN_UNROLL
    for (int i = 0; i < MR; i++) {
      const __m256 av = _mm256_broadcast_ss(TA ? a + static_cast<std::ptrdiff_t>(p) * lda + i : a + static_cast<std::ptrdiff_t>(i) * lda + p);
      acc[i][0] = _mm256_fmadd_ps(av, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(av, b1, acc[i][1]);
    }
    bp += NR;
  }
  if (nr == NR) {
    PEERLEARN_UNROLL
    for (int i = 0; i < MR; i++) {
      float* ci = c + static_cast<std::ptrdiff_t>(i) * ldc;
      if (accumulate) {
        acc[i][0] = _mm256_add_ps(acc[i][0], _mm256_loadu_ps(ci));
        acc[i][1] = _mm256_add_ps(acc[i][1], _mm256_loadu_ps(ci + 8));
      }
      _mm256_storeu_ps(ci, acc[i][0]);
      _mm256_storeu_ps(ci + 8, acc[i][1]);
    }
    return;
  }
  alignas(32) float tile[MR * NR];
  PEERLEARN_UNROLL
  for (int i = 0; i < MR; i++) {
    _mm256_store_ps(tile + i * NR, acc[i][0]);
    _mm256_store_ps(tile + i * NR + 8, acc[i][1]);
  }
  store_edge_tile(tile, NR, c, ldc, MR, nr, accumulate);
}

__attribute__((target("avx2,fma"))) void micro_avx2(int kc, const float* a, int lda, bool ta, const float* bp, float* c,
                                              int ldc, int mr, int nr, bool acc) {
  switch (mr) {
    case 6: return ta ? micro_avx2_rows<6, true>(kc, a, lda, bp, c, ldc, nr, acc) : micro_avx2_rows<6, false>(kc, a, lda, bp, c, ldc, nr, acc);
    case 5: return ta ? micro_avx2_rows<5, true>(kc, a, lda, bp, c, ldc, nr, acc) : micro_avx2_rows<5, false>(kc, a, lda, bp, c, ldc, nr, acc);
    case 4: return ta ? micro_avx2_rows<4, true>(kc, a, lda, bp, c, ldc, nr, acc) : micro_avx2_rows<4, false>(kc, a, lda, bp, c, ldc, nr, acc);
    case 3: return ta ? micro_avx2_rows<3, true>(kc, a, lda, bp, c, ldc, nr, acc) : micro_avx2_rows<3, false>(kc, a, lda, bp, c, ldc, nr, acc);
    case 2: return ta ? micro_avx2_rows<2, true>(kc, a, lda, bp, c, ldc, nr, acc) : micro_avx2_rows<2, false>(kc, a, lda, bp, c, ldc, nr, acc);
    default: return ta ? micro_avx2_rows<1, true>(kc, a, lda, bp, c, ldc, nr, acc) : micro_avx2_rows<1, false>(kc, a, lda, bp, c, ldc, nr, acc);
  }
}

// The four sums of a, b, c, d (8 lanes each) as one vector, through a tree of horizontal adds: a quarter of the
// work of four separate reductions.
__attribute__((target("avx2,fma"))) inline __m128 hsum4(__m256 a, __m256 b, __m256 c, __m256 d) {
  const __m256 ab = _mm256_hadd_ps(a, b);  // a01 a23 b01 b23 | a45 a67 b45 b67
  const __m256 cd = _mm256_hadd_ps(c, d);
  const __m256 abcd = _mm256_hadd_ps(ab, cd);  // a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7
  return _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
}

__attribute__((target("avx512f,fma"))) inline __m256 fold(__m512 v) {
  return _mm256_add_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
}

// c[0:cols] = v (beta 0) or c[0:cols] += v (beta 1), cols <= 4.
__attribute__((target("avx2,fma"))) inline void store4(float* c, __m128 v, int cols, float beta) {
  if (cols == 4) {
    _mm_storeu_ps(c, beta == 0.0f ? v : _mm_add_ps(v, _mm_loadu_ps(c)));
    return;
  }
  alignas(16) float t[4];
  _mm_store_ps(t, v);
  for (int q = 0; q < cols; q++) c[q] = beta == 0.0f ? t[q] : c[q] + t[q];
}

}  // namespace

const BlockedPath kAvx512Path = {12, 32, false, micro_avx512};
const BlockedPath kAvx2Path = {6, 16, false, micro_avx2};

// Dot-product paths: R rows of A against four rows of B at a time, so that each vector loaded from B serves R
// rows and each one from A serves four columns (4 R independent FMA chains); the remainder of k through masked
// loads. Past the last row of B the pointers repeat it, and those sums are dropped.
template <int R>
__attribute__((target("avx512f,fma"))) void dot_rows_avx512(int n, int k, const float* a, int lda, const float* b,
                                                             int ldb, float* c, int ldc, float beta) {
  const __mmask16 tail = static_cast<__mmask16>((1u << (k & 15)) - 1);
  const int kfull = k & ~15;
  for (int j = 0; j < n; j += 4) {
    const float* bq[4];
    for (int q = 0; q < 4; q++) bq[q] = b + static_cast<std::ptrdiff_t>(j + q < n ? j + q : n - 1) * ldb;
    __m512 s[R][4];
    PEERLEARN_UNROLL
    for (int r = 0; r < R; r++) s[r][0] = s[r][1] = s[r][2] = s[r][3] = _mm512_setzero_ps();
    for (int p = 0; p < kfull; p += 16) {
      __m512 av[R];
      PEERLEARN_UNROLL
      for (int r = 0; r < R; r++) av[r] = _mm512_loadu_ps(a + static_cast<std::ptrdiff_t>(r) * lda + p);
      PEERLEARN_UNROLL
      for (int q = 0; q < 4; q++) {
        const __m512 bv = _mm512_loadu_ps(bq[q] + p);
        PEERLEARN_UNROLL
        for (int r = 0; r < R; r++) s[r][q] = _mm512_fmadd_ps(av[r], bv, s[r][q]);
      }
    }
    if (tail) {  // the last, partial step: masked loads read only the valid lanes
      __m512 av[R];
      PEERLEARN_UNROLL
      for (int r = 0; r < R; r++) av[r] = _mm512_maskz_loadu_ps(tail, a + static_cast<std::ptrdiff_t>(r) * lda + kfull);
      PEERLEARN_UNROLL
      for (int q = 0; q < 4; q++) {
        const __m512 bv = _mm512_maskz_loadu_ps(tail, bq[q] + kfull);
        PEERLEARN_UNROLL
        for (int r = 0; r < R; r++) s[r][q] = _mm512_fmadd_ps(av[r], bv, s[r][q]);
      }
    }
    const int cols = n - j < 4 ? n - j : 4;
    for (int r = 0; r < R; r++) {
      // Fold each 16-lane sum to 8 lanes, then reduce the four together (hsum4).
      const __m128 v = hsum4(fold(s[r][0]), fold(s[r][1]), fold(s[r][2]), fold(s[r][3]));
      store4(c + static_cast<std::ptrdiff_t>(r) * ldc + j, v, cols, beta);
    }
  }
}

__attribute__((target("avx512f,fma"))) void dot_avx512(int m, int n, int k, const float* a, int lda, const float* b,
                                                        int ldb, float* c, int ldc, float beta) {
  for (int i = 0; i < m; i += 4) {
    const float* ai = a + static_cast<std::ptrdiff_t>(i) * lda;
    float* ci = c + static_cast<std::ptrdiff_t>(i) * ldc;
    switch (m - i) {
      case 1: dot_rows_avx512<1>(n, k, ai, lda, b, ldb, ci, ldc, beta); break;
      case 2: dot_rows_avx512<2>(n, k, ai, lda, b, ldb, ci, ldc, beta); break;
      case 3: dot_rows_avx512<3>(n, k, ai, lda, b, ldb, ci, ldc, beta); break;
      default: dot_rows_avx512<4>(n, k, ai, lda, b, ldb, ci, ldc, beta);
    }
  }
}

// AVX2 has 16 registers: 3 rows x 4 columns of accumulators, 3 of A and 1 of B.
template <int R>
__attribute__((target("avx2,fma"))) void dot_rows_avx2(int n, int k, const float* a, int lda, const float* b,
                                                        int ldb, float* c, int ldc, float beta) {
  const int kfull = k & ~7;
  const __m256i tail = _mm256_cmpgt_epi32(_mm256_set1_epi32(k & 7), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  for (int j = 0; j < n; j += 4) {
    const float* bq[4];
    for (int q = 0; q < 4; q++) bq[q] = b + static_cast<std::ptrdiff_t>(j + q < n ? j + q : n - 1) * ldb;
    __m256 s[R][4];
    PEERLEARN_UNROLL
    for (int r = 0; r < R; r++) s[r][0] = s[r][1] = s[r][2] = s[r][3] = _mm256_setzero_ps();
    for (int p = 0; p < kfull; p += 8) {
      __m256 av[R];
      PEERLEARN_UNROLL
      for (int r = 0; r < R; r++) av[r] = _mm256_loadu_ps(a + static_cast<std::ptrdiff_t>(r) * lda + p);
      PEERLEARN_UNROLL
      for (int q = 0; q < 4; q++) {
        const __m256 bv = _mm256_loadu_ps(bq[q] + p);
        PEERLEARN_UNROLL
        for (int r = 0; r < R; r++) s[r][q] = _mm256_fmadd_ps(av[r], bv, s[r][q]);
      }
    }
    if (k & 7) {  // the last, partial step: masked loads read only the valid lanes
      __m256 av[R];
      PEERLEARN_UNROLL
      for (int r = 0; r < R; r++) av[r] = _mm256_maskload_ps(a + static_cast<std::ptrdiff_t>(r) * lda + kfull, tail);
      PEERLEARN_UNROLL
      for (int q = 0; q < 4; q++) {
        const __m256 bv = _mm256_maskload_ps(bq[q] + kfull, tail);
        PEERLEARN_UNROLL
        for (int r = 0; r < R; r++) s[r][q] = _mm256_fmadd_ps(av[r], bv, s[r][q]);
      }
    }
    const int cols = n - j < 4 ? n - j : 4;
    for (int r = 0; r < R; r++) store4(c + static_cast<std::ptrdiff_t>(r) * ldc + j, hsum4(s[r][0], s[r][1], s[r][2], s[r][3]), cols, beta);
  }
}

__attribute__((target("avx2,fma"))) void dot_avx2(int m, int n, int k, const float* a, int lda, const float* b,
                                                   int ldb, float* c, int ldc, float beta) {
  for (int i = 0; i < m; i += 3) {
    const float* ai = a + static_cast<std::ptrdiff_t>(i) * lda;
    float* ci = c + static_cast<std::ptrdiff_t>(i) * ldc;
    switch (m - i) {
      case 1: dot_rows_avx2<1>(n, k, ai, lda, b, ldb, ci, ldc, beta); break;
      case 2: dot_rows_avx2<2>(n, k, ai, lda, b, ldb, ci, ldc, beta); break;
      default: dot_rows_avx2<3>(n, k, ai, lda, b, ldb, ci, ldc, beta);
    }
  }
}

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

}  // namespace peerlearn

#endif  // x86-64
