// The opt-in bf16 path (AVX512-BF16: Zen 4 and later, Intel since Cooper Lake): matrix products with bf16 inputs
// and fp32 accumulation, as PyTorch's and oneDNN's mixed-precision training do. vdpbf16ps multiplies pairs of bf16
// values along the inner dimension and adds both products to an fp32 lane, two multiply-adds per lane where an fp32
// FMA does one. Both operands are first rounded (to nearest even) into 32-bit words holding such pairs; the product
// of those word matrices, with the inner dimension halved, is the fp32 blocked driver's with this micro-kernel.
// Thin products stay on the fp32 kernels (gemm.cc); element-wise work, master weights and Adam stay fp32.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#include <cstdint>
#include <vector>

#include "gemm_paths.h"
#include "tile_avx512.h"

#define PEERLEARN_BF16 __attribute__((target("avx512f,avx512bw,avx512bf16,fma")))

namespace peerlearn {

namespace {

// rows x k floats (row stride ld) into rows x ceil(k / 2) words, the pairs along each row (x[r, 2q], x[r, 2q + 1]):
// converting consecutive floats puts them in that order already. An odd k pads the last pair with zero.
PEERLEARN_BF16 void pairs_along_rows(const float* x, int ld, int rows, int k, std::uint32_t* out) {
  const int k2 = (k + 1) / 2;
  for (int r = 0; r < rows; r++) {
    const float* src = x + static_cast<std::ptrdiff_t>(r) * ld;
    std::uint32_t* dst = out + static_cast<std::ptrdiff_t>(r) * k2;
    int p = 0;
    for (; p + 32 <= k; p += 32) {
      const __m512bh v = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(src + p + 16), _mm512_loadu_ps(src + p));
      _mm512_storeu_si512(dst + p / 2, reinterpret_cast<__m512i>(v));
    }
    if (p < k) {
      const int left = k - p;  // 1 .. 31
      const __mmask16 lo = static_cast<__mmask16>(left >= 16 ? 0xFFFF : (1u << left) - 1);
      const __mmask16 hi = static_cast<__mmask16>(left > 16 ? (1u << (left - 16)) - 1 : 0);
      const __m512bh v =
          _mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(hi, src + p + 16), _mm512_maskz_loadu_ps(lo, src + p));
      const __mmask16 words = static_cast<__mmask16>((1u << ((left + 1) / 2)) - 1);
      _mm512_mask_storeu_epi32(dst + p / 2, words, reinterpret_cast<__m512i>(v));
    }
  }
}

// k x cols floats (row stride ld) into ceil(k / 2) x cols words, the pairs across two rows (x[2q, j], x[2q + 1, j]):
// both rows are converted into one vector (row 2q in the low half), then its 16-bit halves are interleaved.
PEERLEARN_BF16 void pairs_across_rows(const float* x, int ld, int k, int cols, std::uint32_t* out) {
  alignas(64) static const std::uint16_t kInterleave[32] = {0, 16, 1, 17, 2,  18, 3,  19, 4,  20, 5,  21, 6,  22, 7,  23,
                                                            8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};
  const __m512i idx = _mm512_load_si512(kInterleave);
  const int k2 = (k + 1) / 2;
  for (int q = 0; q < k2; q++) {
    const float* r0 = x + static_cast<std::ptrdiff_t>(2 * q) * ld;
    const bool second = 2 * q + 1 < k;
    std::uint32_t* dst = out + static_cast<std::ptrdiff_t>(q) * cols;
    for (int j = 0; j < cols; j += 16) {
      const __mmask16 m = static_cast<__mmask16>(cols - j >= 16 ? 0xFFFF : (1u << (cols - j)) - 1);
      const __m512 even = _mm512_maskz_loadu_ps(m, r0 + j);
      const __m512 odd = second ? _mm512_maskz_loadu_ps(m, r0 + ld + j) : _mm512_setzero_ps();
      const __m512i v = reinterpret_cast<__m512i>(_mm512_cvtne2ps_pbh(odd, even));
      _mm512_mask_storeu_epi32(dst + j, m, _mm512_permutexvar_epi16(idx, v));
    }
  }
}

