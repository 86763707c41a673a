/**
 * A run's folder: config.json (the resolved config), metrics.jsonl (one line per evaluation, appended and flushed),
 * checkpoints/ (the latest complete checkpoint, named by checkpoints/latest.json), final/ (the trained model) and
 * summary.json (written last: its presence means the run is complete).
 *
 * Writes that replace a file go through a temporary name and a rename, so a run killed at any moment leaves either
 * the old file or the new one, never half of one.
 */
import type { MetricsLine } from "./metrics-line.js";
import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import { UserError } from "../core/errors.js";
import { firstProblem } from "../config/validate.js";
import { ensureDir } from "../core/folders.js";
import { MANIFEST, readManifest, verifyCheckpoint, writeManifest } from "./checkpoint-manifest.js";

export function writeTextAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeTextAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

export function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch (e) {
    throw new UserError(`cannot read ${path}: ${(e as Error).message}`);
  }
}

export class RunDir {
  readonly metricsPath: string;
  readonly checkpointsDir: string;

  constructor(readonly path: string) {
    this.metricsPath = join(path, "metrics.jsonl");
    this.checkpointsDir = join(path, "checkpoints");
  }

  get configPath(): string {
    return join(this.path, "config.json");
  }
  get summaryPath(): string {
    return join(this.path, "summary.json");
  }
  get finalDir(): string {
    return join(this.path, "final");
  }

  isComplete(): boolean {
    return existsSync(this.summaryPath);
  }

  /**
   * Prepares the folder for `config`: a new run writes config.json; a folder with progress (a checkpoint or a
   * summary) must hold the same config, so that resuming continues the same run and a finished folder answers only
   * for its own config. A start that failed before its first checkpoint left nothing worth keeping: a corrected
   * command takes the folder over.
   */
  prepare(config: unknown): void {
    ensureDir(this.path);
    const text = `${JSON.stringify(config, null, 2)}\n`;
    if (existsSync(this.configPath) && readFileSync(this.configPath, "utf8") !== text && this.hasProgress()) {
      throw new UserError(
        `${this.path} holds ${this.isComplete() ? "a finished run" : "a run"} with a different config (see its config.json); choose another --out, or delete the folder to start over`,
      );
    }
    writeTextAtomic(this.configPath, text);
    mkdirSync(this.checkpointsDir, { recursive: true });
  }

  /** Whether the folder holds anything a rerun must keep: a checkpoint or a summary. */
  private hasProgress(): boolean {
    return this.isComplete() || existsSync(join(this.checkpointsDir, "latest.json"));
  }

  /**
   * The summary of a finished run, if `schema` accepts it; otherwise one line saying that summary.json is damaged
   * or another command's.
   */
  readSummary<S extends z.ZodType>(schema: S, kind: string): z.infer<S> {
    const value = readJson<unknown>(this.summaryPath);
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new UserError(
        `${this.summaryPath} is not a ${kind}'s summary (damaged, or written by another command: ${firstProblem(parsed.error, value)}); delete it and rerun the same command to finish the run again from its last checkpoint`,
      );
    }
    return parsed.data;
  }

  /** Appends one metrics line and flushes it to disk. */
  appendMetrics(record: MetricsLine): void {
    const fd = openSync(this.metricsPath, "a");
    try {
      appendFileSync(fd, `${JSON.stringify(record)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  metricsBytes(): number {
    return existsSync(this.metricsPath) ? statSync(this.metricsPath).size : 0;
  }

  /** Cuts metrics.jsonl back to what the checkpoint had seen (lines written after it will be written again). */
  truncateMetrics(bytes: number): void {
    if (existsSync(this.metricsPath)) truncateSync(this.metricsPath, bytes);
    else if (bytes > 0)
      throw new UserError(`${this.metricsPath} is missing but the checkpoint expects ${bytes} bytes of it`);
  }

  /** Path of the latest complete checkpoint, or null. */
  latestCheckpoint(): string | null {
    const pointer = join(this.checkpointsDir, "latest.json");
    if (!existsSync(pointer)) return null;
    const { dir } = readJson<{ dir: string }>(pointer);
    const full = join(this.checkpointsDir, dir);
    if (!existsSync(full))
      throw new UserError(`${pointer} names ${dir}, which does not exist: the checkpoint is corrupt`);
    return full;
  }

  /** A fresh folder for the checkpoint at `step`; call `commitCheckpoint` once everything is written into it. */
  newCheckpointDir(step: number): string {
    const dir = join(this.checkpointsDir, `step-${step}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Makes the checkpoint at `step` the latest (atomically), then removes all but the newest `keep`. */
  commitCheckpoint(step: number, keep = 1): void {
    const name = `step-${step}`;
    writeJsonAtomic(join(this.checkpointsDir, "latest.json"), { dir: name, step });
    const older = readdirSync(this.checkpointsDir)
      .filter((e) => /^step-\d+$/.test(e) && e !== name)
      .sort((a, b) => Number(b.slice(5)) - Number(a.slice(5)));
    for (const entry of older.slice(keep - 1))
      rmSync(join(this.checkpointsDir, entry), { recursive: true, force: true });
  }

  /**
   * Writes the checkpoint at `step`: `write` saves its files into the folder and returns the state that goes into
   * state.json, beside how much of metrics.jsonl was written; the manifest of every file's size and hash comes
   * last. It becomes the latest only once complete.
   */
  saveCheckpoint<T>(step: number, write: (dir: string) => T, keep = 1): T {
    const dir = this.newCheckpointDir(step);
    const state = write(dir);
    writeJsonAtomic(join(dir, "state.json"), { metricsBytes: this.metricsBytes(), state });
    writeJsonAtomic(join(dir, MANIFEST), writeManifest(dir, readFileSync(this.configPath, "utf8")));
    this.commitCheckpoint(step, keep);
    return state;
  }

  /**
   * Restores the latest checkpoint with `restore`, after checking it against its manifest and the folder's config;
   * then cuts metrics.jsonl back to what it had seen (the lines after it will be written again). Returns its state,
   * or null when there is none (and then metrics.jsonl is emptied for a fresh start). A checkpoint that is damaged
   * or does not load is named in one line and nothing is changed.
   */
  resume<T>(restore: (dir: string, state: T) => void, step?: number): T | null {
    const dir = step === undefined ? this.latestCheckpoint() : join(this.checkpointsDir, `step-${step}`);
    if (!dir) {
      this.truncateMetrics(0);
      return null;
    }
    if (step !== undefined && !existsSync(dir))
      throw new UserError(`${this.path} has no checkpoint step-${step} (give it the --out it had)`);
    verifyCheckpoint(dir, readManifest(dir), readFileSync(this.configPath, "utf8"));
    const saved = readJson<{ metricsBytes: number; state: T }>(join(dir, "state.json"));
    try {
      restore(dir, saved.state);
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(`the checkpoint ${dir} does not load (${(e as Error).message}); it was not resumed`);
    }
    this.truncateMetrics(saved.metricsBytes);
    if (step !== undefined) writeJsonAtomic(join(this.checkpointsDir, "latest.json"), { dir: `step-${step}`, step });
    return saved.state;
  }
}
