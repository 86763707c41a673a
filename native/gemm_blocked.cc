// The blocked matrix product shared by the SIMD paths, after the BLIS/GotoBLAS design: for each slice of KC steps
// of the inner dimension, op(B) is packed into panels of NR columns (the panel a micro-kernel sweeps stays in L1),
// then op(A) is taken MC rows at a time (the block stays in L2), packed into panels of MR rows where the path asks
// for it, and the micro-kernel computes each MR x NR tile in registers. Packing B makes its transpose free.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "gemm_paths.h"

namespace peerlearn {

namespace {

constexpr int KC = 256;  // inner-dimension slice: an AVX2 B panel is 256 x 16 floats = 16 KiB, half an L1
constexpr int MC = 144;  // rows of op(A) per packed block (144 x 256 floats = 144 KiB); a multiple of 6, 8 and 12

// Aligned scratch that grows on demand and is kept: one per thread, so trainer threads never share it and a
// steady-state product allocates nothing.
struct PackBuffer {
  float* data = nullptr;
  std::size_t floats = 0;
  PackBuffer() = default;
  PackBuffer(const PackBuffer&) = delete;
  PackBuffer& operator=(const PackBuffer&) = delete;
  ~PackBuffer() { std::free(data); }
  float* reserve(std::size_t n) {
    if (n > floats) {
      std::free(data);
      const std::size_t bytes = (n * sizeof(float) + 63) & ~static_cast<std::size_t>(63);
      data = static_cast<float*>(std::aligned_alloc(64, bytes));
      floats = data != nullptr ? n : 0;
    }
    return data;
  }
};

thread_local PackBuffer packed_a;
thread_local PackBuffer packed_b;

inline int round_up(int x, int to) { return (x + to - 1) / to * to; }

// op(A)[i0 : i0 + mc, p0 : p0 + kc] into panels of mr_tile rows: panel q holds rows q*mr_tile.. as kc steps of
// mr_tile floats, zero past the last row.
void pack_a(bool ta, const float* a, int lda, int i0, int mc, int p0, int kc, int mr_tile, float* dst) {
  for (int ir = 0; ir < mc; ir += mr_tile) {
    const int rows = mc - ir < mr_tile ? mc - ir : mr_tile;
    float* panel = dst + static_cast<std::ptrdiff_t>(ir) * kc;
    if (ta) {  // op(A)[i, p] = A[p, i]: the rows of a step are contiguous
      for (int p = 0; p < kc; p++) {
        const float* src = a + static_cast<std::ptrdiff_t>(p0 + p) * lda + i0 + ir;
        float* d = panel + p * mr_tile;
        for (int r = 0; r < rows; r++) d[r] = src[r];
        for (int r = rows; r < mr_tile; r++) d[r] = 0.0f;
      }
    } else {
      for (int r = 0; r < rows; r++) {
        const float* src = a + static_cast<std::ptrdiff_t>(i0 + ir + r) * lda + p0;
        for (int p = 0; p < kc; p++) panel[p * mr_tile + r] = src[p];
      }
      for (int r = rows; r < mr_tile; r++)
        for (int p = 0; p < kc; p++) panel[p * mr_tile + r] = 0.0f;
    }
  }
}

// op(B)[p0 : p0 + kc, j_from : n] into panels of nr_tile columns: panel q holds columns j_from + q*nr_tile.. as
// kc steps of nr_tile floats, zero past the last column.
void pack_b(const BlockedPath& path, bool tb, const float* b, int ldb, int p0, int kc, int j_from, int n,
            float* dst) {
  const int nr_tile = path.nr;
  for (int j0 = j_from; j0 < n; j0 += nr_tile) {
    const int cols = n - j0 < nr_tile ? n - j0 : nr_tile;
    float* panel = dst + static_cast<std::ptrdiff_t>(j0 - j_from) * kc;
    if (!tb) {
      for (int p = 0; p < kc; p++) {
        const float* src = b + static_cast<std::ptrdiff_t>(p0 + p) * ldb + j0;
        float* d = panel + p * nr_tile;
        std::memcpy(d, src, sizeof(float) * cols);
        for (int j = cols; j < nr_tile; j++) d[j] = 0.0f;
      }
      continue;
    }
    // op(B)[p, j] = B[j, p]: a column of op(B) is a contiguous row of B
    if (path.pack_bt != nullptr)
      path.pack_bt(b, ldb, p0, kc, j0, cols, nr_tile, panel);
    else
      pack_bt_scalar(b, ldb, p0, 0, kc, j0, 0, cols, nr_tile, panel);
    for (int j = cols; j < nr_tile; j++)
      for (int p = 0; p < kc; p++) panel[p * nr_tile + j] = 0.0f;
  }
}

}  // namespace

void gemm_blocked(const BlockedPath& path, bool ta, bool tb, int m, int n, int k, const float* a, int lda,
                  const float* b, int ldb, float* c, int ldc, float beta, const Epilogue* ep) {
  const int MR = path.mr, NR = path.nr;
  const int kc_max = k < KC ? k : KC;
  // With one tile of rows, a packed panel of B would serve once: the full panels are read in place instead (rows
  // of B are contiguous when it is not transposed) and only a ragged last panel is packed.
  const bool b_in_place = !tb && m <= MR;
  const int packed_from = b_in_place ? n / NR * NR : 0;
  float* pb = packed_b.reserve(static_cast<std::size_t>(round_up(n - packed_from, NR)) * kc_max + 1);
  float* pa = path.pack_a ? packed_a.reserve(static_cast<std::size_t>(round_up(m < MC ? m : MC, MR)) * kc_max) : nullptr;
  if ((path.pack_a && pa == nullptr) || pb == nullptr) std::abort();  // out of memory for a few hundred KiB: nothing sensible to do
  for (int p0 = 0; p0 < k; p0 += KC) {
    const int kc = k - p0 < KC ? k - p0 : KC;
    const bool accumulate = beta != 0.0f || p0 > 0;
    const bool last_slice = p0 + kc >= k;
    pack_b(path, tb, b, ldb, p0, kc, packed_from, n, pb);
    for (int i0 = 0; i0 < m; i0 += MC) {
      const int mc = m - i0 < MC ? m - i0 : MC;
      if (path.pack_a) pack_a(ta, a, lda, i0, mc, p0, kc, MR, pa);
      for (int j0 = 0; j0 < n; j0 += NR) {
        const int nr = n - j0 < NR ? n - j0 : NR;
        const bool in_place = j0 < packed_from;
        const float* bpanel = in_place ? b + static_cast<std::ptrdiff_t>(p0) * ldb + j0
                                       : pb + static_cast<std::ptrdiff_t>(j0 - packed_from) * kc;
        const int ldbp = in_place ? ldb : NR;
        for (int ir = 0; ir < mc; ir += MR) {
          const int mr = mc - ir < MR ? mc - ir : MR;
          float* ct = c + static_cast<std::ptrdiff_t>(i0 + ir) * ldc + j0;
          const int i = i0 + ir;  // op(A)[i, p0] in place: A[i, p0], or A[p0, i] when transposed
          const float* at = path.pack_a ? pa + static_cast<std::ptrdiff_t>(ir) * kc
                            : ta        ? a + static_cast<std::ptrdiff_t>(p0) * lda + i
                                        : a + static_cast<std::ptrdiff_t>(i) * lda + p0;
          // Tiles of one column panel come in row order, so column sums add rows in the order sum_rows does.
          path.micro(kc, at, lda, ta, bpanel, ldbp, ct, ldc, mr, nr, accumulate, last_slice ? ep : nullptr, i, j0);
        }
      }
    }
  }
}

}  // namespace peerlearn
