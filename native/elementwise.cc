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

// Activation codes: 0 identity, 1 relu, 2 tanh (src/nn/kernels/kernels.ts).
PEERLEARN_CLONES void bias_act(float* y, const float* bias, int rows, int cols, int act) {
  for (int r = 0; r < rows; r++) {
    float* row = y + static_cast<std::ptrdiff_t>(r) * cols;
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
}

PEERLEARN_CLONES void act_backward(float* grad, const float* y, int n, int act) {
  if (act == 1) {
    for (int i = 0; i < n; i++) grad[i] = y[i] > 0.0f ? grad[i] : 0.0f;
  } else if (act == 2) {
    for (int i = 0; i < n; i++) grad[i] *= 1.0f - y[i] * y[i];
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

double sum_squares(const float* x, int n) {
  // Eight independent double accumulators: vectorisable without reassociation flags, and exact enough for a norm.
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; l++) acc[l] += static_cast<double>(x[i + l]) * x[i + l];
  for (; i < n; i++) acc[0] += static_cast<double>(x[i]) * x[i];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

}  // namespace peerlearn
