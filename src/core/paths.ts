/**
 * Paths from outside (a message, a file read back) stay under their root: `confined` joins a relative path to its
 * root and refuses anything that would leave it, before any file is touched.
 */
import { isAbsolute, relative, resolve } from "node:path";

export class PathEscape extends Error {
  override readonly name = "PathEscape";
}

/** `root`/`rel`, resolved; PathEscape when `rel` is absolute, holds a NUL or `..` would take it out of `root`. */
export function confined(root: string, rel: string): string {
  if (rel.includes("\0")) throw new PathEscape(`path ${JSON.stringify(rel)} holds a NUL character`);
  if (isAbsolute(rel) || /^[A-Za-z]:|^[\\/]/.test(rel)) throw new PathEscape(`path ${JSON.stringify(rel)} is absolute`);
  const base = resolve(root);
  const path = resolve(base, rel);
  const inside = relative(base, path);
  if (inside === "" || inside.startsWith("..") || isAbsolute(inside))
    throw new PathEscape(`path ${JSON.stringify(rel)} leaves its folder`);
  return path;
}

/** Whether `path` (resolved, real) is `root` itself or inside it. */
export function isInside(root: string, path: string): boolean {
  const inside = relative(resolve(root), resolve(path));
  return inside === "" || (!inside.startsWith("..") && !isAbsolute(inside));
}
