#!/usr/bin/env bash
# Rebuilds the committed WebAssembly kernels from wasm/kernels.c. Only needed after editing kernels.c: installing
# peerlearn uses the committed .wasm files. Needs clang and wasm-ld with relaxed-SIMD support (LLVM >= 16), e.g.
# Debian's clang-19 and lld-19.
set -euo pipefail
cd "$(dirname "$0")"
CC=${CC:-$(command -v clang-19 || command -v clang)}
LDDIR=$(dirname "$(command -v wasm-ld-19 || command -v wasm-ld)")
common=(--target=wasm32 -O3 -nostdlib -ffreestanding -fno-builtin -msimd128 -fuse-ld="$LDDIR/wasm-ld"
  -Wl,--no-entry -Wl,--export=__heap_base -Wl,--growable-table -Wl,--max-memory=4294967296
  -Wl,--initial-memory=1048576 -Wl,-z,stack-size=65536)
"$CC" "${common[@]}" -o kernels.wasm kernels.c
"$CC" "${common[@]}" -mrelaxed-simd -DRELAXED -o kernels-relaxed.wasm kernels.c
ls -l kernels.wasm kernels-relaxed.wasm
