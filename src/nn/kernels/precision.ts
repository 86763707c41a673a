/**
 * A run's arithmetic precision. fp32, the default, on every backend; bf16, opt-in: the native backend's matrix
 * products with bf16 inputs and fp32 accumulation (native/gemm_bf16.cc) on a CPU with AVX512-BF16, while master
 * weights, optimiser state, thin products and element-wise work stay fp32. Anywhere else bf16 is refused, with the
 * reason. Runs of one seed repeat exactly within a precision, not across precisions.
 */
import { UserError } from "../../core/errors.js";
import type { Kernels } from "./kernels.js";

/** The native path that computes in bf16 (its `variant`). */
export const BF16_ISA = "avx512-bf16";

/** A backend that can switch its products to bf16 and back (the native one; it throws where the CPU cannot). */
export interface Bf16Capable {
  useBf16(): void;
  useFp32(): void;
}

// Duck-typed, not an import of the native backend: configs import this file, and the browser demo bundles them.
const bf16Capable = (k: Kernels): k is Kernels & Bf16Capable => "useBf16" in k && "useFp32" in k;

export const PRECISIONS = ["fp32", "bf16"] as const;
export type Precision = (typeof PRECISIONS)[number];

/** The precision these kernels compute in now. */
export const precisionOf = (kernels: Kernels): Precision => (kernels.variant === BF16_ISA ? "bf16" : "fp32");

/**
 * Makes `kernels` (shared by the thread) compute in `precision` and returns the precision they had, for restoring.
 * Throws a UserError naming what is missing when bf16 cannot be had here.
 */
export function usePrecision(kernels: Kernels, precision: Precision = "fp32"): Precision {
  const before = precisionOf(kernels);
  if (precision === before) return before;
  if (!bf16Capable(kernels))
    throw new UserError(
      `precision bf16 needs the native kernels; this run computes with the ${kernels.name} backend (use precision fp32, or install with a C++ compiler)`,
    );
  if (precision === "bf16") kernels.useBf16();
  else kernels.useFp32();
  return before;
}
