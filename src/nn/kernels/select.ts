/**
 * Chooses the kernel backend at start-up: native where it has a SIMD path for this CPU (AVX-512, AVX2 + FMA or
 * NEON), then wasm, then js. The native build's portable path is slower than the wasm kernels, so a CPU without a
 * native SIMD path gets wasm. `PEERLEARN_BACKEND` or the `backend` option forces one; forcing one that is
 * unavailable is an error that says why.
 */
import { UserError, oneOf } from "../../core/errors.js";
import { BACKEND_NAMES, type BackendName, type Kernels } from "./kernels.js";
import { JsKernels } from "./js.js";
import { isSimdIsa, loadNativeKernels } from "./native.js";
import { WasmKernels } from "./wasm.js";

/** Creates a backend by name, or returns why it is unavailable. */
export function tryCreateKernels(name: BackendName): Kernels | Error {
  try {
    if (name === "native") return loadNativeKernels();
    if (name === "wasm") return new WasmKernels();
    return new JsKernels();
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

let defaultKernels: Kernels | undefined;

/**
 * The backend this thread computes with: the forced one, or the best available. Created once and shared, so that
 * every network of a thread lives on one heap.
 */
export function getKernels(forced: string | undefined = process.env.PEERLEARN_BACKEND || undefined): Kernels {
  if (forced === undefined && defaultKernels) return defaultKernels;
  if (forced !== undefined) {
    if (!(BACKEND_NAMES as readonly string[]).includes(forced)) {
      throw new UserError(`unknown kernel backend ${JSON.stringify(forced)}: use ${oneOf(BACKEND_NAMES)}`);
    }
    if (defaultKernels?.name === forced) return defaultKernels;
    const k = tryCreateKernels(forced as BackendName);
    if (k instanceof Error) throw new UserError(`kernel backend "${forced}" is unavailable: ${k.message}`);
    defaultKernels = k;
    return k;
  }
  defaultKernels = bestBackend(tryCreateKernels, Boolean(process.env.PEERLEARN_ISA));
  return defaultKernels;
}

/**
 * The first backend of native, wasm, js that loads, where native counts only with a SIMD path for this CPU (or an
 * instruction set forced through PEERLEARN_ISA). `create` is a parameter so that tests can play other CPUs.
 */
export function bestBackend(create: (name: BackendName) => Kernels | Error, isaForced: boolean): Kernels {
  for (const name of BACKEND_NAMES) {
    const k = create(name);
    if (k instanceof UserError) throw k; // a bad PEERLEARN_ISA
    if (k instanceof Error) continue;
    if (name === "native" && !isSimdIsa(k.variant) && !isaForced) continue;
    return k;
  }
  throw new Error("no kernel backend available"); // unreachable: the js backend always loads
}
