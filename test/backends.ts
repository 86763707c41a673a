/** The kernel backends this machine can run, each as a fresh instance (native: every instruction-set path). */
import type { Kernels } from "../src/nn/kernels/kernels.js";
import { JsKernels } from "../src/nn/kernels/js.js";
import { WasmKernels } from "../src/nn/kernels/wasm.js";
import { loadNativeKernels, type NativeKernels } from "../src/nn/kernels/native.js";

export interface BackendCase {
  readonly label: string;
  /** Creates the backend (and, for native, selects the instruction set, which is per thread). */
  readonly make: () => Kernels;
}

const native = loadNativeKernels();

function nativeIsas(k: NativeKernels): string[] {
  const best = k.variant;
  const order = best === "neon" ? ["neon", "generic"] : ["avx512", "avx2", "generic"];
  return order.slice(order.indexOf(best));
}

export const BACKENDS: BackendCase[] = [
  { label: "js", make: () => new JsKernels() },
  { label: "wasm simd128", make: () => new WasmKernels({ relaxed: false }) },
  { label: "wasm relaxed (or simd128 where unsupported)", make: () => new WasmKernels() },
  ...(native instanceof Error
    ? []
    : nativeIsas(native).map((isa) => ({
        label: `native ${isa}`,
        make: () => {
          native.setIsa(isa);
          return native as Kernels;
        },
      }))),
];

/** Whether the native addon is present (CI builds it; a machine without a compiler does not). */
export const HAS_NATIVE = !(native instanceof Error);
