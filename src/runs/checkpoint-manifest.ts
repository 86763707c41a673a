/**
 * A checkpoint's integrity: manifest.json lists every file of the checkpoint with its size and SHA-256, and the
 * hash of the run's config.json. It is written last, before the checkpoint becomes the latest, and checked before
 * anything is resumed: a flipped byte, a truncated buffer, an edited step count or a run folder whose config
 * changed since is named, and the checkpoint is not used.
 */
import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { UserError } from "../core/errors.js";

export const MANIFEST = "manifest.json";

export interface Manifest {
  /** SHA-256 of the run's config.json when the checkpoint was taken. */
  config: string;
  files: Record<string, { bytes: number; sha256: string }>;
}

export function sha256Text(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** SHA-256 of a file, read in 1 MiB pieces (replay buffers can be large). */
function sha256File(path: string): string {
  const hash = createHash("sha256");
  const chunk = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(path, "r");
  try {
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .filter((f) => f !== MANIFEST)
    .sort();
}

/** The manifest in `dir`, or null when it is missing or not JSON (verifyCheckpoint then says so). */
export function readManifest(dir: string): unknown {
  try {
    return JSON.parse(readFileSync(join(dir, MANIFEST), "utf8"));
  } catch {
    return null;
  }
}

export function writeManifest(dir: string, configText: string): Manifest {
  const files: Manifest["files"] = {};
  for (const f of filesUnder(dir)) {
    const path = join(dir, f);
    files[f] = { bytes: statSync(path).size, sha256: sha256File(path) };
  }
  return { config: sha256Text(configText), files };
}

/** Throws a UserError naming what is wrong with the checkpoint in `dir`, if anything is. */
export function verifyCheckpoint(dir: string, manifest: unknown, configText: string): void {
  const damaged = (what: string): UserError =>
    new UserError(
      `the checkpoint ${dir} is damaged: ${what}; it was not resumed (delete ${dir} to fall back to a fresh start)`,
    );
  const m = manifest as Partial<Manifest> | null;
  if (!m || typeof m.config !== "string" || typeof m.files !== "object" || m.files === null)
    throw damaged(`${MANIFEST} is missing or not a manifest (damaged, or written by an older peerlearn)`);
  if (m.config !== sha256Text(configText))
    throw new UserError(
      `the checkpoint ${dir} was taken with another config.json than the folder holds now; it was not resumed (restore that config, or choose another --out)`,
    );
  for (const [f, want] of Object.entries(m.files)) {
    const path = join(dir, f);
    if (!existsSync(path)) throw damaged(`${f} is missing`);
    const bytes = statSync(path).size;
    if (bytes !== want.bytes) throw damaged(`${f} has ${bytes} bytes, the manifest says ${want.bytes}`);
    if (sha256File(path) !== want.sha256) throw damaged(`${f} does not match its SHA-256 in the manifest`);
  }
  for (const f of filesUnder(dir)) if (!(f in m.files)) throw damaged(`${f} is not in the manifest`);
}
