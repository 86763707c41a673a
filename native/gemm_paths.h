// The pieces each instruction-set path provides to gemm.cc, and the blocked driver they share. Internal to the
// native backend.
#pragma once
#include "gemm.h"

// Accumulators live in small arrays indexed by constants once the loops over them are unrolled; without full
// unrolling GCC keeps them in memory and the kernel runs at a third of its speed.
#if defined(__clang__)
#define PEERLEARN_UNROLL _Pragma("unroll")
#else
#define PEERLEARN_UNROLL _Pragma("GCC unroll 32")
#endif

namespace peerlearn {

// One micro-tile: C[0:mr, 0:nr] (+)= A' Bp, where Bp is a packed panel of NR columns of op(B) (kc steps of NR
// floats, zero-padded past nr) and A' is mr rows of op(A): a packed panel (kc steps of MR floats) when the path
// packs A, otherwise op(A) read in place at `a` (row stride lda, transposed when ta). Only the valid mr x nr part
// of C is written.
using MicroKernel = void (*)(int kc, const float* a, int lda, bool ta, const float* bp, float* c, int ldc, int mr,
                             int nr, bool accumulate);

struct BlockedPath {
  int mr;
  int nr;
  // Whether A is packed. The x86 kernels broadcast single values of A and read them in place at full speed (the
  // rows of a tile stay in L1); packing would only add a copy. NEON loads A as vectors and needs it packed.
  bool pack_a;
  MicroKernel micro;
};

// C = op(A) op(B) + beta C through packed panels (see gemm_blocked.cc for the loop order and block sizes).
void gemm_blocked(const BlockedPath& path, bool ta, bool tb, int m, int n, int k, const float* a, int lda,
                  const float* b, int ldb, float* c, int ldc, float beta);

// C = A B^T (+ beta C) as dot products along the contiguous rows of A and B: the shape of a thin product, where
// packing a panel that is mostly padding, or used for a single row, costs more than it saves.
using DotKernel = void (*)(int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c, int ldc,
                           float beta);

// Thin products take the dot path: few output columns (an output layer) or few rows (acting on one observation),
// along an inner dimension long enough for whole vectors (an input layer of 4 or 17 is better packed).
inline bool use_dot_path(bool ta, bool tb, int m, int n, int k) { return !ta && tb && k >= 16 && (n <= 8 || m <= 32); }

// Per-path entry points; each is defined only where its instruction set can be compiled (x86-64 or arm64).
extern const BlockedPath kAvx512Path;
extern const BlockedPath kAvx2Path;
extern const BlockedPath kNeonPath;
void dot_avx512(int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c, int ldc, float beta);
void dot_avx2(int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c, int ldc, float beta);
void dot_neon(int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c, int ldc, float beta);

// `iters` blocks of 12 independent register-only FMAs (the peak measurement of gemm.cc).
void fma_block_avx512(long iters);
void fma_block_avx2(long iters);
void fma_block_neon(long iters);

// Writes an MR x NR register tile (stored row by row in `tile`) to C, clipped to mr x nr: the edge case of every
// micro-kernel.
inline void store_edge_tile(const float* tile, int tile_cols, float* c, int ldc, int mr, int nr, bool accumulate) {
  for (int i = 0; i < mr; i++) {
    float* ci = c + static_cast<std::ptrdiff_t>(i) * ldc;
    const float* ti = tile + i * tile_cols;
    if (accumulate)
      for (int j = 0; j < nr; j++) ci[j] += ti[j];
    else
      for (int j = 0; j < nr; j++) ci[j] = ti[j];
  }
}

}  // namespace peerlearn
