// Compiles the examples (TypeScript against the package's own type declarations) and runs each one.
//   node scripts/run-examples.mjs [EXAMPLES_DIR]
// EXAMPLES_DIR defaults to this package's examples/; the test suite points it at a copy inside a fresh project that
// installed the packed tarball, so that the examples run against the package as users get it.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dir = resolve(process.argv[2] ?? join(root, "examples"));
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");

function run(args, what) {
  const r = spawnSync(process.execPath, args, { cwd: dir, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`examples: ${what} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

run(
  [tsc, "-p", join(dir, "tsconfig.json"), "--typeRoots", join(root, "node_modules", "@types")],
  "compiling the examples",
);
for (const file of readdirSync(join(dir, "dist"))
  .filter((f) => f.endsWith(".js"))
  .sort()) {
  console.log(`\n== examples/${file.replace(/\.js$/, ".ts")}`);
  run([join(dir, "dist", file)], file);
}
