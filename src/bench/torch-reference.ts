/**
 * Runs bench/torch_reference.py (the same updates in PyTorch, one thread) when a python3 with torch is present,
 * so that `peerlearn bench` can print the ratio measured in the same run. Never needed to use peerlearn.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface TorchTimings {
  readonly torch: string;
  readonly gemmGflops: number;
  readonly dqnUpdateMs: number;
  readonly sacUpdateMs: number;
}

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bench", "torch_reference.py");

/** Candidate interpreters: $PEERLEARN_PYTHON, then python3 on PATH, then Debian's (where apt puts python3-torch). */
function candidates(): string[] {
  const list = [process.env.PEERLEARN_PYTHON, "python3", "/usr/bin/python3"].filter((p): p is string => !!p);
  return [...new Set(list)];
}

/** One thread for every BLAS/OpenMP pool, and OpenBLAS free to pick its best kernel for this CPU. */
function referenceEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OMP_NUM_THREADS: "1",
    OPENBLAS_NUM_THREADS: "1",
    MKL_NUM_THREADS: "1",
  };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/** The first candidate interpreter that imports torch, or null. */
export function torchPython(): string | null {
  return candidates().find((p) => spawnSync(p, ["-c", "import torch"], { stdio: "ignore" }).status === 0) ?? null;
}

/** The reference timings, or a one-line reason why there are none. */
export function measureTorch(seconds: number): TorchTimings | string {
  if (!existsSync(SCRIPT)) return `reference script missing (${SCRIPT})`;
  for (const python of [torchPython()].filter((p): p is string => p !== null)) {
    const run = spawnSync(python, [SCRIPT, String(seconds)], {
      env: referenceEnv(),
      encoding: "utf8",
      timeout: 600_000,
    });
    if (run.status !== 0)
      return `${python} ${SCRIPT} failed: ${(run.stderr || run.error?.message || "").trim().split("\n").pop()}`;
    const last = run.stdout.trim().split("\n").pop() ?? "";
    try {
      return JSON.parse(last) as TorchTimings;
    } catch {
      return `unexpected output from the reference script: ${last.slice(0, 200)}`;
    }
  }
  return "no python3 with torch found (apt-get install python3-torch libopenblas0 to compare)";
}
