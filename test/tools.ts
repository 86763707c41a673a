/**
 * System tools some suites need: a C++ compiler and qemu-user (native kernels), nats-server (sweeps over NATS),
 * Chromium (the dashboard). `.ci/run` installs them and sets CI; in CI a suite whose tool is missing runs and fails
 * (it asserts the tool first), while a user's `npm test` without the tool skips that suite.
 */
import { spawnSync } from "node:child_process";

export const IN_CI = Boolean(process.env.CI);

export function hasTool(cmd: string): boolean {
  return spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0;
}

/** Whether a suite that needs a tool runs: always in CI, elsewhere only when the tool is there. */
export const runsWith = (present: boolean): boolean => IN_CI || present;

/** The system's Chromium (Debian: chromium), for the browser suites; undefined when there is none. */
export const CHROMIUM = ["chromium", "chromium-browser", "google-chrome"]
  .map((c) => spawnSync("sh", ["-c", `command -v ${c}`], { encoding: "utf8" }).stdout.trim())
  .find((p) => p !== "");
