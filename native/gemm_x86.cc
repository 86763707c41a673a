// The x86-64 paths: AVX-512 (micro-tile 12 x 32: 24 of the 32 zmm registers accumulate) and AVX2 + FMA (6 x 16:
// 12 of the 16 ymm registers accumulate), the shapes of the BLIS/OpenBLAS Skylake-X and Haswell sgemm kernels.
// Per step of the inner dimension a micro-kernel loads one packed row of B (2 vectors), broadcasts MR packed
// values of A and issues 2 MR independent FMAs, enough to hide the FMA latency on every current core.
// The readable definition of every product here is src/nn/kernels/js.ts; tests compare the two.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#include "gemm_paths.h"
#include "tile_avx512.h"

namespace peerlearn {

namespace {

// ---- AVX-512 ---------------------------------------------------------------------------------------------------

// ROWS <= 12 rows of the tile (the last tile of a block may have fewer), op(A) read in place (TA: transposed);
// PACKED: B's rows are NR floats apart (a packed panel; the step is then known to the compiler), else ldbp apart
// (B read in place). Loads are unaligned either way: B read in place may have a row stride of NR.
template <int ROWS, bool TA, bool PACKED>
__attribute__((target("avx512f,fma"))) void micro_avx512_rows(int kc, const float* a, int lda, const float* bp, int ldbp,
                                                               float* c, int ldc, int nr, bool accumulate,
                                                               const Epilogue* ep, int i0, int j0) {
  constexpr int MR = ROWS, NR = 32;
  const int step = PACKED ? NR : ldbp;
  __m512 acc[MR][2];
  PEERLEARN_UNROLL
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  for (int p = 0; p < kc; p++) {
    const __m512 b0 = _mm512_loadu_ps(bp);
    const __m512 b1 = _mm512_loadu_ps(bp + 16);
    PEERLEARN_UNROLL
    for (int i = 0; i < MR; i++) {
      // op(A)[i, p]: contiguous over i when A is transposed, contiguous over p otherwise.
      const __m512 av = _mm512_set1_ps(TA ? a[static_cast<std::ptrdiff_t>(p) * lda + i] : a[static_cast<std::ptrdiff_t>(i) * lda + p]);
      acc[i][0] = _mm512_fmadd_ps(av, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(av, b1, acc[i][1]);
    }
    bp += step;
  }
  finish_tile_avx512<MR>(acc, c, ldc, nr, accumulate, ep, i0, j0);
}

// The AVX-512 row kernels, as micro_from_rows takes them.
struct Avx512Rows {
  static constexpr int kMaxRows = 12, kNr = 32;
  template <int ROWS, bool TA, bool PACKED>
  static void rows(int kc, const float* a, int lda, const float* bp, int ldbp, float* c, int ldc, int nr, bool acc,
                   const Epilogue* ep, int i0, int j0) {
    micro_avx512_rows<ROWS, TA, PACKED>(kc, a, lda, bp, ldbp, c, ldc, nr, acc, ep, i0, j0);
  }
};

// ---- AVX2 + FMA ------------------------------------------------------------------------------------------------

template <int ROWS, bool TA, bool PACKED>  // see micro_avx512_rows
__attribute__((target("avx2,fma"))) void micro_avx2_rows(int kc, const float* a, int lda, const float* bp, int ldbp, float* c,
                                                          int ldc, int nr, bool accumulate, const Epilogue* ep,
                                                          int i0, int j0) {
  constexpr int MR = ROWS, NR = 16;
  const int step = PACKED ? NR : ldbp;
  __m256 acc[MR][2];
  PEERLEARN_UNROLL
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  for (int p = 0; p < kc; p++) {
    const __m256 b0 = _mm256_loadu_ps(bp);
    const __m256 b1 = _mm256_loadu_ps(bp + 8);
    PEERLEARN_UNROLL
    for (int i = 0; i < MR; i++) {
      const __m256 av = _mm256_broadcast_ss(TA ? a + static_cast<std::ptrdiff_t>(p) * lda + i : a + static_cast<std::ptrdiff_t>(i) * lda + p);
      acc[i][0] = _mm256_fmadd_ps(av, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(av, b1, acc[i][1]);
    }
    bp += step;
  }
  if (nr == NR && (ep == nullptr || epilogue_in_registers(ep))) {
    PEERLEARN_UNROLL
    for (int i = 0; i < MR; i++) {
      float* ci = c + static_cast<std::ptrdiff_t>(i) * ldc;
      if (accumulate) {
        acc[i][0] = _mm256_add_ps(acc[i][0], _mm256_loadu_ps(ci));
        acc[i][1] = _mm256_add_ps(acc[i][1], _mm256_loadu_ps(ci + 8));
      }
    }
    if (ep != nullptr) {  // see micro_avx512_rows
      const __m256 zero = _mm256_setzero_ps();
      if (ep->bias != nullptr) {
        const __m256 b0 = _mm256_loadu_ps(ep->bias + j0), b1 = _mm256_loadu_ps(ep->bias + j0 + 8);
        PEERLEARN_UNROLL
        for (int i = 0; i < MR; i++) {
          acc[i][0] = _mm256_add_ps(acc[i][0], b0);
          acc[i][1] = _mm256_add_ps(acc[i][1], b1);
          if (ep->act == 1) {
            acc[i][0] = _mm256_and_ps(_mm256_cmp_ps(acc[i][0], zero, _CMP_GT_OQ), acc[i][0]);
            acc[i][1] = _mm256_and_ps(_mm256_cmp_ps(acc[i][1], zero, _CMP_GT_OQ), acc[i][1]);
          }
        }
      }
      if (ep->y != nullptr && ep->dact == 1) {
        PEERLEARN_UNROLL
        for (int i = 0; i < MR; i++) {
          const float* yi = ep->y + static_cast<std::ptrdiff_t>(i0 + i) * ep->ldy + j0;
          acc[i][0] = _mm256_and_ps(_mm256_cmp_ps(_mm256_loadu_ps(yi), zero, _CMP_GT_OQ), acc[i][0]);
          acc[i][1] = _mm256_and_ps(_mm256_cmp_ps(_mm256_loadu_ps(yi + 8), zero, _CMP_GT_OQ), acc[i][1]);
        }
      }
      if (ep->colsum != nullptr) {
        __m256 s0 = _mm256_loadu_ps(ep->colsum + j0), s1 = _mm256_loadu_ps(ep->colsum + j0 + 8);
        PEERLEARN_UNROLL
        for (int i = 0; i < MR; i++) {
          s0 = _mm256_add_ps(s0, acc[i][0]);
          s1 = _mm256_add_ps(s1, acc[i][1]);
        }
        _mm256_storeu_ps(ep->colsum + j0, s0);
        _mm256_storeu_ps(ep->colsum + j0 + 8, s1);
      }
    }
    PEERLEARN_UNROLL
    for (int i = 0; i < MR; i++) {
      float* ci = c + static_cast<std::ptrdiff_t>(i) * ldc;
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
  if (ep != nullptr) apply_epilogue(*ep, c, ldc, i0, j0, MR, nr);
}

struct Avx2Rows {  // see Avx512Rows
  static constexpr int kMaxRows = 6, kNr = 16;
  template <int ROWS, bool TA, bool PACKED>
  static void rows(int kc, const float* a, int lda, const float* bp, int ldbp, float* c, int ldc, int nr, bool acc,
                   const Epilogue* ep, int i0, int j0) {
    micro_avx2_rows<ROWS, TA, PACKED>(kc, a, lda, bp, ldbp, c, ldc, nr, acc, ep, i0, j0);
  }
};

// The four sums of a, b, c, d (8 lanes each) as one vector, through a tree of horizontal adds: a quarter of the
// work of four separate reductions.
__attribute__((target("avx2,fma"))) inline __m128 hsum4(__m256 a, __m256 b, __m256 c, __m256 d) {
  const __m256 ab = _mm256_hadd_ps(a, b);  // a01 a23 b01 b23 | a45 a67 b45 b67
  const __m256 cd = _mm256_hadd_ps(c, d);
  const __m256 abcd = _mm256_hadd_ps(ab, cd);  // a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7
  return _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
}

// The four sums of a, b, c, d (16 lanes each) as one vector: interleave and add pairs within each 128-bit lane
// (a, b then c, d, then the two results as 64-bit pairs), which leaves the four partial sums in every lane, then
// fold the lanes. Single-uop shuffles only.
__attribute__((target("avx512f,fma"))) inline __m128 hsum4x16(__m512 a, __m512 b, __m512 c, __m512 d) {
  const __m512 ab = _mm512_add_ps(_mm512_unpacklo_ps(a, b), _mm512_unpackhi_ps(a, b));
  const __m512 cd = _mm512_add_ps(_mm512_unpacklo_ps(c, d), _mm512_unpackhi_ps(c, d));
  const __m512d abd = _mm512_castps_pd(ab), cdd = _mm512_castps_pd(cd);
  const __m512 abcd = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(abd, cdd)),
                                    _mm512_castpd_ps(_mm512_unpackhi_pd(abd, cdd)));
  const __m256 half = _mm256_add_ps(_mm512_castps512_ps256(abcd),
                                    _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(abcd), 1)));
  return _mm_add_ps(_mm256_castps256_ps128(half), _mm256_extractf128_ps(half, 1));
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

// ---- transposed packing of B ------------------------------------------------------------------------------------

// A 16 x 16 block of B (rows j, steps p) transposed in registers: three rounds of interleaving (32-bit, 64-bit,
// then 128-bit lanes twice), the usual AVX-512 transpose; the scalar loop only handles the block's edges.
__attribute__((target("avx512f"))) void pack_bt_avx512(const float* b, int ldb, int p0, int kc, int j0, int cols,
                                                        int nr_tile, float* panel) {
  const int pfull = kc & ~15, jfull = cols & ~15;
  for (int jj = 0; jj < jfull; jj += 16) {
    for (int p = 0; p < pfull; p += 16) {
      __m512 r[16], t[16];
      PEERLEARN_UNROLL
      for (int q = 0; q < 16; q++) r[q] = _mm512_loadu_ps(b + static_cast<std::ptrdiff_t>(j0 + jj + q) * ldb + p0 + p);
      PEERLEARN_UNROLL
      for (int q = 0; q < 16; q += 2) {
        t[q] = _mm512_unpacklo_ps(r[q], r[q + 1]);
        t[q + 1] = _mm512_unpackhi_ps(r[q], r[q + 1]);
      }
      // u[4g + c]: rows 4g .. 4g + 3 of steps c, c + 4, c + 8, c + 12 (one per 128-bit lane)
      PEERLEARN_UNROLL
      for (int g = 0; g < 4; g++) {
        const __m512d lo0 = _mm512_castps_pd(t[4 * g]), lo1 = _mm512_castps_pd(t[4 * g + 2]);
        const __m512d hi0 = _mm512_castps_pd(t[4 * g + 1]), hi1 = _mm512_castps_pd(t[4 * g + 3]);
        r[4 * g] = _mm512_castpd_ps(_mm512_unpacklo_pd(lo0, lo1));
        r[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(lo0, lo1));
        r[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(hi0, hi1));
        r[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(hi0, hi1));
      }
      PEERLEARN_UNROLL
      for (int c = 0; c < 4; c++) {
        const __m512 v0 = _mm512_shuffle_f32x4(r[c], r[4 + c], 0x44), v1 = _mm512_shuffle_f32x4(r[c], r[4 + c], 0xEE);
        const __m512 w0 = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0x44);
        const __m512 w1 = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0xEE);
        float* d = panel + static_cast<std::ptrdiff_t>(p + c) * nr_tile + jj;
        _mm512_storeu_ps(d, _mm512_shuffle_f32x4(v0, w0, 0x88));
        _mm512_storeu_ps(d + 4 * nr_tile, _mm512_shuffle_f32x4(v0, w0, 0xDD));
        _mm512_storeu_ps(d + 8 * nr_tile, _mm512_shuffle_f32x4(v1, w1, 0x88));
        _mm512_storeu_ps(d + 12 * nr_tile, _mm512_shuffle_f32x4(v1, w1, 0xDD));
      }
    }
    pack_bt_scalar(b, ldb, p0, pfull, kc, j0, jj, jj + 16, nr_tile, panel);
  }
  pack_bt_scalar(b, ldb, p0, 0, kc, j0, jfull, cols, nr_tile, panel);
}

// The AVX2 version: 8 x 8 blocks (32-bit and 64-bit interleaving within 128-bit lanes, then swapping the lanes).
__attribute__((target("avx2"))) void pack_bt_avx2(const float* b, int ldb, int p0, int kc, int j0, int cols,
                                                   int nr_tile, float* panel) {
  const int pfull = kc & ~7, jfull = cols & ~7;
  for (int jj = 0; jj < jfull; jj += 8) {
    for (int p = 0; p < pfull; p += 8) {
      __m256 r[8], t[8];
      PEERLEARN_UNROLL
      for (int q = 0; q < 8; q++) r[q] = _mm256_loadu_ps(b + static_cast<std::ptrdiff_t>(j0 + jj + q) * ldb + p0 + p);
      PEERLEARN_UNROLL
      for (int q = 0; q < 8; q += 2) {
        t[q] = _mm256_unpacklo_ps(r[q], r[q + 1]);
        t[q + 1] = _mm256_unpackhi_ps(r[q], r[q + 1]);
      }
      // r[4h + c]: rows 4h .. 4h + 3 of steps c (low lane) and c + 4 (high lane)
      PEERLEARN_UNROLL
      for (int h = 0; h < 2; h++) {
        r[4 * h] = _mm256_shuffle_ps(t[4 * h], t[4 * h + 2], 0x44);
        r[4 * h + 1] = _mm256_shuffle_ps(t[4 * h], t[4 * h + 2], 0xEE);
        r[4 * h + 2] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], 0x44);
        r[4 * h + 3] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], 0xEE);
      }
      PEERLEARN_UNROLL
      for (int c = 0; c < 4; c++) {
        float* d = panel + static_cast<std::ptrdiff_t>(p + c) * nr_tile + jj;
        _mm256_storeu_ps(d, _mm256_permute2f128_ps(r[c], r[4 + c], 0x20));
        _mm256_storeu_ps(d + 4 * nr_tile, _mm256_permute2f128_ps(r[c], r[4 + c], 0x31));
      }
    }
    pack_bt_scalar(b, ldb, p0, pfull, kc, j0, jj, jj + 8, nr_tile, panel);
  }
  pack_bt_scalar(b, ldb, p0, 0, kc, j0, jfull, cols, nr_tile, panel);
}

