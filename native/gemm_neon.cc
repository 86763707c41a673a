// The arm64 path (Apple Silicon, Graviton, Ampere): NEON, micro-tile 8 x 12, the shape of the BLIS/OpenBLAS
// Cortex-A57/Neoverse sgemm kernels. Per step of the inner dimension it loads 8 packed values of A (2 vectors) and
// 12 of B (3 vectors) and issues 24 FMAs by lane (fmla v.4s, v.4s, v.s[lane]): 24 + 5 of the 32 vector registers.
// The readable definition of every product here is src/nn/kernels/js.ts; native/kernel_test.cc compares the two
// under qemu-user on machines without an arm64 core.
#if defined(__aarch64__)
#include <arm_neon.h>

#include "gemm_paths.h"

namespace peerlearn {

namespace {

// Row r of the tile: acc[r][0..2] += A[r] * B[0..11], with A[r] taken from lane `lane` of vector `av`.
#define PEERLEARN_NEON_ROW(r, av, lane)                        \
  acc[r][0] = vfmaq_laneq_f32(acc[r][0], b0, av, lane);        \
  acc[r][1] = vfmaq_laneq_f32(acc[r][1], b1, av, lane);        \
  acc[r][2] = vfmaq_laneq_f32(acc[r][2], b2, av, lane)

void micro_neon_tile(int kc, const float* ap, const float* bp, int ldbp, float* c, int ldc, int mr, int nr,
                     bool accumulate) {
  constexpr int MR = 8, NR = 12;
  float32x4_t acc[MR][3];
  PEERLEARN_UNROLL
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = acc[i][2] = vdupq_n_f32(0.0f);
  for (int p = 0; p < kc; p++) {
    const float32x4_t b0 = vld1q_f32(bp), b1 = vld1q_f32(bp + 4), b2 = vld1q_f32(bp + 8);
    const float32x4_t a0 = vld1q_f32(ap), a1 = vld1q_f32(ap + 4);
    PEERLEARN_NEON_ROW(0, a0, 0);
    PEERLEARN_NEON_ROW(1, a0, 1);
    PEERLEARN_NEON_ROW(2, a0, 2);
    PEERLEARN_NEON_ROW(3, a0, 3);
    PEERLEARN_NEON_ROW(4, a1, 0);
    PEERLEARN_NEON_ROW(5, a1, 1);
    PEERLEARN_NEON_ROW(6, a1, 2);
    PEERLEARN_NEON_ROW(7, a1, 3);
    ap += MR;
    bp += ldbp;
  }
  if (mr == MR && nr == NR) {
    PEERLEARN_UNROLL
    for (int i = 0; i < MR; i++) {
      float* ci = c + static_cast<std::ptrdiff_t>(i) * ldc;
      PEERLEARN_UNROLL
      for (int v = 0; v < 3; v++) {
        if (accumulate) acc[i][v] = vaddq_f32(acc[i][v], vld1q_f32(ci + 4 * v));
        vst1q_f32(ci + 4 * v, acc[i][v]);
      }
    }
    return;
  }
  alignas(16) float tile[MR * NR];
  PEERLEARN_UNROLL
  for (int i = 0; i < MR; i++) {
    PEERLEARN_UNROLL
    for (int v = 0; v < 3; v++) vst1q_f32(tile + i * NR + 4 * v, acc[i][v]);
  }
  store_edge_tile(tile, NR, c, ldc, mr, nr, accumulate);
}

// The epilogue runs on the stored tile (in L1).
void micro_neon(int kc, const float* ap, int /*lda*/, bool /*ta*/, const float* bp, int ldbp, float* c, int ldc,
                int mr, int nr, bool accumulate, const Epilogue* ep, int i0, int j0) {
  micro_neon_tile(kc, ap, bp, ldbp, c, ldc, mr, nr, accumulate);
  if (ep != nullptr) apply_epilogue(*ep, c, ldc, i0, j0, mr, nr);
}

}  // namespace

const BlockedPath kNeonPath = {8, 12, true, micro_neon, nullptr};

// One row of A against four rows of B at a time (see dot_avx2 in gemm_x86.cc); the remainder of k in scalars.
void dot_neon(int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c, int ldc, float beta) {
  const int kfull = k & ~3;
  for (int i = 0; i < m; i++) {
    const float* ai = a + static_cast<std::ptrdiff_t>(i) * lda;
    float* ci = c + static_cast<std::ptrdiff_t>(i) * ldc;
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      const float* bq[4];
      for (int q = 0; q < 4; q++) bq[q] = b + static_cast<std::ptrdiff_t>(j + q) * ldb;
      float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0, s2 = s0, s3 = s0;
      for (int p = 0; p < kfull; p += 4) {
        const float32x4_t av = vld1q_f32(ai + p);
        s0 = vfmaq_f32(s0, av, vld1q_f32(bq[0] + p));
        s1 = vfmaq_f32(s1, av, vld1q_f32(bq[1] + p));
        s2 = vfmaq_f32(s2, av, vld1q_f32(bq[2] + p));
        s3 = vfmaq_f32(s3, av, vld1q_f32(bq[3] + p));
      }
      float r[4] = {vaddvq_f32(s0), vaddvq_f32(s1), vaddvq_f32(s2), vaddvq_f32(s3)};
      for (int p = kfull; p < k; p++)
        for (int q = 0; q < 4; q++) r[q] += ai[p] * bq[q][p];
      for (int q = 0; q < 4; q++) ci[j + q] = beta == 0.0f ? r[q] : ci[j + q] + r[q];
    }
    for (; j < n; j++) {
      const float* bj = b + static_cast<std::ptrdiff_t>(j) * ldb;
      float32x4_t s = vdupq_n_f32(0.0f);
      for (int p = 0; p < kfull; p += 4) s = vfmaq_f32(s, vld1q_f32(ai + p), vld1q_f32(bj + p));
      float r = vaddvq_f32(s);
      for (int p = kfull; p < k; p++) r += ai[p] * bj[p];
      ci[j] = beta == 0.0f ? r : ci[j] + r;
    }
  }
}

// 12 independent accumulator chains, as in the x86 peak loop.
void fma_block_neon(long iters) {
  for (long t = 0; t < iters; t++)
    __asm__ volatile(
        "fmla v2.4s, v0.4s, v1.4s\n fmla v3.4s, v0.4s, v1.4s\n fmla v4.4s, v0.4s, v1.4s\n"
        "fmla v5.4s, v0.4s, v1.4s\n fmla v6.4s, v0.4s, v1.4s\n fmla v7.4s, v0.4s, v1.4s\n"
        "fmla v8.4s, v0.4s, v1.4s\n fmla v9.4s, v0.4s, v1.4s\n fmla v10.4s, v0.4s, v1.4s\n"
        "fmla v11.4s, v0.4s, v1.4s\n fmla v12.4s, v0.4s, v1.4s\n fmla v13.4s, v0.4s, v1.4s\n" ::
            : "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13");
}

}  // namespace peerlearn

#endif  // __aarch64__
