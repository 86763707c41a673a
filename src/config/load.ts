/**
 * Run configs from files (JSON or YAML). A file holds a partial config over a base: `preset: <name>` starts from a
 * peer learning preset, otherwise `env` (and `algo`, default dqn) start from that env's default single-agent
 * config. Every other field overrides the base, exactly as `--set` would; the result is validated as a whole, so
 * errors name the field, the value and what is allowed.
 */
import { readFileSync, statSync } from "node:fs";
import { extname } from "node:path";
import { isMap, isScalar, isSeq, parseAllDocuments, parseDocument, type Document } from "yaml";
import { UserError } from "../core/errors.js";

export type ConfigObject = Record<string, unknown>;

/** Limits that keep loading linear and bounded, whatever a file holds. */
export const CONFIG_LIMITS = { bytes: 1 << 20, depth: 32, keys: 10_000 } as const;

/** Keys that would reach into JavaScript's object machinery instead of naming a field. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Refuses a key that is not a plain field name. */
export function checkKey(key: string, where: string): void {
  if (FORBIDDEN_KEYS.has(key)) throw new UserError(`${where}: ${JSON.stringify(key)} cannot be a config field name`);
}

/**
 * Checks that `value` is plain data within the limits: nesting depth, number of keys, no forbidden key, no cycle
 * (a YAML alias inside itself). Recursion is bounded by the depth limit.
 */
export function checkPlainData(value: unknown, where: string): void {
  let keys = 0;
  const onPath = new Set<object>();
  const visit = (v: unknown, depth: number): void => {
    if (typeof v === "number" && !Number.isFinite(v))
      throw new UserError(
        `${where} holds ${v > 0 ? "a number too large to represent (it reads as Infinity)" : v < 0 ? "a number too large to represent (it reads as -Infinity)" : "NaN"}: numbers must be finite`,
      );
    if (v === null || typeof v !== "object") return;
    if (onPath.has(v))
      throw new UserError(`${where} refers to itself (a YAML alias inside its own value); configs must be plain data`);
    if (depth >= CONFIG_LIMITS.depth)
      throw new UserError(`${where} is nested more than ${CONFIG_LIMITS.depth} levels deep`);
    onPath.add(v);
    if (Array.isArray(v)) {
      for (const x of v) visit(x, depth + 1);
    } else {
      for (const [k, x] of Object.entries(v)) {
        checkKey(k, where);
        if (++keys > CONFIG_LIMITS.keys) throw new UserError(`${where} has more than ${CONFIG_LIMITS.keys} fields`);
        visit(x, depth + 1);
      }
    }
    onPath.delete(v);
  };
  visit(value, 0);
}

/** Refuses duplicate and forbidden keys in a YAML document's maps before they become an object (linear time). */
function checkYamlKeys(doc: Document, source: string): void {
  const stack: unknown[] = [doc.contents];
  while (stack.length) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const item of node.items) {
        const key = isScalar(item.key) ? item.key.value : item.key;
        if (typeof key === "string") checkKey(key, source);
        if (seen.has(key))
          throw new UserError(`${source}: the field ${JSON.stringify(key)} is given twice in one mapping`);
        seen.add(key);
        stack.push(item.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
}

/**
 * Refuses a field given twice in one JSON object (JSON.parse keeps the last silently; YAML files are refused for
 * the same). One pass over text that JSON.parse has accepted: strings are skipped whole, each object's keys kept
 * in a set of their own.
 */
function checkJsonKeys(text: string, source: string): void {
  const objects: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{") objects.push(new Set());
    else if (c === "[") objects.push(null);
    else if (c === "}" || c === "]") objects.pop();
    else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      const keys = objects[objects.length - 1];
      let k = j + 1;
      while (/\s/.test(text[k] ?? "")) k++;
      if (keys && text[k] === ":") {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (keys.has(key))
          throw new UserError(`${source}: the field ${JSON.stringify(key)} is given twice in one object`);
        keys.add(key);
      }
      i = j;
    }
  }
}

/** Parses config text; `source` (a file name) picks JSON for .json and YAML otherwise. */
export function parseConfigText(text: string, source: string): ConfigObject {
  const json = extname(source).toLowerCase() === ".json";
  if (text.length > CONFIG_LIMITS.bytes)
    throw new UserError(`${source} is ${text.length} bytes: config files are at most ${CONFIG_LIMITS.bytes} bytes`);
  if (text.charCodeAt(0) === 0xfeff)
    throw new UserError(
      `${source} starts with a byte order mark (BOM, invisible in most editors): save it as UTF-8 without BOM`,
    );
  let value: unknown;
  try {
    if (json) {
      value = JSON.parse(text);
      checkJsonKeys(text, source);
    } else {
      const documents = parseAllDocuments(text, { uniqueKeys: false });
      if (Array.isArray(documents) && documents.length > 1)
        throw new UserError(
          `${source} holds ${documents.length} YAML documents (separated by ---): a config file is one document`,
        );
      // uniqueKeys: false keeps parsing linear (the library checks duplicates pairwise); checkYamlKeys does it.
      const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false });
      if (doc.errors.length > 0) throw doc.errors[0];
      checkYamlKeys(doc, source);
      value = doc.toJS({ maxAliasCount: 100 });
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    const first = String((e as Error).message).split("\n")[0];
    throw new UserError(`${source} is not valid ${json ? "JSON" : "YAML"}: ${first}`);
  }
  checkPlainData(value, source);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new UserError(
      `${source} must hold a mapping of config fields (e.g. env: Room-v21), got ${value === null ? "nothing" : Array.isArray(value) ? "a list" : typeof value}`,
    );
  }
  return value as ConfigObject;
}

export function loadConfigFile(path: string): ConfigObject {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > CONFIG_LIMITS.bytes)
      throw new UserError(`${path} is ${size} bytes: config files are at most ${CONFIG_LIMITS.bytes} bytes`);
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UserError(
      `cannot read config file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return parseConfigText(text, path);
}

/**
 * The file's fields as `path=JSON` assignments (what `--set` takes). A section that the base has too is split into
 * its fields, so that it overrides field by field; anything else (a new section, a list, a value) is set whole.
 */
export function configAssignments(obj: ConfigObject, base: ConfigObject = {}, prefix = ""): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(obj)) {
    checkKey(key, "config");
    if (key.includes(".") || key.includes("="))
      throw new UserError(`config field names cannot contain "." or "=": ${JSON.stringify(key)}`);
    const path = prefix ? `${prefix}.${key}` : key;
    const under = base[key];
    const isSection = (v: unknown): v is ConfigObject => v !== null && typeof v === "object" && !Array.isArray(v);
    if (isSection(value) && isSection(under) && Object.keys(value).length > 0)
      out.push(...configAssignments(value, under, path));
    else out.push(`${path}=${JSON.stringify(value ?? null)}`);
  }
  return out;
}
