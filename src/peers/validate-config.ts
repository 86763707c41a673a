/**
 * Validates a peer learning run's config: its schema (config.ts), the group settings the registered value terms
 * declare (mechanisms.ts), and the terms it lists against that registry; config.ts cannot know the last two
 * without importing every mechanism.
 */
import { z } from "zod";
import { parseOrThrow } from "../config/validate.js";
import { BUILT_IN_TERMS, GroupRunConfigSchema, GroupSettingsSchema, groupFieldHint } from "./config.js";
import type { GroupRunConfig } from "./config.js";
import { VALUE_TERMS } from "./mechanisms.js";
import type { ValueTermPlugin } from "./value-term.js";

/** Every registered term's own settings, checked to be optional and not to shadow a group field. */
function pluginFields(terms: readonly ValueTermPlugin[]): Record<string, z.ZodType> {
  const fields: Record<string, z.ZodType> = {};
  for (const t of terms)
    for (const [key, schema] of Object.entries(t.settings ?? {})) {
      if (key in GroupSettingsSchema.shape || key in fields)
        throw new Error(`value term "${t.name}" declares the setting group.${key}, which already exists`);
      if (!schema.safeParse(undefined).success)
        throw new Error(`value term "${t.name}": its setting group.${key} must be optional (absent: its default)`);
      fields[key] = schema;
    }
  return fields;
}

function schemaFor(terms: readonly ValueTermPlugin[]) {
  const known = terms.map((t) => t.name);
  return GroupRunConfigSchema.superRefine((c, ctx) => {
    for (const name of c.group.terms) {
      if (!known.includes(name))
        ctx.addIssue({
          code: "custom",
          path: ["group", "terms"],
          message: `names no registered value term: ${JSON.stringify(name)} (registered: ${known.join(", ")})`,
        });
      else if (BUILT_IN_TERMS.includes(name))
        ctx.addIssue({
          code: "custom",
          path: ["group", "terms"],
          message: `lists ${name}, which is switched by group.${name}`,
        });
    }
  });
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

let cached: { count: number; schema: ReturnType<typeof schemaFor>; fields: Record<string, z.ZodType> } | null = null;

export function validateGroupRunConfig(input: unknown): GroupRunConfig {
  const terms = VALUE_TERMS.list();
  // Terms are only ever added: the count says whether the schemas are still current.
  if (cached?.count !== terms.length)
    cached = { count: terms.length, schema: schemaFor(terms), fields: pluginFields(terms) };
  // The plugins' settings are taken out of group, checked by their own fragments, and put back.
  const own: Record<string, unknown> = {};
  let base = input;
  if (isRecord(input) && isRecord(input.group)) {
    const group = { ...input.group };
    for (const key of Object.keys(cached.fields))
      if (key in group) {
        own[key] = group[key];
        delete group[key];
      }
    base = { ...input, group };
  }
  const config = parseOrThrow(cached.schema, base, "peer learning config", groupFieldHint);
  const settings = parseOrThrow(z.object({ group: z.object(cached.fields) }), { group: own }, "peer learning config");
  return { ...config, group: { ...config.group, ...settings.group } };
}