// The fp32 micro-kernel's shape (micro_avx512_rows in gemm_x86.cc) on words: per step a word of pairs of A is
// broadcast, and vdpbf16ps adds both of its products with a word of B to each lane.
template <int ROWS, bool TA, bool PACKED>
PEERLEARN_BF16 void micro_bf16_rows(int kc, const float* a, int lda, const float* bp, int ldbp, float* c, int ldc,
                                    int nr, bool accumulate, const Epilogue* ep, int i0, int j0) {
  constexpr int MR = ROWS, NR = 32;
  const int step = PACKED ? NR : ldbp;
  const std::uint32_t* aw = reinterpret_cast<const std::uint32_t*>(a);
  __m512 acc[MR][2];
  PEERLEARN_UNROLL
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  for (int p = 0; p < kc; p++) {
    const __m512bh b0 = reinterpret_cast<__m512bh>(_mm512_loadu_si512(bp));
    const __m512bh b1 = reinterpret_cast<__m512bh>(_mm512_loadu_si512(bp + 16));
    PEERLEARN_UNROLL
    for (int i = 0; i < MR; i++) {
      const std::uint32_t word =
          TA ? aw[static_cast<std::ptrdiff_t>(p) * lda + i] : aw[static_cast<std::ptrdiff_t>(i) * lda + p];
      const __m512bh av = reinterpret_cast<__m512bh>(_mm512_set1_epi32(static_cast<int>(word)));
      acc[i][0] = _mm512_dpbf16_ps(acc[i][0], av, b0);
      acc[i][1] = _mm512_dpbf16_ps(acc[i][1], av, b1);
    }
    bp += step;
  }
  finish_tile_avx512<MR>(acc, c, ldc, nr, accumulate, ep, i0, j0);
}

// The bf16 row kernels, as micro_from_rows takes them (their steps are words: pairs of bf16 in a float's place).
struct Bf16Rows {
  static constexpr int kMaxRows = 12, kNr = 32;
  template <int ROWS, bool TA, bool PACKED>
  static void rows(int kc, const float* a, int lda, const float* bp, int ldbp, float* c, int ldc, int nr, bool acc,
                   const Epilogue* ep, int i0, int j0) {
    micro_bf16_rows<ROWS, TA, PACKED>(kc, a, lda, bp, ldbp, c, ldc, nr, acc, ep, i0, j0);
  }
};

// Words copy through the fp32 packing as floats: moves only, so their bits pass unchanged.
const BlockedPath kBf16Path = {12, 32, false, micro_from_rows<Bf16Rows>, pack_bt_avx512};

thread_local std::vector<std::uint32_t> words_a;
thread_local std::vector<std::uint32_t> words_b;

}  // namespace

void gemm_bf16(bool ta, bool tb, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c,
               int ldc, float beta, const Epilogue* ep) {
  const int k2 = (k + 1) / 2;
  words_a.resize(static_cast<std::size_t>(m) * k2);
  words_b.resize(static_cast<std::size_t>(n) * k2);
  // op(A) as words: m x k2 (A not transposed), else k2 x m; op(B): k2 x n (B not transposed), else n x k2.
  if (ta) pairs_across_rows(a, lda, k, m, words_a.data());
  else pairs_along_rows(a, lda, m, k, words_a.data());
  if (tb) pairs_along_rows(b, ldb, n, k, words_b.data());
  else pairs_across_rows(b, ldb, k, n, words_b.data());
  const float* wa = reinterpret_cast<const float*>(words_a.data());
  const float* wb = reinterpret_cast<const float*>(words_b.data());
  gemm_blocked(kBf16Path, ta, tb, m, n, k2, wa, ta ? m : k2, wb, tb ? k2 : n, c, ldc, beta, ep);
}

// 12 independent vdpbf16ps chains (64 FLOP each): the bf16 peak, as fma_block_avx512 is the fp32 one.
PEERLEARN_BF16 void dp_block_bf16(long iters) {
  for (long t = 0; t < iters; t++)
    __asm__ volatile(
        "vdpbf16ps %%zmm0, %%zmm1, %%zmm2\n vdpbf16ps %%zmm0, %%zmm1, %%zmm3\n"
        "vdpbf16ps %%zmm0, %%zmm1, %%zmm4\n vdpbf16ps %%zmm0, %%zmm1, %%zmm5\n"
        "vdpbf16ps %%zmm0, %%zmm1, %%zmm6\n vdpbf16ps %%zmm0, %%zmm1, %%zmm7\n"
        "vdpbf16ps %%zmm0, %%zmm1, %%zmm8\n vdpbf16ps %%zmm0, %%zmm1, %%zmm9\n"
        "vdpbf16ps %%zmm0, %%zmm1, %%zmm10\n vdpbf16ps %%zmm0, %%zmm1, %%zmm11\n"
        "vdpbf16ps %%zmm0, %%zmm1, %%zmm12\n vdpbf16ps %%zmm0, %%zmm1, %%zmm13\n" ::
            : "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13");
}

}  // namespace peerlearn

#endif  // x86-64
