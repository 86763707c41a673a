/**
 * Validates a peer learning run's config: its schema (config.ts), and the value terms it names against the
 * registry (mechanisms.ts), which the schema cannot know without importing every mechanism.
 */
import { parseOrThrow } from "../config/validate.js";
import { BUILT_IN_TERMS, GroupRunConfigSchema, groupFieldHint, type GroupRunConfig } from "./config.js";
import { valueTermPlugins } from "./value-term.js";
import "./mechanisms.js";

const WithRegisteredTerms = GroupRunConfigSchema.superRefine((c, ctx) => {
  const known = valueTermPlugins().map((p) => p.name);
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

export function validateGroupRunConfig(input: unknown): GroupRunConfig {
  return parseOrThrow(WithRegisteredTerms, input, "peer learning config", groupFieldHint);
}
