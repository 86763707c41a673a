/**
 * Creating the folder a user named (`--out`), with one clear line when it cannot be: a part of the path is a file,
 * the name is empty or too long, permission is denied. Walks the path one level at a time: Node's recursive mkdir
 * spins forever where a parent cannot hold folders (under /proc).
 */
import { accessSync, constants, mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { UserError } from "./errors.js";

const code = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

export function ensureDir(path: string, what = "--out"): void {
  if (path.trim() === "") throw new UserError(`${what} is empty: name a folder (it is created if missing)`);
  if (path.length > 1024) throw new UserError(`${what} is ${path.length} characters long: at most 1024`);
  const missing: string[] = [];
  let p = resolve(path);
  for (;;) {
    try {
      if (!statSync(p).isDirectory()) throw new UserError(`${what} ${path}: ${p} is a file, not a folder`);
      break;
    } catch (e) {
      if (e instanceof UserError) throw e;
      if (code(e) !== "ENOENT") throw new UserError(`${what} ${path}: cannot use ${p} (${code(e)})`);
      missing.push(p);
      const parent = dirname(p);
      if (parent === p) break;
      p = parent;
    }
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (e) {
      if (code(e) !== "EEXIST") throw new UserError(`${what} ${path}: cannot create ${dir} (${code(e)})`);
    }
  }
  try {
    accessSync(path, constants.W_OK);
  } catch (e) {
    throw new UserError(`${what} ${path}: cannot write there (${code(e)})`);
  }
}
