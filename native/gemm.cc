// See gemm.h: the choice of path, the portable product, and the measured FMA peak. The SIMD paths live in
// gemm_x86.cc and gemm_neon.cc and share the driver of gemm_blocked.cc; the readable reference for every kernel
// is src/nn/kernels/js.ts, and tests compare the two.
#include <chrono>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "gemm_paths.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define PEERLEARN_X86 1
#endif

namespace peerlearn {

namespace {

// The portable path: what a CPU without a SIMD path here would run. The JavaScript side prefers the wasm kernels
// there (see src/nn/kernels/select.ts), so this serves tests and forced runs.
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

}  // namespace

bool isa_supported(Isa isa) {
  switch (isa) {
    case Isa::generic: return true;
#ifdef PEERLEARN_X86
    case Isa::avx512: __builtin_cpu_init(); return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
    case Isa::avx2: __builtin_cpu_init(); return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::avx512_bf16:
      __builtin_cpu_init();
      return isa_supported(Isa::avx512) && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512bf16");
#endif
#ifdef __aarch64__
    case Isa::neon: return true;  // Advanced SIMD is part of every AArch64 core
#endif
    default: return false;
  }
}

Isa detect_isa() {
  for (Isa isa : {Isa::avx512, Isa::avx2, Isa::neon})
    if (isa_supported(isa)) return isa;
  return Isa::generic;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::avx512: return "avx512";
    case Isa::avx2: return "avx2";
    case Isa::neon: return "neon";
    case Isa::avx512_bf16: return "avx512-bf16";
    default: return "generic";
  }
}

double fma_peak_gflops(Isa isa, double seconds) {
  void (*block)(long) = nullptr;
  double lanes = 0.0;
#ifdef PEERLEARN_X86
  if (isa == Isa::avx512) block = fma_block_avx512, lanes = 16.0;
  if (isa == Isa::avx2) block = fma_block_avx2, lanes = 8.0;
  if (isa == Isa::avx512_bf16) block = dp_block_bf16, lanes = 32.0;  // 16 lanes, two multiply-adds each
#endif
#ifdef __aarch64__
  if (isa == Isa::neon) block = fma_block_neon, lanes = 4.0;
#endif
  if (block == nullptr) return 0.0;
  const long chunk = 1 << 20;
  long iters = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0.0;
  do {
    block(chunk);
    iters += chunk;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (elapsed < seconds);
  return static_cast<double>(iters) * 12.0 * lanes * 2.0 / elapsed / 1e9;
}

namespace {

// The product without an epilogue (see gemm below).
void gemm_plain(Isa isa, bool ta, bool tb, int m, int n, int k, const float* a, int lda, const float* b, int ldb,
                float* c, int ldc, float beta, const Epilogue* ep) {
  const bool dot = use_dot_path(ta, tb, m, n, k, dot_max_cols(isa));
  switch (isa) {
#ifdef PEERLEARN_X86
    case Isa::avx512:
      if (dot) return dot_avx512(m, n, k, a, lda, b, ldb, c, ldc, beta);
      return gemm_blocked(kAvx512Path, ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta, ep);
    case Isa::avx512_bf16:
      if (dot) return dot_avx512(m, n, k, a, lda, b, ldb, c, ldc, beta);
      return gemm_bf16(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta, ep);
    case Isa::avx2:
      if (dot) return dot_avx2(m, n, k, a, lda, b, ldb, c, ldc, beta);
      return gemm_blocked(kAvx2Path, ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta, ep);
#endif
#ifdef __aarch64__
    case Isa::neon:
      if (dot) return dot_neon(m, n, k, a, lda, b, ldb, c, ldc, beta);
      return gemm_blocked(kNeonPath, ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta, ep);
#endif
    default: return gemm_generic(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta);
  }
}

// Whether gemm_plain applies the epilogue itself (the blocked paths do, tile by tile).
bool blocked_path(Isa isa, bool ta, bool tb, int m, int n, int k) {
  return isa != Isa::generic && !use_dot_path(ta, tb, m, n, k, dot_max_cols(isa));
}

thread_local std::vector<float> narrow_scratch;

}  // namespace

void gemm(Isa isa, bool ta, bool tb, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c,
          int ldc, float beta, const Epilogue* ep) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (beta == 0.0f)
      for (int i = 0; i < m; i++) std::memset(c + static_cast<std::ptrdiff_t>(i) * ldc, 0, sizeof(float) * n);
    if (ep != nullptr) apply_epilogue(*ep, c, ldc, 0, 0, m, n);
    return;
  }
  // A weight gradient of a narrow input layer (G^T X with X a few columns wide) would fill the micro-tiles' columns
  // mostly with padding; its transpose X^T G has the few columns as rows, where the blocked path reads B in place.
  if (ta && !tb && n <= 8 && m > 8 && isa != Isa::generic) {
    narrow_scratch.resize(static_cast<std::size_t>(n) * m);
    float* t = narrow_scratch.data();
    gemm_plain(isa, true, false, n, m, k, b, ldb, a, lda, t, m, 0.0f, nullptr);
    for (int i = 0; i < m; i++) {
      float* ci = c + static_cast<std::ptrdiff_t>(i) * ldc;
      for (int j = 0; j < n; j++) ci[j] = beta == 0.0f ? t[j * m + i] : ci[j] + t[j * m + i];
    }
    if (ep != nullptr) apply_epilogue(*ep, c, ldc, 0, 0, m, n);
    return;
  }
  gemm_plain(isa, ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta, ep);
  if (ep != nullptr && !blocked_path(isa, ta, tb, m, n, k)) apply_epilogue(*ep, c, ldc, 0, 0, m, n);
}

}  // namespace peerlearn
