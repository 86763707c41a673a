// Matrix product and element-wise kernels of peerlearn's native backend.
//
// C = op(A) op(B) + beta C on row-major float32 matrices (beta 0 or 1), with one path per instruction set, chosen
// at run time: AVX-512 (micro-tile 12 x 32), AVX2 + FMA (6 x 16), NEON on arm64 (8 x 12) and portable C++. The
// SIMD paths share one blocked driver (gemm_blocked.cc) that packs op(A) and op(B) into panels, and each has a
// dot-product path for thin products (an output layer, a forward pass on a few rows).
#pragma once
#include <cstddef>

namespace peerlearn {

// avx512_bf16 is AVX-512 with the blocked products in bf16 (gemm_bf16.cc): opt-in, never detected as the best.
enum class Isa { generic = 0, avx2 = 1, avx512 = 2, neon = 3, avx512_bf16 = 4 };

// The best fp32 path this CPU runs; `generic` when it has no SIMD path here (then the JavaScript side prefers wasm).
Isa detect_isa();
const char* isa_name(Isa isa);
// Whether this CPU can run the given path (generic always can).
bool isa_supported(Isa isa);

// Measured fused multiply-add throughput of this core with the given instruction set, in GFLOP/s (a tight loop of
// independent register-only FMAs, about `seconds` long; for avx512_bf16, of vdpbf16ps): the ceiling a GEMM is
// compared with.
double fma_peak_gflops(Isa isa, double seconds);

// What a product does to each finished tile of C while the tile is still in L1, instead of another pass over C:
// a forward layer adds its bias and applies its activation; the backward product into a hidden layer multiplies
// by that layer's activation derivative and adds up the columns (its bias gradient). The unfused definition is
// bias_act, then act_backward, then sum_rows (with beta 1) after the product, and the result is the same to the bit.
struct Epilogue {
  const float* bias = nullptr;  // c[i, j] = act(c[i, j] + bias[j])
  int act = 0;
  const float* y = nullptr;  // c[i, j] *= act'(.), written in terms of the activation's output y[i, j]
  int ldy = 0;
  int dact = 0;
  float* colsum = nullptr;  // colsum[j] += c[i, j], row after row
};

void gemm(Isa isa, bool trans_a, bool trans_b, int m, int n, int k, const float* a, int lda, const float* b, int ldb,
          float* c, int ldc, float beta, const Epilogue* ep = nullptr);
// The epilogue on rows x cols of C starting at row i0, column j0 (c points at that corner).
void apply_epilogue(const Epilogue& ep, float* c, int ldc, int i0, int j0, int rows, int cols);

void bias_act(float* y, const float* bias, int rows, int cols, int act);
void act_backward(float* grad, const float* y, int n, int act);
void sum_rows(const float* src, int rows, int cols, float* dst, float beta);
void adam(float* p, const float* g, float* m, float* v, int n, float b1, float b2, float eps, float step_size,
          float bc2_sqrt);
void polyak(float* target, const float* source, int n, float tau);
void scale(float* x, int n, float s);
double sum_squares(const float* x, int n);

}  // namespace peerlearn
