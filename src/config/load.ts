/**
 * Run configs from files (JSON or YAML). A file holds a partial config over a base: `preset: <name>` starts from a
 * peer learning preset, otherwise `env` (and `algo`, default dqn) start from that env's default single-agent
 * config. Every other field overrides the base, exactly as `--set` would; the result is validated as a whole, so
 * errors name the field, the value and what is allowed.
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { UserError } from "../core/errors.js";

export type ConfigObject = Record<string, unknown>;

/** Parses config text; `source` (a file name) picks JSON for .json and YAML otherwise. */
export function parseConfigText(text: string, source: string): ConfigObject {
  let value: unknown;
  try {
    value =
      extname(source).toLowerCase() === ".json"
        ? JSON.parse(text)
        : parseYaml(text, { prettyErrors: true, maxAliasCount: 100 });
  } catch (e) {
    const first = String((e as Error).message).split("\n")[0];
    throw new UserError(
      `${source} is not valid ${extname(source).toLowerCase() === ".json" ? "JSON" : "YAML"}: ${first}`,
    );
  }
  try {
    JSON.stringify(value);
  } catch {
    throw new UserError(`${source} refers to itself (a recursive YAML alias); configs must be plain data`);
  }
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
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UserError(
      `cannot read config file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return parseConfigText(text, path);
}

/**
 * The file's fields as `path=JSON` assignments (what `--set` takes), leaves first-level objects apart so that a
 * nested section overrides field by field; arrays and scalars are set whole.
 */
export function configAssignments(obj: ConfigObject, prefix = ""): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(obj)) {
    if (key.includes(".") || key.includes("="))
      throw new UserError(`config field names cannot contain "." or "=": ${JSON.stringify(key)}`);
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0)
      out.push(...configAssignments(value as ConfigObject, path));
    else out.push(`${path}=${JSON.stringify(value ?? null)}`);
  }
  return out;
}
