/**
 * The registries of peer learning's mechanisms: one line each. Value terms are summed in their order here (it
 * fixes the floating-point sum, so it must not change); advisors are tried newest first, peer learning's (the first,
 * for any config) last. The library adds its own with `registerValueTerm` and `registerAdvisor`.
 */
import type { AdvisorPlugin } from "./advisor.js";
import { agentValuesTerm } from "./agent-values.js";
import { consensusTerm } from "./consensus.js";
import { criticTerm } from "./critic.js";
import { lectrAdvice } from "./lectr-advisor.js";
import { peerAdvice } from "./peer-advice.js";
import { Registry } from "./registry.js";
import { trustTerm } from "./trust.js";
import type { ValueTermPlugin } from "./value-term.js";

export const VALUE_TERMS = new Registry<ValueTermPlugin>("value term", [
  criticTerm,
  trustTerm,
  agentValuesTerm,
  consensusTerm,
]);

export const ADVISORS = new Registry<AdvisorPlugin>("advisor", [peerAdvice, lectrAdvice]);

/** Adds a value term after the others (summed, updated and checkpointed after them). */
export function registerValueTerm(plugin: ValueTermPlugin): void {
  VALUE_TERMS.add(plugin);
}

export function valueTermPlugins(): readonly ValueTermPlugin[] {
  return VALUE_TERMS.list();
}

/** Adds an advisor, tried before those added earlier (peer learning's advice, the first, applies to any config). */
export function registerAdvisor(plugin: AdvisorPlugin): void {
  ADVISORS.add(plugin);
}
