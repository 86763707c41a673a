/**
 * The consensus term (not in the paper; the worked example of docs/library.md, "Adding a mechanism"): a
 * suggestion that agrees with the others is worth more. Suggestion j is valued by minus its mean distance to the
 * other suggestions: for discrete actions the share of peers that suggest another action, for continuous ones the
 * mean distance under `group.consensusMetric` (its own setting: euclidean, the default, or manhattan). It reads
 * only the suggestions of the moment, so it has no update and no state. On with `group.terms: ["consensus"]`.
 */
import { z } from "zod";
import type { TermContext, ValueTerm, ValueTermPlugin } from "./value-term.js";
import { listedIn, pluginSettings } from "./value-term.js";

const settings = {
  consensusMetric: z
    .enum(["euclidean", "manhattan"])
    .optional()
    .describe("distance between continuous suggestions (default euclidean)"),
};

function consensus(context: TermContext): ValueTerm {
  const { width, discrete } = context;
  const manhattan = pluginSettings(settings, context.config).consensusMetric === "manhattan";
  const distance = (actions: Float32Array, j: number, k: number): number => {
    if (discrete) return actions[j] === actions[k] ? 0 : 1;
    let sum = 0;
    for (let q = 0; q < width; q++) {
      const d = actions[j * width + q] - actions[k * width + q];
      sum += manhattan ? Math.abs(d) : d * d;
    }
    return manhattan ? sum : Math.sqrt(sum);
  };
  return {
    name: "consensus",
    values(_m, actions, n, out) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let k = 0; k < n; k++) if (k !== j) sum += distance(actions, j, k);
        out[j] = n > 1 ? -sum / (n - 1) : 0;
      }
    },
    update: () => {},
    logged: () => null,
    getState: () => null,
    setState: () => {},
  };
}

export const consensusTerm: ValueTermPlugin = {
  name: "consensus",
  settings,
  enabled: listedIn("consensus"),
  create: consensus,
};
