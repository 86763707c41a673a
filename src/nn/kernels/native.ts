/**
 * Native kernels: peerlearn's own C++ (native/), built by node-gyp at install, with AVX-512, AVX2 and NEON paths
 * picked at run time. Absent when the build failed; `loadNativeKernels` then returns an error and the next backend
 * is used. `PEERLEARN_ISA` forces a path this CPU supports (to measure and tune, say, the AVX2 path on an AVX-512
 * machine).
 */
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import type { ActivationCode, Kernels } from "./kernels.js";
import { arrayBufferMemory, Heap } from "./heap.js";
import { UserError, oneOf } from "../../core/errors.js";
import { cpuDescription } from "../../core/provenance.js";
import { BF16_ISA, type Bf16Capable } from "./precision.js";

/** The addon's exports (native/addon.cc). */
interface NativeAddon {
  setHeap(buffer: ArrayBuffer): void;
  setArgs(buffer: ArrayBuffer): void;
  gemm(
    ta: boolean,
    tb: boolean,
    m: number,
    n: number,
    k: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    beta: number,
  ): void;
  linearForward(
    rows: number,
    outSize: number,
    inSize: number,
    x: number,
    ldx: number,
    w: number,
    bias: number,
    y: number,
    act: number,
  ): void;
  linearBackwardInput(
    rows: number,
    outSize: number,
    inSize: number,
    g: number,
    w: number,
    d: number,
    yBelow: number,
    act: number,
    db: number,
    beta: number,
  ): void;
  biasAct(y: number, bias: number, rows: number, cols: number, act: number): void;
  actBackward(grad: number, y: number, n: number, act: number): void;
  sumRows(src: number, rows: number, cols: number, dst: number, beta: number): void;
  /** Scalars come from the argument block: [b1, b2, eps, stepSize, bc2Sqrt]. */
  adam(p: number, g: number, m: number, v: number, n: number): void;
  /** tau from args[0]. */
  polyak(target: number, source: number, n: number): void;
  /** s from args[0]. */
  scale(x: number, n: number): void;
  /** Writes the result to args[0]. */
  sumSquares(x: number, n: number): void;
  fmaPeakGflops(seconds: number): number;
  getIsa(): string;
  setIsa(isa: string): void;
}

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const NATIVE_ADDON_PATH = join(packageRoot, "build", "Release", "peerlearn_native.node");

/**
 * The native paths, fastest first on their architecture; "generic" is the portable C++ one, "avx512-bf16" the
 * AVX-512 path with its blocked products in bf16 (opt-in: precision bf16).
 */
export const NATIVE_ISAS = ["avx512", "avx2", "neon", "generic", "avx512-bf16"] as const;

/** Whether a native path is a SIMD one (the portable path loses to the wasm kernels, so it is never chosen). */
export function isSimdIsa(isa: string): boolean {
  return isa !== "generic";
}

let cached: NativeAddon | Error | undefined;

function loadAddon(): NativeAddon | Error {
  if (cached !== undefined) return cached;
  if (!existsSync(NATIVE_ADDON_PATH)) {
    cached = new Error(
      "the native addon was not built at install (see the install log, or run `npm rebuild peerlearn`)",
    );
    return cached;
  }
  try {
    cached = createRequire(import.meta.url)(NATIVE_ADDON_PATH) as NativeAddon;
  } catch (e) {
    cached = new Error(`the native addon failed to load: ${(e as Error).message}`);
  }
  return cached;
}

export class NativeKernels implements Kernels, Bf16Capable {
  readonly name = "native";
  readonly heap: Heap;
  /** Registered with the addon, which reads scalar arguments from it and writes results to it. */
  readonly scalars = new Float64Array(8);

  constructor(
    private readonly addon: NativeAddon,
    initialBytes: number,
  ) {
    this.heap = new Heap(arrayBufferMemory(initialBytes, (buf) => addon.setHeap(buf)));
    addon.setArgs(this.scalars.buffer);
  }

  get variant(): string {
    return this.addon.getIsa();
  }