const BlockedPath kAvx512Path = {12, 32, false, micro_from_rows<Avx512Rows>, pack_bt_avx512};
const BlockedPath kAvx2Path = {6, 16, false, micro_from_rows<Avx2Rows>, pack_bt_avx2};

// Dot-product paths: R rows of A against four rows of B at a time, so that each vector loaded from B serves R
// rows and each one from A serves four columns (4 R independent FMA chains); the remainder of k through masked
// loads. Past the last row of B the pointers repeat it, and those sums are dropped.
template <int R>
__attribute__((target("avx512f,fma"))) void dot_rows_avx512(int j_begin, int j_end, int n, int k, const float* a,
                                                             int lda, const float* b, int ldb, float* c, int ldc,
                                                             float beta) {
  const __mmask16 tail = static_cast<__mmask16>((1u << (k & 15)) - 1);
  const int kfull = k & ~15;
  for (int j = j_begin; j < j_end; j += 4) {
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
    // Unrolled like the loops above: a loop over r indexed at run time would keep the accumulators in memory.
    PEERLEARN_UNROLL
    for (int r = 0; r < R; r++) {
      const __m128 v = hsum4x16(s[r][0], s[r][1], s[r][2], s[r][3]);
      store4(c + static_cast<std::ptrdiff_t>(r) * ldc + j, v, cols, beta);
    }
  }
}

