/**
 * A folder's files as one byte array and back, for the object store: a little-endian u32 header length, a JSON
 * header of [path, bytes] pairs, then the files' bytes in that order. A bundle comes from the network: unpacking
 * checks the header's shape and that its sizes add up to the bytes that are there before it writes anything, and
 * refuses paths that would leave the target folder.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { z } from "zod";
import { confined } from "../../core/paths.js";

/** A bundle that is not one, or one whose paths leave its folder. */
export class BundleError extends Error {
  override readonly name = "BundleError";
}

const HeaderSchema = z
  .array(
    z.tuple([
      z
        .string()
        .min(1)
        .max(512)
        .regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, "a relative path of plain names"),
      z.number().int().min(0),
    ]),
  )
  .max(10_000);

/** Packs `files` (paths relative to `root`; folders are taken whole) into one array. */
export function pack(root: string, files: readonly string[]): Uint8Array {
  const entries: [string, Buffer][] = [];
  const add = (rel: string): void => {
    const path = join(root, rel);
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) add(join(rel, name));
    } else {
      entries.push([rel.split(sep).join("/"), readFileSync(path)]);
    }
  };
  for (const f of files) add(f);
  const header = Buffer.from(JSON.stringify(entries.map(([p, b]) => [p, b.length])));
  const size = Buffer.alloc(4);
  size.writeUInt32LE(header.length);
  return Buffer.concat([size, header, ...entries.map(([, b]) => b)]);
}

/** The bundle's entries, checked: [path, offset, bytes]. */
export function bundleEntries(data: Uint8Array): [string, number, number][] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < 4) throw new BundleError(`a bundle of ${buf.length} bytes has no header`);
  const headerLength = buf.readUInt32LE(0);
  if (4 + headerLength > buf.length) throw new BundleError(`a bundle's header claims ${headerLength} bytes`);
  let header: unknown;
  try {
    header = JSON.parse(buf.subarray(4, 4 + headerLength).toString());
  } catch {
    throw new BundleError("a bundle's header is not JSON");
  }
  const parsed = HeaderSchema.safeParse(header);
  if (!parsed.success) throw new BundleError(`a bundle's header: ${parsed.error.issues[0].message}`);
  let at = 4 + headerLength;
  const out: [string, number, number][] = [];
  for (const [rel, bytes] of parsed.data) {
    if (rel.split("/").some((s) => s === "." || s === ".."))
      throw new BundleError(`bundle path ${rel} leaves its folder`);
    out.push([rel, at, bytes]);
    at += bytes;
  }
  if (at !== buf.length) throw new BundleError(`a bundle's files add up to ${at} bytes, it holds ${buf.length}`);
  return out;
}

/** One file of a bundle, or null when it has none of that name. */
export function bundleFile(data: Uint8Array, name: string): Uint8Array | null {
  const entry = bundleEntries(data).find(([rel]) => rel === name);
  return entry ? data.subarray(entry[1], entry[1] + entry[2]) : null;
}

/** Writes the bundle's files under `root` (those `keep` accepts, when given); returns their paths. */
export function unpack(data: Uint8Array, root: string, keep?: (path: string) => boolean): string[] {
  const entries = bundleEntries(data);
  const targets = entries.map(([rel]) => confined(root, rel));
  const written: string[] = [];
  entries.forEach(([rel, at, bytes], i) => {
    if (keep && !keep(rel)) return;
    mkdirSync(dirname(targets[i]), { recursive: true });
    writeFileSync(targets[i], data.subarray(at, at + bytes));
    written.push(rel);
  });
  return written;
}
