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

// One micro-tile: C[0:mr, 0:nr] (+)= A' Bp, where Bp is a panel of NR columns of op(B), kc steps ldbp floats
// apart (a packed panel, zero-padded past nr: ldbp = NR; or B itself read in place: ldbp = ldb) and A' is mr rows
// of op(A): a packed panel (kc steps of MR floats) when the path packs A, otherwise op(A) read in place at `a`
// (row stride lda, transposed when ta). Only the valid mr x nr part of C is written. With an epilogue (the tile's
// top-left corner is C[i0, j0]), the tile is finished with it: in registers where the path can, else in L1.
using MicroKernel = void (*)(int kc, const float* a, int lda, bool ta, const float* bp, int ldbp, float* c, int ldc,
                             int mr, int nr, bool accumulate, const Epilogue* ep, int i0, int j0);

// A MicroKernel made of a family of row kernels, K::rows<ROWS, TA, PACKED> (the x86 paths: fp32 AVX-512 and AVX2,
// bf16): the tile's rows (1 .. K::kMaxRows), whether op(A) is transposed and whether B is a packed panel (its steps
// K::kNr floats apart, known to the compiler) become compile-time constants of the kernel that runs.
template <class K, int ROWS = K::kMaxRows>
void micro_from_rows(int kc, const float* a, int lda, bool ta, const float* bp, int ldbp, float* c, int ldc, int mr,
                     int nr, bool acc, const Epilogue* ep, int i0, int j0) {
  if constexpr (ROWS > 1) {
    if (mr < ROWS) return micro_from_rows<K, ROWS - 1>(kc, a, lda, ta, bp, ldbp, c, ldc, mr, nr, acc, ep, i0, j0);
  }
  const bool packed = ldbp == K::kNr;
  if (ta) {
    if (packed) return K::template rows<ROWS, true, true>(kc, a, lda, bp, ldbp, c, ldc, nr, acc, ep, i0, j0);
    return K::template rows<ROWS, true, false>(kc, a, lda, bp, ldbp, c, ldc, nr, acc, ep, i0, j0);
  }
  if (packed) return K::template rows<ROWS, false, true>(kc, a, lda, bp, ldbp, c, ldc, nr, acc, ep, i0, j0);
  return K::template rows<ROWS, false, false>(kc, a, lda, bp, ldbp, c, ldc, nr, acc, ep, i0, j0);
}

// Whether a path may apply this epilogue in registers: bias with identity or relu, the relu mask, column sums.
// tanh and its derivative go through apply_epilogue, whose compiled arithmetic is the definition's.
inline bool epilogue_in_registers(const Epilogue* ep) {
  return ep->act != 2 && (ep->y == nullptr || ep->dact != 2);
}

// Packs columns j0 .. j0 + cols of op(B) = B^T (B stored n x k, row stride ldb), steps p0 .. p0 + kc, into one
// panel of nr_tile columns (kc steps of nr_tile floats, zero past cols): a transpose, done in registers.
using PackTransposed = void (*)(const float* b, int ldb, int p0, int kc, int j0, int cols, int nr_tile, float* panel);

struct BlockedPath {
  int mr;
  int nr;
  // Whether A is packed. The x86 kernels broadcast single values of A and read them in place at full speed (the
  // rows of a tile stay in L1); packing would only add a copy. NEON loads A as vectors and needs it packed.
  bool pack_a;
  MicroKernel micro;
  // Packs a panel of a transposed B (nullptr: the portable loop of gemm_blocked.cc).
  PackTransposed pack_bt;
};

// C = op(A) op(B) + beta C through packed panels (see gemm_blocked.cc for the loop order and block sizes).
void gemm_blocked(const BlockedPath& path, bool ta, bool tb, int m, int n, int k, const float* a, int lda,
                  const float* b, int ldb, float* c, int ldc, float beta, const Epilogue* ep);

// The portable transposed pack of columns j_begin .. j_end, steps p_begin .. p_end of one panel (see
// PackTransposed): what the SIMD packs do at the edges of their blocks.
inline void pack_bt_scalar(const float* b, int ldb, int p0, int p_begin, int p_end, int j0, int j_begin, int j_end,
                           int nr_tile, float* panel) {
  for (int j = j_begin; j < j_end; j++) {
    const float* src = b + static_cast<std::ptrdiff_t>(j0 + j) * ldb + p0;
    for (int p = p_begin; p < p_end; p++) panel[p * nr_tile + j] = src[p];
  }
}

// C = A B^T (+ beta C) as dot products along the contiguous rows of A and B: the shape of a thin product, where
// packing a panel that is mostly padding, or used for a single row, costs more than it saves.
using DotKernel = void (*)(int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c, int ldc,
                           float beta);

// Thin products take the dot path: few output columns (an output layer) or few rows (acting on one observation),
// along an inner dimension long enough for whole vectors (an input layer of 4 or 17 is better packed). The blocked
// path's cost on few columns is mostly packing A (about 22 us for 256 x 256 on Zen 5, whatever the columns), the dot
// path's about 1 us per column with AVX-512 and 1.4 with AVX2: `max_cols` (dot_max_cols) is where they cross.
inline bool use_dot_path(bool ta, bool tb, int m, int n, int k, int max_cols) {
  return !ta && tb && k >= 16 && (n <= max_cols || m <= 32);
}
// (A SAC head of 2 x 6 outputs: the dot path with AVX-512 and AVX2, whose tiles are 32 and 16 columns wide.)
inline int dot_max_cols(Isa isa) {
  return isa == Isa::avx512 || isa == Isa::avx512_bf16 ? 16 : isa == Isa::avx2 ? 12 : 8;
}

// Per-path entry points; each is defined only where its instruction set can be compiled (x86-64 or arm64).
extern const BlockedPath kAvx512Path;
extern const BlockedPath kAvx2Path;
extern const BlockedPath kNeonPath;
void dot_avx512(int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c, int ldc, float beta);
void dot_avx2(int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c, int ldc, float beta);
void dot_neon(int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c, int ldc, float beta);

// The SIMD transposed packs (PackTransposed); the bf16 path shares the AVX-512 one.
void pack_bt_avx512(const float* b, int ldb, int p0, int kc, int j0, int cols, int nr_tile, float* panel);
void pack_bt_avx2(const float* b, int ldb, int p0, int kc, int j0, int cols, int nr_tile, float* panel);

// The bf16 product (gemm_bf16.cc): bf16 inputs, fp32 accumulation and C, the same epilogue.
void gemm_bf16(bool ta, bool tb, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c,
               int ldc, float beta, const Epilogue* ep);

// `iters` blocks of 12 independent register-only FMAs (the peak measurement of gemm.cc); dp_block_bf16: of 12
// vdpbf16ps (each two multiply-adds per fp32 lane).
void dp_block_bf16(long iters);
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
