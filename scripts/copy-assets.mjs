// Copies the non-TypeScript files the built code reads at run time (the MuJoCo model files, the dashboard page)
// beside it in dist/.
import { cpSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

const assets = [
  ["src/envs/mujoco/models", "dist/envs/mujoco/models"],
  ["src/dashboard/page.html", "dist/dashboard/page.html"],
];
for (const [from, to] of assets) {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true });
}
