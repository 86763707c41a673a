// Stand-alone test of the native kernels against their definitions, for every instruction-set path this CPU runs.
// Built and run by test/native-kernels.test.ts: natively, and cross-compiled for arm64 and run under qemu-user so
// that the NEON path is tested on machines without an arm64 core. Prints one line per failure and a closing
// "N passed, N failed" line; exits 1 on any failure.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "gemm.h"

using peerlearn::Isa;

namespace {

int passed = 0, failed = 0;

void check(bool ok, const char* what, const char* isa, int m, int n, int k, bool ta, bool tb, float beta) {
  if (ok) {
    passed++;
    return;
  }
  failed++;
  std::printf("FAIL %s [%s] m=%d n=%d k=%d ta=%d tb=%d beta=%g\n", what, isa, m, n, k, ta, tb, beta);
}

// A small deterministic generator (values in [-1, 1)): the test needs no library beyond the kernels.
struct Lcg {
  unsigned long long s = 12345;
  float next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<float>((s >> 40) & 0xFFFFFF) / 8388608.0f - 1.0f;
  }
};

void test_gemm(Isa isa) {
  // Edges of every path: partial micro-tiles both ways, k over one packed slice (256), thin products (the dot
  // path: m <= 32, or n <= 8, 12 or 16 by path, with B transposed), and blocks of A over one packed block (144 rows).
  const int shapes[][3] = {{1, 1, 1},    {13, 37, 19}, {12, 32, 256}, {7, 5, 300},  {64, 4, 33},   {256, 3, 17},
                           {5, 70, 600}, {3, 70, 41},  {16, 33, 20},  {17, 9, 7},   {6, 16, 1},    {8, 12, 5},
                           {150, 40, 9}, {300, 49, 513}, {24, 64, 256}, {1, 256, 256}, {33, 1, 70},
                           {256, 12, 256}, {40, 16, 50}, {50, 17, 40}};
  Lcg rng;
  for (const auto& s : shapes) {
    const int m = s[0], n = s[1], k = s[2];
    for (int ta = 0; ta < 2; ta++)
      for (int tb = 0; tb < 2; tb++) {
        // Leading dimensions larger than the rows, or equal to them (a row stride of one micro-tile's width
        // must not pass for a packed panel).
        const int pad = (m + n + k) % 2 == 0 ? 0 : 3;
        const int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        std::vector<float> a(static_cast<size_t>(ta ? k : m) * lda), b(static_cast<size_t>(tb ? n : k) * ldb);
        for (float& x : a) x = rng.next();
        for (float& x : b) x = rng.next();
        std::vector<double> ref(static_cast<size_t>(m) * n, 0.0), mag(ref.size(), 0.0);
        for (int i = 0; i < m; i++)
          for (int j = 0; j < n; j++) {
            double acc = 0.0, abs_acc = 0.0;
            for (int p = 0; p < k; p++) {
              const double t = static_cast<double>(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
              acc += t;
              abs_acc += std::fabs(t);
            }
            ref[i * n + j] = acc;
            mag[i * n + j] = abs_acc;
          }
        for (float beta : {0.0f, 1.0f}) {
          std::vector<float> c(static_cast<size_t>(m) * ldc, beta == 0.0f ? NAN : 0.5f);  // beta 0 ignores C
          peerlearn::gemm(isa, ta, tb, m, n, k, a.data(), lda, b.data(), ldb, c.data(), ldc, beta);
          bool ok = true;
          for (int i = 0; i < m && ok; i++) {
            for (int j = 0; j < n; j++) {
              const double want = ref[i * n + j] + (beta == 1.0f ? 0.5 : 0.0);
              // bf16 rounds each input to 8 significant bits (relative error <= 2^-9, a product's <= 2^-8): the
              // error of a sum is within 2^-7 of the sum of its terms' magnitudes.
              const double tol = isa == Isa::avx512_bf16 ? mag[i * n + j] / 128.0 + 1e-5
                                                         : 1e-4 * std::sqrt(static_cast<double>(k)) + 1e-5;
              if (!(std::fabs(c[i * ldc + j] - want) < tol)) ok = false;
            }
            for (int j = n; j < ldc; j++)  // the padding between rows stays untouched
              if (!(beta == 0.0f ? std::isnan(c[i * ldc + j]) : c[i * ldc + j] == 0.5f)) ok = false;
          }
          check(ok, "gemm", peerlearn::isa_name(isa), m, n, k, ta, tb, beta);
        }
      }
  }
}

// The fused epilogue against its definition: the product, then bias_act, act_backward and sum_rows (beta 1), to
// the bit, on shapes that take the blocked, dot (few rows; up to 8, 12 or 16 columns by path), narrow and portable
// routes.
void test_epilogue(Isa isa) {
  const int shapes[][3] = {{256, 256, 256}, {13, 37, 19}, {300, 49, 513}, {256, 4, 256},
                           {5, 70, 600},   {64, 6, 33},  {256, 12, 256}, {40, 13, 50}};
  Lcg rng;
  for (const auto& s : shapes) {
    const int m = s[0], n = s[1], k = s[2];
    for (int act = 0; act < 3; act++)
      for (int tb = 0; tb < 2; tb++) {
        std::vector<float> a(static_cast<size_t>(m) * k), b(static_cast<size_t>(k) * n), y(static_cast<size_t>(m) * n),
            bias(n), sum0(n), sum1(n);
        for (float& x : a) x = rng.next();
        for (float& x : b) x = rng.next();
        for (float& x : y) x = rng.next() * 0.9f;
        for (int j = 0; j < n; j++) bias[j] = rng.next(), sum0[j] = sum1[j] = rng.next();
        std::vector<float> want(static_cast<size_t>(m) * n), got(want.size()), back_want(want.size()),
            back_got(want.size());
        const int ldb = tb ? k : n;
        peerlearn::gemm(isa, false, tb, m, n, k, a.data(), k, b.data(), ldb, want.data(), n, 0.0f);
        back_want = want;
        peerlearn::bias_act(want.data(), bias.data(), m, n, act);
        peerlearn::act_backward(back_want.data(), y.data(), m * n, act);
        peerlearn::sum_rows(back_want.data(), m, n, sum0.data(), 1.0f);
        peerlearn::Epilogue forward;
        forward.bias = bias.data();
        forward.act = act;
        peerlearn::gemm(isa, false, tb, m, n, k, a.data(), k, b.data(), ldb, got.data(), n, 0.0f, &forward);
        peerlearn::Epilogue backward;
        backward.y = y.data();
        backward.ldy = n;
        backward.dact = act;
        backward.colsum = sum1.data();
        peerlearn::gemm(isa, false, tb, m, n, k, a.data(), k, b.data(), ldb, back_got.data(), n, 0.0f, &backward);
        const bool ok = std::memcmp(want.data(), got.data(), sizeof(float) * want.size()) == 0 &&
                        std::memcmp(back_want.data(), back_got.data(), sizeof(float) * want.size()) == 0 &&
                        std::memcmp(sum0.data(), sum1.data(), sizeof(float) * n) == 0;
        check(ok, "gemm epilogue", peerlearn::isa_name(isa), m, n, k, false, tb, static_cast<float>(act));
      }
  }
}

// The bf16 path really rounds its inputs: 1 + 2^-10 is 1 in bf16, so a product of such values sums to exactly k
// (fp32 would give k (1 + 2^-10)), on a shape that takes the blocked path.
void test_bf16_rounds() {
  const int m = 24, n = 32, k = 40;
  std::vector<float> a(static_cast<size_t>(m) * k, 1.0f + 1.0f / 1024.0f), b(static_cast<size_t>(k) * n, 1.0f), c(m * n);
  peerlearn::gemm(Isa::avx512_bf16, false, false, m, n, k, a.data(), k, b.data(), n, c.data(), n, 0.0f);
  bool ok = true;
  for (float x : c)
    if (x != static_cast<float>(k)) ok = false;
  check(ok, "gemm rounds inputs to bf16", "avx512-bf16", m, n, k, false, false, 0);
}

void test_elementwise() {
  Lcg rng;
  const int n = 37;
  std::vector<float> x(n), y(n), g(n), bias(n);
  for (int i = 0; i < n; i++) x[i] = rng.next(), g[i] = rng.next(), bias[i] = rng.next();
  for (int act = 0; act < 3; act++) {
    y = x;
    peerlearn::bias_act(y.data(), bias.data(), 1, n, act);
    bool ok = true;
    for (int i = 0; i < n; i++) {
      const float z = x[i] + bias[i];
      const float want = act == 1 ? (z > 0 ? z : 0) : act == 2 ? std::tanh(z) : z;
      if (std::fabs(y[i] - want) > 1e-6f) ok = false;
    }
    check(ok, "bias_act", "elementwise", 1, n, act, false, false, 0);
  }
  std::vector<float> target = x;
  peerlearn::polyak(target.data(), g.data(), n, 0.25f);
  bool ok = true;
  for (int i = 0; i < n; i++)
    if (std::fabs(target[i] - (0.75f * x[i] + 0.25f * g[i])) > 1e-6f) ok = false;
  check(ok, "polyak", "elementwise", 1, n, 0, false, false, 0);
  double want = 0.0;
  for (int i = 0; i < n; i++) want += static_cast<double>(x[i]) * x[i];
  check(std::fabs(peerlearn::sum_squares(x.data(), n) - want) < 1e-9, "sum_squares", "elementwise", 1, n, 0, false,
        false, 0);
}

}  // namespace

int main() {
  const Isa paths[] = {Isa::generic, Isa::avx2, Isa::avx512, Isa::neon, Isa::avx512_bf16};
  for (Isa isa : paths) {
    if (!peerlearn::isa_supported(isa)) continue;
    std::printf("path %s\n", peerlearn::isa_name(isa));
    test_gemm(isa);
    test_epilogue(isa);
  }
  if (peerlearn::isa_supported(Isa::avx512_bf16)) test_bf16_rounds();
  test_elementwise();
  std::printf("best path: %s\n", peerlearn::isa_name(peerlearn::detect_isa()));
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