  /** This core's measured FMA throughput with the current instruction set (GFLOP/s, one thread). */
  fmaPeakGflops(seconds = 0.3): number {
    return this.addon.fmaPeakGflops(seconds);
  }

  /** The fp32 path to come back to from bf16: the best, or the one forced last. */
  private fp32Isa = "";

  /** Forces an instruction set this CPU supports (see NATIVE_ISAS), for tests and benchmarks of each path. */
  setIsa(isa: string): void {
    this.addon.setIsa(isa);
    if (isa !== BF16_ISA) this.fp32Isa = isa;
  }

  /** Products in bf16 (precision.ts); a UserError on a CPU without AVX512-BF16. */
  useBf16(): void {
    if (this.variant === BF16_ISA) return;
    const fp32 = this.variant;
    try {
      this.addon.setIsa(BF16_ISA);
    } catch {
      throw new UserError(
        `precision bf16 needs a CPU with AVX512-BF16 (AMD Zen 4 and later, Intel Xeon since Cooper Lake); this one (${cpuDescription()}) has not got it: use precision fp32`,
      );
    }
    this.fp32Isa = fp32;
  }

  /** Back to fp32 products on the path in use before bf16. */
  useFp32(): void {
    if (this.variant === BF16_ISA) this.addon.setIsa(this.fp32Isa || "avx512");
  }

  gemm(
    ta: boolean,
    tb: boolean,
    m: number,
    n: number,
    k: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    beta: number,
  ): void {
    this.addon.gemm(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta);
  }
  linearForward(
    rows: number,
    outSize: number,
    inSize: number,
    x: number,
    ldx: number,
    w: number,
    bias: number,
    y: number,
    act: ActivationCode,
  ): void {
    this.addon.linearForward(rows, outSize, inSize, x, ldx, w, bias, y, act);
  }
  linearBackwardInput(
    rows: number,
    outSize: number,
    inSize: number,
    g: number,
    w: number,
    d: number,
    yBelow: number,
    act: ActivationCode,
    db: number,
    beta: number,
  ): void {
    this.addon.linearBackwardInput(rows, outSize, inSize, g, w, d, yBelow, act, db, beta);
  }
  biasAct(y: number, bias: number, rows: number, cols: number, act: ActivationCode): void {
    this.addon.biasAct(y, bias, rows, cols, act);
  }
  actBackward(grad: number, y: number, n: number, act: ActivationCode): void {
    this.addon.actBackward(grad, y, n, act);
  }
  sumRows(src: number, rows: number, cols: number, dst: number, beta: number): void {
    this.addon.sumRows(src, rows, cols, dst, beta);
  }
  adam(p: number, g: number, m: number, v: number, n: number): void {
    this.addon.adam(p, g, m, v, n);
  }
  polyak(target: number, source: number, n: number): void {
    this.addon.polyak(target, source, n);
  }
  scale(x: number, n: number): void {
    this.addon.scale(x, n);
  }
  sumSquares(x: number, n: number): void {
    this.addon.sumSquares(x, n);
  }
}

let shared: NativeKernels | undefined;

/**
 * The native backend of this thread, or the reason there is none. The addon holds one heap pointer per thread, so
 * there is one NativeKernels per thread, shared by every network the thread builds (worker threads get their own).
 */
export function loadNativeKernels(initialBytes = 1 << 24): NativeKernels | Error {
  if (shared) return shared;
  const addon = loadAddon();
  if (addon instanceof Error) return addon;
  const kernels = new NativeKernels(addon, initialBytes);
  const forced = process.env.PEERLEARN_ISA || undefined;
  if (forced !== undefined) {
    if (!(NATIVE_ISAS as readonly string[]).includes(forced)) {
      return new UserError(`PEERLEARN_ISA must be ${oneOf(NATIVE_ISAS)}, got ${JSON.stringify(forced)}`);
    }
    try {
      kernels.setIsa(forced);
    } catch {
      return new UserError(`PEERLEARN_ISA=${forced}: this CPU cannot run that path (its best is ${kernels.variant})`);
    }
  }
  shared = kernels;
  return shared;
}
