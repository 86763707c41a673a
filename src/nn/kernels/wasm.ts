/**
 * WebAssembly SIMD kernels (wasm/kernels.c, shipped compiled in wasm/): no build step at install, about half the
 * speed of the native kernels. The relaxed-SIMD build (fused multiply-add) is used when the runtime supports it
 * (PEERLEARN_WASM_RELAXED=0 opts out).
 */
import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { Activation, type ActivationCode, type Kernels } from "./kernels.js";
import { Heap, type HeapMemory } from "./heap.js";
import { UnfusedLayerKernels } from "./layer-kernels.js";

interface WasmExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  gemm(
    ta: number,
    tb: number,
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
  biasAct(y: number, bias: number, rows: number, cols: number, act: number): void;
  actBackward(grad: number, y: number, n: number, act: number): void;
  sumRows(src: number, rows: number, cols: number, dst: number, beta: number): void;
  argsAddress(): number;
  adam(p: number, g: number, m: number, v: number, n: number): void;
  polyak(target: number, source: number, n: number): void;
  scale(x: number, n: number): void;
  sumSquares(x: number, n: number): void;
}

const PAGE = 65536;

/** The compiled kernels: plain SIMD, and relaxed SIMD where the runtime has it. */
export interface WasmModules {
  readonly plain: WebAssembly.Module;
  readonly relaxed: WebAssembly.Module | null;
}

let modules: WasmModules | undefined;

/** Node: the modules compiled from wasm/ once per thread (a browser passes its own, see `options.modules`). */
function compiled(): WasmModules {
  if (!modules) {
    const wasmDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "wasm");
    const plain = new WebAssembly.Module(readFileSync(join(wasmDir, "kernels.wasm")));
    const relaxedBytes = readFileSync(join(wasmDir, "kernels-relaxed.wasm"));
    let relaxed: WebAssembly.Module | null = null;
    if (process.env.PEERLEARN_WASM_RELAXED !== "0") {
      // Node 20's engine implements relaxed SIMD (the final opcodes) behind a flag, which can still be set before
      // the first module that uses it is compiled; from Node 22 it is on by default.
      if (!WebAssembly.validate(relaxedBytes)) setFlagsFromString("--experimental-wasm-relaxed-simd");
      if (WebAssembly.validate(relaxedBytes)) relaxed = new WebAssembly.Module(relaxedBytes);
    }
    modules = { plain, relaxed };
  }
  return modules;
}

export class WasmKernels extends UnfusedLayerKernels implements Kernels {
  readonly name = "wasm";
  readonly variant: string;
  readonly heap: Heap;
  private readonly x: WasmExports;
  /** A view of the module's own argument block (rebuilt when the memory grows). */
  scalars: Float64Array;

  /**
   * Each instance owns a module instance and its memory. `relaxed: false` forces plain SIMD; `modules`: already
   * compiled kernels (a browser fetches and compiles them itself, having no file system).
   */
  constructor(options: { initialBytes?: number; relaxed?: boolean; modules?: WasmModules } = {}) {
    super();
    const mods = options.modules ?? compiled();
    const useRelaxed = options.relaxed !== false && mods.relaxed !== null;
    const instance = new WebAssembly.Instance(useRelaxed && mods.relaxed ? mods.relaxed : mods.plain, {});
    this.x = instance.exports as unknown as WasmExports;
    this.variant = useRelaxed ? "simd128+relaxed-fma" : "simd128";
    const memory = this.x.memory;
    const heapBase = Number(this.x.__heap_base.value);
    const wanted = heapBase + (options.initialBytes ?? 1 << 22);
    const mem: HeapMemory = {
      buffer: () => memory.buffer,
      grow(bytes: number): ArrayBuffer {
        const missing = bytes - memory.buffer.byteLength;
        if (missing > 0) memory.grow(Math.ceil(missing / PAGE));
        return memory.buffer;
      },
    };
    mem.grow(wanted);
    this.heap = new Heap(mem, Math.ceil(heapBase / 4));
    const argsAt = this.x.argsAddress();
    this.scalars = new Float64Array(memory.buffer, argsAt, 8);
    this.heap.onGrow(() => (this.scalars = new Float64Array(memory.buffer, argsAt, 8)));
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
    this.x.gemm(ta ? 1 : 0, tb ? 1 : 0, m, n, k, a, lda, b, ldb, c, ldc, beta);
  }
  biasAct(y: number, bias: number, rows: number, cols: number, act: ActivationCode): void {
    if (act !== Activation.tanh) return this.x.biasAct(y, bias, rows, cols, act);
    const f = this.heap.f32;
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < cols; j++) f[y + r * cols + j] = Math.tanh(f[y + r * cols + j] + f[bias + j]);
  }
  actBackward(grad: number, y: number, n: number, act: ActivationCode): void {
    this.x.actBackward(grad, y, n, act);
  }
  sumRows(src: number, rows: number, cols: number, dst: number, beta: number): void {
    this.x.sumRows(src, rows, cols, dst, beta);
  }
  adam(p: number, g: number, m: number, v: number, n: number): void {
    this.x.adam(p, g, m, v, n);
  }
  polyak(target: number, source: number, n: number): void {
    this.x.polyak(target, source, n);
  }
  scale(x: number, n: number): void {
    this.x.scale(x, n);
  }
  sumSquares(x: number, n: number): void {
    this.x.sumSquares(x, n);
  }
}
