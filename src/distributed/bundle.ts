/**
 * A folder's files as one byte array and back, for the object store: a little-endian u32 header length, a JSON
 * header of [path, bytes] pairs, then the files' bytes in that order. Unpacking refuses paths that would leave the
 * target folder.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, relative, sep } from "node:path";

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

/** Writes the bundle's files under `root` (those `keep` accepts, when given); returns their paths. */
export function unpack(data: Uint8Array, root: string, keep?: (path: string) => boolean): string[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const headerLength = buf.readUInt32LE(0);
  const entries = JSON.parse(buf.subarray(4, 4 + headerLength).toString()) as [string, number][];
  let at = 4 + headerLength;
  const written: string[] = [];
  for (const [rel, bytes] of entries) {
    const path = normalize(join(root, rel));
    const inside = relative(root, path);
    if (isAbsolute(rel) || inside.startsWith("..") || isAbsolute(inside))
      throw new Error(`bundle path ${rel} leaves its folder`);
    if (keep && !keep(rel)) {
      at += bytes;
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, buf.subarray(at, at + bytes));
    at += bytes;
    written.push(rel);
  }
  return written;
}
