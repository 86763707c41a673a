// Node-API binding of the native kernels. The JavaScript side registers one ArrayBuffer (the heap) per thread with
// setHeap; every other call passes only numbers: offsets in floats into that heap, sizes and scalars. That keeps a
// call down to argument conversion, with no typed-array unwrapping on the hot path.
#include <node_api.h>

#include <cstring>

#include "gemm.h"

namespace {

using peerlearn::Isa;

// Per-thread state: worker threads load the addon into their own environment and register their own heap.
struct Instance {
  float* heap = nullptr;
  // Scalar arguments and results pass through this small Float64Array instead of as call arguments: a double
  // crossing into a native call is boxed by the engine, which would make every update allocate.
  double* args = nullptr;
  napi_ref args_ref = nullptr;
  size_t floats = 0;
  napi_ref heap_ref = nullptr;
  Isa isa = peerlearn::detect_isa();
};

Instance* instance(napi_env env) {
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  return static_cast<Instance*>(data);
}

constexpr size_t kMaxArgs = 12;

struct Args {
  napi_value v[kMaxArgs];
  size_t n = kMaxArgs;
};

bool read_args(napi_env env, napi_callback_info info, Args& args, size_t expected) {
  napi_get_cb_info(env, info, &args.n, args.v, nullptr, nullptr);
  if (args.n < expected) {
    napi_throw_type_error(env, nullptr, "peerlearn native: too few arguments");
    return false;
  }
  return true;
}

double num(napi_env env, napi_value v) {
  double d = 0;
  napi_get_value_double(env, v, &d);
  return d;
}

int i32(napi_env env, napi_value v) {
  int32_t x = 0;
  napi_get_value_int32(env, v, &x);
  return x;
}

// Offsets come from JavaScript: check them against the heap so that a bug there cannot write outside it.
float* at(napi_env env, Instance* inst, napi_value v, size_t span, bool& ok) {
  const double off = num(env, v);
  if (!ok) return nullptr;
  if (inst->heap == nullptr || off < 0 || off + static_cast<double>(span) > static_cast<double>(inst->floats)) {
    napi_throw_range_error(env, nullptr, "peerlearn native: offset outside the heap (or no heap registered)");
    ok = false;
    return nullptr;
  }
  return inst->heap + static_cast<size_t>(off);
}

napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

napi_value SetHeap(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 1)) return nullptr;
  Instance* inst = instance(env);
  void* data = nullptr;
  size_t bytes = 0;
  if (napi_get_arraybuffer_info(env, args.v[0], &data, &bytes) != napi_ok) {
    napi_throw_type_error(env, nullptr, "peerlearn native: setHeap expects an ArrayBuffer");
    return nullptr;
  }
  if (inst->heap_ref != nullptr) napi_delete_reference(env, inst->heap_ref);
  napi_create_reference(env, args.v[0], 1, &inst->heap_ref);  // keeps the buffer alive while we hold its pointer
  inst->heap = static_cast<float*>(data);
  inst->floats = bytes / sizeof(float);
  return undefined(env);
}

napi_value SetArgs(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 1)) return nullptr;
  Instance* inst = instance(env);
  void* data = nullptr;
  size_t bytes = 0;
  if (napi_get_arraybuffer_info(env, args.v[0], &data, &bytes) != napi_ok || bytes < 8 * sizeof(double)) {
    napi_throw_type_error(env, nullptr, "peerlearn native: setArgs expects an ArrayBuffer of at least 8 doubles");
    return nullptr;
  }
  if (inst->args_ref != nullptr) napi_delete_reference(env, inst->args_ref);
  napi_create_reference(env, args.v[0], 1, &inst->args_ref);
  inst->args = static_cast<double*>(data);
  return undefined(env);
}

bool have_args(napi_env env, Instance* inst) {
  if (inst->args != nullptr) return true;
  napi_throw_error(env, nullptr, "peerlearn native: no argument block registered (setArgs)");
  return false;
}

napi_value Gemm(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 12)) return nullptr;
  Instance* inst = instance(env);
  bool ok = true;
  bool ta = false, tb = false;
  napi_get_value_bool(env, args.v[0], &ta);
  napi_get_value_bool(env, args.v[1], &tb);
  const int m = i32(env, args.v[2]), n = i32(env, args.v[3]), k = i32(env, args.v[4]);
  const int lda = i32(env, args.v[6]), ldb = i32(env, args.v[8]), ldc = i32(env, args.v[10]);
  if (m < 0 || n < 0 || k < 0) {
    napi_throw_range_error(env, nullptr, "peerlearn native: negative matrix size");
    return nullptr;
  }
  const size_t a_span = ta ? static_cast<size_t>(k) * lda : static_cast<size_t>(m) * lda;
  const size_t b_span = tb ? static_cast<size_t>(n) * ldb : static_cast<size_t>(k) * ldb;
  const float* a = at(env, inst, args.v[5], a_span, ok);
  const float* b = at(env, inst, args.v[7], b_span, ok);
  float* c = at(env, inst, args.v[9], static_cast<size_t>(m) * ldc, ok);
  if (!ok) return nullptr;
  peerlearn::gemm(inst->isa, ta, tb, m, n, k, a, lda, b, ldb, c, ldc, static_cast<float>(num(env, args.v[11])));
  return undefined(env);
}

