// Install step: build the native kernels with node-gyp. Failure is not fatal: peerlearn then falls back to its
// WebAssembly kernels (shipped prebuilt in wasm/) and says so in `peerlearn bench`.
// Set PEERLEARN_SKIP_NATIVE=1 to skip the build (e.g. to test the fallback).
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";

const log = (msg) => console.error(`peerlearn: ${msg}`);

if (process.env.PEERLEARN_SKIP_NATIVE === "1") {
  rmSync("build", { recursive: true, force: true });
  log("native kernels skipped (PEERLEARN_SKIP_NATIVE=1); the WebAssembly kernels will be used");
  process.exit(0);
}

// npm tells scripts where its bundled node-gyp is; fall back to one on PATH.
const gypScript = process.env.npm_config_node_gyp;
// The headers of the running Node where its installation has them (Linux packages, the official tarballs), so
// that node-gyp does not download them: an install fetches nothing but npm packages.
const prefix = dirname(dirname(process.execPath));
const gypArgs = [
  "rebuild",
  ...(existsSync(join(prefix, "include", "node", "node_api.h")) ? [`--nodedir=${prefix}`] : []),
];
const [cmd, args] =
  gypScript && existsSync(gypScript) ? [process.execPath, [gypScript, ...gypArgs]] : ["node-gyp", gypArgs];

const result = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
if (result.status === 0) {
  log("native kernels built");
} else {
  // The most telling line: a compiler error, else node-gyp's own error, else the last line.
  const lines = (result.stderr ?? "").trim().split("\n");
  const why = result.error
    ? result.error.message
    : (
        lines.find((l) => /\berror\b:/i.test(l) && !l.startsWith("gyp ERR!")) ??
        lines.find((l) => l.startsWith("gyp ERR! stack Error:")) ??
        lines.at(-1) ??
        ""
      ).trim();
  log(`native kernels not built (${why || "node-gyp failed"}); the WebAssembly kernels will be used instead`);
  rmSync("build", { recursive: true, force: true });
}
