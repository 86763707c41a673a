/**
 * Runs bench/torch_reference.py (the same updates in PyTorch, one thread) when a python3 with torch is present,
 * so that `peerlearn bench` can print the ratio measured in the same run. Never needed to use peerlearn.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { canPin, pinnedTo } from "./cpu-affinity.js";

const figure = z.number().finite().positive().max(1e9);
const range = z.object({ low: figure, high: figure }).strict();

/** The script's output: each figure the median of its repetitions, with their range (read back, so checked). */
const TorchTimingsSchema = z
  .object({
    torch: z.string().max(100),
    gemmGflops: figure,
    dqnUpdateMs: figure,
    sacUpdateMs: figure,
    spread: z.object({ gemm: range, dqnUpdate: range, sacUpdate: range }).strict(),
  })
  .strict();

export type TorchTimings = z.infer<typeof TorchTimingsSchema>;

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

/**
 * The reference timings, or a one-line reason why there are none. `cpu`: the core to run it on (the one the
 * native updates were measured on), where `taskset` can pin it; `pinned` says whether it was.
 */
export function measureTorch(
  seconds: number,
  cpu: number | null = null,
): { timings: TorchTimings; pinned: boolean } | string {
  if (!existsSync(SCRIPT)) return `reference script missing (${SCRIPT})`;
  for (const python of [torchPython()].filter((p): p is string => p !== null)) {
    const pinning = cpu !== null && canPin();
    const [command, args] = pinnedTo(cpu, python, [SCRIPT, String(seconds)], pinning);
    const run = spawnSync(command, args, {
      env: referenceEnv(),
      encoding: "utf8",
      timeout: 600_000,
    });
    if (run.status !== 0)
      return `${python} ${SCRIPT} failed: ${(run.stderr || run.error?.message || "").trim().split("\n").pop()}`;
    const timings = parseTorchTimings(run.stdout.trim().split("\n").pop() ?? "");
    return typeof timings === "string" ? timings : { timings, pinned: pinning };
  }
  return "no python3 with torch found (apt-get install python3-torch libopenblas0 to compare)";
}

/** The reference's figures by the names of its ranges (for the steadiness check). */
export const torchFigures = (t: TorchTimings): Record<string, number> => ({
  gemm: t.gemmGflops,
  dqnUpdate: t.dqnUpdateMs,
  sacUpdate: t.sacUpdateMs,
});

/** The script's last line as timings, or a one-line reason why it is not what the script prints. */
export function parseTorchTimings(line: string): TorchTimings | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return `unexpected output from the reference script: ${line.slice(0, 200)}`;
  }
  const timings = TorchTimingsSchema.safeParse(parsed);
  if (timings.success) return timings.data;
  const issue = timings.error.issues[0];
  return `unexpected output from the reference script (${issue?.path.join(".") || "top level"}: ${issue?.message})`;
}
