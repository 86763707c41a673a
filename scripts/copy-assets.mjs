// Copies the non-TypeScript files the built code reads at run time (the MuJoCo model files) beside it in dist/.
import { cpSync, mkdirSync } from "node:fs";

const assets = [["src/envs/mujoco/models", "dist/envs/mujoco/models"]];
for (const [from, to] of assets) {
  mkdirSync(to, { recursive: true });
  cpSync(from, to, { recursive: true });
}