// A layer's forward pass with the bias and activation applied in the product's epilogue (Kernels.linearForward).
napi_value LinearForward(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 9)) return nullptr;
  Instance* inst = instance(env);
  bool ok = true;
  const int rows = i32(env, args.v[0]), out = i32(env, args.v[1]), in = i32(env, args.v[2]);
  const int ldx = i32(env, args.v[4]);
  if (rows < 0 || out < 1 || in < 1 || ldx < in) {
    napi_throw_range_error(env, nullptr, "peerlearn native: bad layer sizes");
    return nullptr;
  }
  const float* x = at(env, inst, args.v[3], static_cast<size_t>(rows) * ldx, ok);
  const float* w = at(env, inst, args.v[5], static_cast<size_t>(out) * in, ok);
  peerlearn::Epilogue ep;
  ep.bias = at(env, inst, args.v[6], out, ok);
  ep.act = i32(env, args.v[8]);
  float* y = at(env, inst, args.v[7], static_cast<size_t>(rows) * out, ok);
  if (!ok) return nullptr;
  peerlearn::gemm(inst->isa, false, true, rows, out, in, x, ldx, w, in, y, out, 0.0f, &ep);
  return undefined(env);
}

// The gradient into the layer below with its activation derivative and bias gradient in the product's epilogue
// (Kernels.linearBackwardInput).
napi_value LinearBackwardInput(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 10)) return nullptr;
  Instance* inst = instance(env);
  bool ok = true;
  const int rows = i32(env, args.v[0]), out = i32(env, args.v[1]), in = i32(env, args.v[2]);
  if (rows < 0 || out < 1 || in < 1) {
    napi_throw_range_error(env, nullptr, "peerlearn native: bad layer sizes");
    return nullptr;
  }
  const size_t span = static_cast<size_t>(rows) * in;
  const float* g = at(env, inst, args.v[3], static_cast<size_t>(rows) * out, ok);
  const float* w = at(env, inst, args.v[4], static_cast<size_t>(out) * in, ok);
  float* d = at(env, inst, args.v[5], span, ok);
  peerlearn::Epilogue ep;
  ep.y = at(env, inst, args.v[6], span, ok);
  ep.ldy = in;
  ep.dact = i32(env, args.v[7]);
  const bool with_db = num(env, args.v[8]) >= 0;
  if (with_db) ep.colsum = at(env, inst, args.v[8], in, ok);
  if (!ok) return nullptr;
  if (with_db && num(env, args.v[9]) == 0.0) std::memset(ep.colsum, 0, sizeof(float) * in);
  peerlearn::gemm(inst->isa, false, false, rows, in, out, g, out, w, in, d, in, 0.0f, &ep);
  return undefined(env);
}

napi_value BiasAct(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 5)) return nullptr;
  Instance* inst = instance(env);
  bool ok = true;
  const int rows = i32(env, args.v[2]), cols = i32(env, args.v[3]);
  float* y = at(env, inst, args.v[0], static_cast<size_t>(rows) * cols, ok);
  const float* bias = at(env, inst, args.v[1], cols, ok);
  if (!ok) return nullptr;
  peerlearn::bias_act(y, bias, rows, cols, i32(env, args.v[4]));
  return undefined(env);
}

napi_value ActBackward(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 4)) return nullptr;
  Instance* inst = instance(env);
  bool ok = true;
  const int n = i32(env, args.v[2]);
  float* grad = at(env, inst, args.v[0], n, ok);
  const float* y = at(env, inst, args.v[1], n, ok);
  if (!ok) return nullptr;
  peerlearn::act_backward(grad, y, n, i32(env, args.v[3]));
  return undefined(env);
}

napi_value SumRows(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 5)) return nullptr;
  Instance* inst = instance(env);
  bool ok = true;
  const int rows = i32(env, args.v[1]), cols = i32(env, args.v[2]);
  const float* src = at(env, inst, args.v[0], static_cast<size_t>(rows) * cols, ok);
  float* dst = at(env, inst, args.v[3], cols, ok);
  if (!ok) return nullptr;
  peerlearn::sum_rows(src, rows, cols, dst, static_cast<float>(num(env, args.v[4])));
  return undefined(env);
}

