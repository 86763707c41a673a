// Builds the browser pages: the dashboard's script into dist/dashboard/page.js, and the demo into demo/dist (a
// static site any static host can serve; `peerlearn demo` serves it):
// the page and its Web Worker bundled by esbuild from src/demo/page and the same TypeScript core as the command line,
// the WebAssembly kernels, and uPlot's style sheet. The core's Node-only modules (files, the native kernels,
// MuJoCo) are only reached by saving, loading and other tasks, never by the demo: they are replaced by a module
// that throws if it is ever used.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "demo", "dist");

const nodeOnly = {
  name: "node-only",
  setup(b) {
    b.onResolve({ filter: /^(node:|mujoco$)/ }, (args) => ({ path: args.path, namespace: "node-only" }));
    b.onLoad({ filter: /.*/, namespace: "node-only" }, (args) => ({
      contents: `module.exports = new Proxy({}, { get: (_, name) => () => {
        throw new Error(${JSON.stringify(args.path)} + "." + String(name) + " is not available in the browser");
      } });`,
      loader: "js",
    }));
  },
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
/** A browser bundle of `entryPoints` into `outdir`. */
const bundle = (entryPoints, outdir, plugins = []) =>
  build({
    entryPoints,
    outdir,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    plugins,
    logLevel: "warning",
  });
await bundle({ page: join(root, "src/demo/page/page.ts"), worker: join(root, "src/demo/page/worker.ts") }, out, [
  nodeOnly,
]);
// The dashboard's page script, beside the built dashboard server (dist/dashboard/page.js).
await bundle({ page: join(root, "src/dashboard/page/page.ts") }, join(root, "dist", "dashboard"));
const uplot = dirname(createRequire(import.meta.url).resolve("uplot"));
copyFileSync(join(root, "src/demo/page/index.html"), join(out, "index.html"));
copyFileSync(join(uplot, "uPlot.min.css"), join(out, "uplot.css"));
for (const f of ["kernels.wasm", "kernels-relaxed.wasm"]) copyFileSync(join(root, "wasm", f), join(out, f));