// Column blocks outermost: the few rows of A stay in L1 while each block of B's rows (a weight matrix, often in
// L3) is read once for all of them, instead of once per group of rows. The rows go in groups of up to six (6 x 4
// accumulators, 6 of A and 1 of B fill the 32 registers), as even as can be: a group's pass over the block costs
// nearly the same whatever its rows, so 10 rows run as 5 + 5 rather than 4 + 4 + 2.
__attribute__((target("avx512f,fma"))) void dot_avx512(int m, int n, int k, const float* a, int lda, const float* b,
                                                        int ldb, float* c, int ldc, float beta) {
  constexpr int JB = 16;  // columns per block: 16 rows of B, 16 KiB at k = 256
  const int groups = (m + 5) / 6;
  for (int j = 0; j < n; j += JB) {
    const int j_end = j + JB < n ? j + JB : n;
    for (int g = 0, i = 0; g < groups; g++) {
      const int rows = (m - i) / (groups - g);  // the rows left, spread evenly over the groups left
      const float* ai = a + static_cast<std::ptrdiff_t>(i) * lda;
      float* ci = c + static_cast<std::ptrdiff_t>(i) * ldc;
      switch (rows) {
        case 1: dot_rows_avx512<1>(j, j_end, n, k, ai, lda, b, ldb, ci, ldc, beta); break;
        case 2: dot_rows_avx512<2>(j, j_end, n, k, ai, lda, b, ldb, ci, ldc, beta); break;
        case 3: dot_rows_avx512<3>(j, j_end, n, k, ai, lda, b, ldb, ci, ldc, beta); break;
        case 4: dot_rows_avx512<4>(j, j_end, n, k, ai, lda, b, ldb, ci, ldc, beta); break;
        case 5: dot_rows_avx512<5>(j, j_end, n, k, ai, lda, b, ldb, ci, ldc, beta); break;
        default: dot_rows_avx512<6>(j, j_end, n, k, ai, lda, b, ldb, ci, ldc, beta);
      }
      i += rows;
    }
  }
}