napi_value Adam(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 5)) return nullptr;
  Instance* inst = instance(env);
  bool ok = true;
  const int n = i32(env, args.v[4]);
  float* p = at(env, inst, args.v[0], n, ok);
  const float* g = at(env, inst, args.v[1], n, ok);
  float* m = at(env, inst, args.v[2], n, ok);
  float* v = at(env, inst, args.v[3], n, ok);
  if (!ok || !have_args(env, inst)) return nullptr;
  const double* a = inst->args;  // b1, b2, eps, step size, sqrt(bias correction 2)
  peerlearn::adam(p, g, m, v, n, static_cast<float>(a[0]), static_cast<float>(a[1]), static_cast<float>(a[2]),
                  static_cast<float>(a[3]), static_cast<float>(a[4]));
  return undefined(env);
}

napi_value Polyak(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 3)) return nullptr;
  Instance* inst = instance(env);
  bool ok = true;
  const int n = i32(env, args.v[2]);
  float* t = at(env, inst, args.v[0], n, ok);
  const float* s = at(env, inst, args.v[1], n, ok);
  if (!ok || !have_args(env, inst)) return nullptr;
  peerlearn::polyak(t, s, n, static_cast<float>(inst->args[0]));  // tau
  return undefined(env);
}

napi_value Scale(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 2)) return nullptr;
  Instance* inst = instance(env);
  bool ok = true;
  const int n = i32(env, args.v[1]);
  float* x = at(env, inst, args.v[0], n, ok);
  if (!ok || !have_args(env, inst)) return nullptr;
  peerlearn::scale(x, n, static_cast<float>(inst->args[0]));
  return undefined(env);
}

napi_value SumSquares(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 2)) return nullptr;
  Instance* inst = instance(env);
  bool ok = true;
  const int n = i32(env, args.v[1]);
  const float* x = at(env, inst, args.v[0], n, ok);
  if (!ok || !have_args(env, inst)) return nullptr;
  inst->args[0] = peerlearn::sum_squares(x, n);  // the result goes back through the argument block
  return undefined(env);
}

// The instruction set the matrix product uses; `setIsa` forces a lower one (tests run every path on one machine).
napi_value GetIsa(napi_env env, napi_callback_info) {
  napi_value out;
  const char* name = peerlearn::isa_name(instance(env)->isa);
  napi_create_string_utf8(env, name, std::strlen(name), &out);
  return out;
}

napi_value SetIsa(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 1)) return nullptr;
  char name[16] = {0};
  size_t len = 0;
  napi_get_value_string_utf8(env, args.v[0], name, sizeof(name), &len);
  Isa want = Isa::generic;
  if (std::strcmp(name, "avx512") == 0) want = Isa::avx512;
  else if (std::strcmp(name, "avx2") == 0) want = Isa::avx2;
  else if (std::strcmp(name, "neon") == 0) want = Isa::neon;
  else if (std::strcmp(name, "avx512-bf16") == 0) want = Isa::avx512_bf16;
  else if (std::strcmp(name, "generic") != 0) {
    napi_throw_range_error(env, nullptr, "peerlearn native: isa must be one of avx512, avx2, neon, generic, avx512-bf16");
    return nullptr;
  }
  if (!peerlearn::isa_supported(want)) {
    napi_throw_range_error(env, nullptr, "peerlearn native: this CPU does not support that instruction set");
    return nullptr;
  }
  instance(env)->isa = want;
  return undefined(env);
}

// FMA throughput of this core with the current instruction set (GFLOP/s; 0 for the generic path).
napi_value FmaPeak(napi_env env, napi_callback_info info) {
  Args args;
  if (!read_args(env, info, args, 1)) return nullptr;
  napi_value out;
  napi_create_double(env, peerlearn::fma_peak_gflops(instance(env)->isa, num(env, args.v[0])), &out);
  return out;
}

void finalize(napi_env env, void* data, void*) {
  auto* inst = static_cast<Instance*>(data);
  if (inst->heap_ref != nullptr) napi_delete_reference(env, inst->heap_ref);
  if (inst->args_ref != nullptr) napi_delete_reference(env, inst->args_ref);
  delete inst;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_set_instance_data(env, new Instance(), finalize, nullptr);
  const napi_property_descriptor props[] = {
      {"setHeap", nullptr, SetHeap, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setArgs", nullptr, SetArgs, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"linearForward", nullptr, LinearForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"linearBackwardInput", nullptr, LinearBackwardInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"biasAct", nullptr, BiasAct, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"actBackward", nullptr, ActBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumRows", nullptr, SumRows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"polyak", nullptr, Polyak, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"scale", nullptr, Scale, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumSquares", nullptr, SumSquares, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fmaPeakGflops", nullptr, FmaPeak, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getIsa", nullptr, GetIsa, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setIsa", nullptr, SetIsa, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE_INIT() { return Init(env, exports); }
