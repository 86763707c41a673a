/**
 * The runs a dashboard shows: every folder holding a metrics.jsonl under the folders it was given (a run folder,
 * an experiment folder, a runs/ tree), found to a bounded depth. A run is named by the index of its root and its
 * path inside it; a name that leaves its root (`..`, an absolute path, a symbolic link pointing out) is refused.
 */
import type { z } from "zod";
import { givenUp } from "../core/given-up.js";
import { ConfigViewSchema, SummaryViewSchema, SweepFolderSchema, SweepProgressViewSchema } from "./folder-files.js";
import { parseMetrics } from "../runs/metrics-line.js";
import { closeSync, openSync, readSync, readdirSync, realpathSync, statSync } from "node:fs";
import { basename, isAbsolute, join, relative, sep } from "node:path";

export interface SweepInfo {
  /** Like a run's id: `<root index>/<path inside the root>`. */
  readonly id: string;
  readonly experiment: string;
  readonly runs: number;
  /** Runs of the plan with a summary. */
  readonly done: number;
  /** What the sweep wrote last into progress.json (env steps/s, ETA), or null. */
  readonly progress: unknown;
}

export interface RunInfo {
  /** `<root index>/<path inside the root>` (path "." for the root itself). */
  readonly id: string;
  /** What the page calls it: its path inside the root, or the root folder's name for the root itself. */
  readonly name: string;
  /** From its config.json while it has no summary: the env and each peer's kind (null when unknown). */
  readonly env: string | null;
  readonly kinds: string[] | null;
  readonly metricsBytes: number;
  readonly summary: unknown;
}

const MAX_DEPTH = 6;
const MAX_RUNS = 2000;

/**
 * `path` when it is a regular file whose real place is inside `root` (a real path): a symbolic link out of the
 * served folders, or a folder or device under a file's name, gives null.
 */
export function servedFile(root: string, path: string): string | null {
  let real: string;
  try {
    real = realpathSync(path);
    if (!statSync(real).isFile()) return null;
  } catch {
    return null;
  }
  return real === root || real.startsWith(root + sep) ? real : null;
}

/** The file's JSON if `schema` accepts it, else null (damaged or being written: shown as missing). */
function readJsonOrNull<S extends z.ZodType>(root: string, path: string, schema: S): z.infer<S> | null {
  const file = servedFile(root, path);
  if (!file) return null;
  let value: unknown;
  try {
    value = JSON.parse(readFileSyncLimited(file, 1 << 20));
  } catch {
    return null; // as `report` leaves damaged runs out
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function readFileSyncLimited(path: string, max: number): string {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(Math.min(statSync(path).size, max));
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

export class RunIndex {
  private readonly roots: string[];

  constructor(folders: readonly string[]) {
    this.roots = folders.map((f) => realpathSync(f));
  }

  list(): RunInfo[] {
    const runs: RunInfo[] = [];
    const walk = (rootIndex: number, dir: string, depth: number): void => {
      if (runs.length >= MAX_RUNS) return;
      const root = this.roots[rootIndex];
      const metrics = servedFile(root, join(dir, "metrics.jsonl"));
      if (metrics) {
        const rel = relative(root, dir) || ".";
        const config = readJsonOrNull(root, join(dir, "config.json"), ConfigViewSchema);
        const peers = config?.peers ?? null;
        runs.push({
          id: `${rootIndex}/${rel.split(sep).join("/")}`,
          name: rel === "." ? basename(root) : rel.split(sep).join("/"),
          env: config?.env ?? null,
          kinds: peers ? peers.map((p) => p.kind ?? "?") : null,
          metricsBytes: statSync(metrics).size,
          summary: readJsonOrNull(root, join(dir, "summary.json"), SummaryViewSchema),
        });
      }
      if (depth >= MAX_DEPTH) return;
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch (e) {
        givenUp(`dashboard: ${dir} left out, it cannot be read`, e);
        return;
      }
      // Real folders only: a link to a folder elsewhere is not walked into.
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        if (e.isDirectory() && !["checkpoints", "final", "node_modules"].includes(e.name))
          walk(rootIndex, join(dir, e.name), depth + 1);
      }
    };
    this.roots.forEach((root, i) => walk(i, root, 0));
    return runs;
  }

  /** The experiment folders (experiment.json) under the roots, with their progress. */
  sweeps(): SweepInfo[] {
    const found: SweepInfo[] = [];
    const walk = (rootIndex: number, dir: string, depth: number): void => {
      const root = this.roots[rootIndex];
      const manifest = readJsonOrNull(root, join(dir, "experiment.json"), SweepFolderSchema);
      if (manifest) {
        const dirs = manifest.runs.map((r) => r.dir);
        const rel = relative(root, dir) || ".";
        found.push({
          id: `${rootIndex}/${rel.split(sep).join("/")}`,
          experiment: manifest.experiment,
          runs: dirs.length,
          done: dirs.filter((d) => d && !d.includes("..") && servedFile(root, join(dir, d, "summary.json"))).length,
          progress: readJsonOrNull(root, join(dir, "progress.json"), SweepProgressViewSchema),
        });
        return;
      }
      if (depth >= 2) return;
      try {
        for (const e of readdirSync(dir, { withFileTypes: true }))
          if (e.isDirectory() && e.name !== "node_modules") walk(rootIndex, join(dir, e.name), depth + 1);
      } catch (e) {
        givenUp(`dashboard: sweeps under ${dir} left out, it cannot be read`, e);
      }
    };
    this.roots.forEach((root, i) => walk(i, root, 0));
    return found;
  }

  /** The run folder an id names, or null when it does not name one inside a root. */
  resolve(id: string): string | null {
    const slash = id.indexOf("/");
    const rootIndex = Number(id.slice(0, slash));
    const rel = id.slice(slash + 1);
    if (slash < 1 || !Number.isInteger(rootIndex) || rootIndex < 0 || rootIndex >= this.roots.length) return null;
    if (isAbsolute(rel) || rel.split("/").some((part) => part === ".." || part.includes("\\"))) return null;
    const root = this.roots[rootIndex];
    let dir: string;
    try {
      dir = realpathSync(join(root, rel));
    } catch {
      return null;
    }
    // A symbolic link may point anywhere: what counts is where the folder really is.
    if (dir !== root && !dir.startsWith(root + sep)) return null;
    return servedFile(root, join(dir, "metrics.jsonl")) ? dir : null;
  }

  /** The metrics lines of a run from byte `from` on (whole lines only), and where the next read starts. */
  metrics(dir: string, from: number): { lines: unknown[]; next: number } {
    const path = this.roots.map((root) => servedFile(root, join(dir, "metrics.jsonl"))).find((p) => p !== null);
    if (!path) return { lines: [], next: 0 };
    const size = statSync(path).size;
    if (from >= size) return { lines: [], next: Math.min(from, size) };
    const fd = openSync(path, "r");
    try {
      const buf = Buffer.alloc(Math.min(size - from, 8 << 20));
      const n = readSync(fd, buf, 0, buf.length, from);
      const text = buf.subarray(0, n).toString("utf8");
      const end = text.lastIndexOf("\n") + 1; // a line being written stays for the next read
      // A damaged line is left out: the page shows what can be read.
      const lines: unknown[] = parseMetrics(text.slice(0, end), path, true);
      return { lines, next: from + Buffer.byteLength(text.slice(0, end)) };
    } finally {
      closeSync(fd);
    }
  }
}
