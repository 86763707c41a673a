/**
 * The consensus term (not in the paper; the worked example of docs/library.md, "Adding a mechanism"): a suggestion that
 * agrees with the others is worth more. Suggestion j is valued by minus its mean distance to the other
 * suggestions: for discrete actions the share of peers that suggest another action, for continuous ones the mean
 * Euclidean distance. It reads only the suggestions of the moment, so it has no update and no state.
 * Switched on with `group.terms: ["consensus"]`.
 */
import type { TermContext, ValueTerm, ValueTermPlugin } from "./value-term.js";
import { listedIn } from "./value-term.js";

function consensus(context: TermContext): ValueTerm {
  const { width, discrete } = context;
  const distance = (actions: Float32Array, j: number, k: number): number => {
    if (discrete) return actions[j] === actions[k] ? 0 : 1;
    let sq = 0;
    for (let q = 0; q < width; q++) sq += (actions[j * width + q] - actions[k * width + q]) ** 2;
    return Math.sqrt(sq);
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

export const consensusTerm: ValueTermPlugin = { name: "consensus", enabled: listedIn("consensus"), create: consensus };
