/**
 * Where a result came from: the command, the peerlearn commit (or version outside a checkout), the CPU, the kernel
 * path and the date. Written into experiment.json so that results kept in the repository say what produced them.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { arch, cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

export const ProvenanceSchema = z.object({
  command: z.string().max(4096),
  commit: z.string().max(64),
  cpu: z.string().max(256),
  kernels: z.string().max(64),
  node: z.string().max(32),
  date: z.string().max(64),
});
export type Provenance = z.infer<typeof ProvenanceSchema>;

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The package's version (package.json). */
export function peerlearnVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string }).version;
}

/** The git commit of the package's checkout (with `+dirty` when it has changes), else `v<version>`. */
export function peerlearnCommit(): string {
  try {
    const git = (args: string[]): string =>
      execFileSync("git", args, { cwd: packageRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const head = git(["rev-parse", "HEAD"]);
    const dirty = git(["status", "--porcelain", "--untracked-files=no"]) !== "";
    return dirty ? `${head}+dirty` : head;
  } catch {
    // Not a checkout (an installed package): the version says as much as there is.
    return `v${peerlearnVersion()}`;
  }
}

/** The CPU's model name with its vendor family and model numbers where Linux gives them. */
export function cpuDescription(): string {
  const name = cpus()[0]?.model.trim() || "unknown CPU";
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    const field = (key: string): string | undefined => new RegExp(`^${key}\\s*:\\s*(.+)$`, "m").exec(info)?.[1];
    const vendor = field("vendor_id");
    const family = field("cpu family");
    const model = field("model");
    if (family !== undefined && model !== undefined)
      return `${name} (${arch()}, ${vendor ? `${vendor} ` : ""}family ${family}, model ${model}, ${cpus().length} cores)`;
  } catch {
    // No /proc (macOS, Windows): the model name alone.
  }
  return `${name} (${arch()}, ${cpus().length} cores)`;
}

export function provenance(command: string, kernels: string): Provenance {
  return {
    command,
    commit: peerlearnCommit(),
    cpu: cpuDescription(),
    kernels,
    node: process.version,
    date: new Date().toISOString(),
  };
}
