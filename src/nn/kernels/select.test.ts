import { describe, expect, it } from "vitest";
import type { BackendName, Kernels } from "./kernels.js";
import { JsKernels } from "./js.js";
import { bestBackend } from "./select.js";

/** A stand-in backend that reports a name and variant: enough for the choice, which never computes. */
function fake(name: BackendName, variant: string): Kernels {
  const k = new JsKernels(1 << 16);
  return Object.assign(Object.create(k) as Kernels, { name, variant });
}

function chooser(nativeVariant: string | null) {
  return (name: BackendName): Kernels | Error => {
    if (name === "native") return nativeVariant === null ? new Error("not built") : fake("native", nativeVariant);
    if (name === "wasm") return fake("wasm", "simd128");
    return fake("js", "scalar");
  };
}

describe("backend choice", () => {
  it("takes native where it has a SIMD path for this CPU", () => {
    for (const isa of ["avx512", "avx2", "neon"]) expect(bestBackend(chooser(isa), false).name).toBe("native");
  });

  it("takes wasm on a CPU without a native SIMD path (the portable C++ is slower than wasm)", () => {
    expect(bestBackend(chooser("generic"), false).name).toBe("wasm");
  });

  it("takes the portable native path when PEERLEARN_ISA forces it", () => {
    expect(bestBackend(chooser("generic"), true).name).toBe("native");
  });

  it("takes wasm when the addon was not built", () => {
    expect(bestBackend(chooser(null), false).name).toBe("wasm");
  });
});
