/**
 * A run's folder: config.json (the resolved config), metrics.jsonl (one line per evaluation, appended and flushed),
 * checkpoints/ (the latest complete checkpoint, named by checkpoints/latest.json), final/ (the trained model) and
 * summary.json (written last: its presence means the run is complete).
 *
 * Writes that replace a file go through a temporary name and a rename, so a run killed at any moment leaves either
 * the old file or the new one, never half of one.
 */
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
import { UserError } from "../core/errors.js";
import { ensureDir } from "../core/folders.js";

export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
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
   * Prepares the folder for `config`: a new run writes config.json; an existing one must have been started with
   * the same config (so that resuming continues the same run).
   */
  prepare(config: unknown): void {
    ensureDir(this.path);
    mkdirSync(this.checkpointsDir, { recursive: true });
    const text = `${JSON.stringify(config, null, 2)}\n`;
    if (existsSync(this.configPath)) {
      const existing = readFileSync(this.configPath, "utf8");
      if (existing !== text) {
        throw new UserError(
          `${this.path} holds a run with a different config (see its config.json); choose another --out or delete it`,
        );
      }
    } else {
      writeFileSync(this.configPath, text);
    }
  }

  /** Appends one metrics line and flushes it to disk. */
  appendMetrics(record: unknown): void {
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

  /** Makes the checkpoint at `step` the latest (atomically), then removes older ones. */
  commitCheckpoint(step: number): void {
    const name = `step-${step}`;
    writeJsonAtomic(join(this.checkpointsDir, "latest.json"), { dir: name, step });
    for (const entry of readdirSync(this.checkpointsDir)) {
      if (entry.startsWith("step-") && entry !== name)
        rmSync(join(this.checkpointsDir, entry), { recursive: true, force: true });
    }
  }

  /**
   * Writes the checkpoint at `step`: `write` saves its files into the folder and returns the state that goes into
   * state.json, beside how much of metrics.jsonl was written. Becomes the latest only once complete.
   */
  saveCheckpoint(step: number, write: (dir: string) => unknown): void {
    const dir = this.newCheckpointDir(step);
    const state = write(dir);
    writeJsonAtomic(join(dir, "state.json"), { metricsBytes: this.metricsBytes(), state });
    this.commitCheckpoint(step);
  }

  /**
   * The latest checkpoint's folder and state, with metrics.jsonl cut back to what it had seen (the lines after it
   * will be written again); null when there is none, and then metrics.jsonl is emptied for a fresh start.
   */
  resume<T>(): { dir: string; state: T } | null {
    const dir = this.latestCheckpoint();
    if (!dir) {
      this.truncateMetrics(0);
      return null;
    }
    const saved = readJson<{ metricsBytes: number; state: T }>(join(dir, "state.json"));
    this.truncateMetrics(saved.metricsBytes);
    return { dir, state: saved.state };
  }
}
