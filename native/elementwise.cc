// Element-wise kernels of the native backend: one source, compiled for each x86 instruction set and picked by the
// loader (GCC/Clang function multi-versioning), so that the compiler's auto-vectoriser does the work; on arm64 the
// baseline build already vectorises with NEON. The readable definitions are in src/nn/kernels/js.ts.
#include <cmath>
#include <cstddef>

#include "gemm.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(PEERLEARN_NO_CLONES)
#define PEERLEARN_CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#else
#define PEERLEARN_CLONES
#endif

namespace peerlearn {

namespace {

// Activation codes: 0 identity, 1 relu, 2 tanh (src/nn/kernels/kernels.ts). One row of bias_act, and a span of
// act_backward: shared with the products' epilogue, so that fused and unfused give the same bits.
inline void bias_act_row(float* row, const float* bias, int cols, int act) {
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

inline void act_backward_span(float* grad, const float* y, int n, int act) {
  if (act == 1) {
    for (int i = 0; i < n; i++) grad[i] = y[i] > 0.0f ? grad[i] : 0.0f;
  } else if (act == 2) {
    for (int i = 0; i < n; i++) grad[i] *= 1.0f - y[i] * y[i];
  }
}

}  // namespace

PEERLEARN_CLONES void bias_act(float* y, const float* bias, int rows, int cols, int act) {
  for (int r = 0; r < rows; r++) bias_act_row(y + static_cast<std::ptrdiff_t>(r) * cols, bias, cols, act);
}

PEERLEARN_CLONES void act_backward(float* grad, const float* y, int n, int act) { act_backward_span(grad, y, n, act); }

PEERLEARN_CLONES void apply_epilogue(const Epilogue& ep, float* c, int ldc, int i0, int j0, int rows, int cols) {
  for (int r = 0; r < rows; r++) {
    float* row = c + static_cast<std::ptrdiff_t>(r) * ldc;
    if (ep.bias != nullptr) bias_act_row(row, ep.bias + j0, cols, ep.act);
    if (ep.y != nullptr) act_backward_span(row, ep.y + static_cast<std::ptrdiff_t>(i0 + r) * ep.ldy + j0, cols, ep.dact);
    if (ep.colsum != nullptr) {
      float* sum = ep.colsum + j0;
      for (int j = 0; j < cols; j++) sum[j] += row[j];
    }
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

PEERLEARN_CLONES double sum_squares(const float* x, int n) {
  // Sixteen float lanes over blocks of 256 (16 products each), each block's sum added in double: as fast as the
  // loads, and within a few float ulps of the double sum, which is what a norm for clipping needs.
  double total = 0.0;
  int i = 0;
  for (; i + 256 <= n; i += 256) {
    float acc[16] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    for (int q = 0; q < 256; q += 16)
      for (int l = 0; l < 16; l++) acc[l] += x[i + q + l] * x[i + q + l];
    double block = 0.0;
    for (int l = 0; l < 16; l++) block += acc[l];
    total += block;
  }
  for (; i < n; i++) total += static_cast<double>(x[i]) * x[i];
  return total;
}

}  // namespace peerlearn
