// The end of every AVX-512 micro-kernel (fp32 and bf16): the MR x 32 accumulator tile, added to C when
// accumulating, finished with the epilogue in registers where it can (else in L1 through apply_epilogue), and
// stored; a ragged tile goes through a buffer. Internal to the native backend's x86 paths.
#pragma once
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#include "gemm_paths.h"

namespace peerlearn {

template <int MR>
__attribute__((target("avx512f"))) inline void finish_tile_avx512(__m512 (&acc)[MR][2], float* c, int ldc, int nr,
                                                                   bool accumulate, const Epilogue* ep, int i0,
                                                                   int j0) {
  constexpr int NR = 32;
  if (nr == NR && (ep == nullptr || epilogue_in_registers(ep))) {
    PEERLEARN_UNROLL
    for (int i = 0; i < MR; i++) {
      float* ci = c + static_cast<std::ptrdiff_t>(i) * ldc;
      if (accumulate) {
        acc[i][0] = _mm512_add_ps(acc[i][0], _mm512_loadu_ps(ci));
        acc[i][1] = _mm512_add_ps(acc[i][1], _mm512_loadu_ps(ci + 16));
      }
    }
    if (ep != nullptr) {
      // The epilogue's arithmetic as apply_epilogue's: z = c + bias, relu as (z > 0 ? z : 0), the mask as
      // (y > 0 ? g : 0), column sums row after row.
      const __m512 zero = _mm512_setzero_ps();
      if (ep->bias != nullptr) {
        const __m512 b0 = _mm512_loadu_ps(ep->bias + j0), b1 = _mm512_loadu_ps(ep->bias + j0 + 16);
        PEERLEARN_UNROLL
        for (int i = 0; i < MR; i++) {
          acc[i][0] = _mm512_add_ps(acc[i][0], b0);
          acc[i][1] = _mm512_add_ps(acc[i][1], b1);
          if (ep->act == 1) {
            acc[i][0] = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(acc[i][0], zero, _CMP_GT_OQ), acc[i][0]);
            acc[i][1] = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(acc[i][1], zero, _CMP_GT_OQ), acc[i][1]);
          }
        }
      }
      if (ep->y != nullptr && ep->dact == 1) {
        PEERLEARN_UNROLL
        for (int i = 0; i < MR; i++) {
          const float* yi = ep->y + static_cast<std::ptrdiff_t>(i0 + i) * ep->ldy + j0;
          acc[i][0] = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(_mm512_loadu_ps(yi), zero, _CMP_GT_OQ), acc[i][0]);
          acc[i][1] = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(_mm512_loadu_ps(yi + 16), zero, _CMP_GT_OQ), acc[i][1]);
        }
      }
      if (ep->colsum != nullptr) {
        __m512 s0 = _mm512_loadu_ps(ep->colsum + j0), s1 = _mm512_loadu_ps(ep->colsum + j0 + 16);
        PEERLEARN_UNROLL
        for (int i = 0; i < MR; i++) {
          s0 = _mm512_add_ps(s0, acc[i][0]);
          s1 = _mm512_add_ps(s1, acc[i][1]);
        }
        _mm512_storeu_ps(ep->colsum + j0, s0);
        _mm512_storeu_ps(ep->colsum + j0 + 16, s1);
      }
    }
    PEERLEARN_UNROLL
    for (int i = 0; i < MR; i++) {
      float* ci = c + static_cast<std::ptrdiff_t>(i) * ldc;
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
  if (ep != nullptr) apply_epilogue(*ep, c, ldc, i0, j0, MR, nr);
}

}  // namespace peerlearn

#endif  // x86-64