// AVX2 has 16 registers: 3 rows x 4 columns of accumulators, 3 of A and 1 of B.
template <int R>
__attribute__((target("avx2,fma"))) void dot_rows_avx2(int j_begin, int j_end, int n, int k, const float* a, int lda,
                                                        const float* b, int ldb, float* c, int ldc, float beta) {
  const int kfull = k & ~7;
  const __m256i tail = _mm256_cmpgt_epi32(_mm256_set1_epi32(k & 7), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  for (int j = j_begin; j < j_end; j += 4) {
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
    PEERLEARN_UNROLL  // see dot_rows_avx512
    for (int r = 0; r < R; r++) store4(c + static_cast<std::ptrdiff_t>(r) * ldc + j, hsum4(s[r][0], s[r][1], s[r][2], s[r][3]), cols, beta);
  }
}

// Column blocks outermost, as dot_avx512.
__attribute__((target("avx2,fma"))) void dot_avx2(int m, int n, int k, const float* a, int lda, const float* b,
                                                   int ldb, float* c, int ldc, float beta) {
  constexpr int JB = 16;
  for (int j = 0; j < n; j += JB) {
    const int j_end = j + JB < n ? j + JB : n;
    for (int i = 0; i < m; i += 3) {
      const float* ai = a + static_cast<std::ptrdiff_t>(i) * lda;
      float* ci = c + static_cast<std::ptrdiff_t>(i) * ldc;
      switch (m - i) {
        case 1: dot_rows_avx2<1>(j, j_end, n, k, ai, lda, b, ldb, ci, ldc, beta); break;
        case 2: dot_rows_avx2<2>(j, j_end, n, k, ai, lda, b, ldb, ci, ldc, beta); break;
        default: dot_rows_avx2<3>(j, j_end, n, k, ai, lda, b, ldb, ci, ldc, beta);
      }
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
