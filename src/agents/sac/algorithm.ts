/** SAC's entry in the algorithm table (algorithms.ts). */
import { defineAlgorithm } from "../algorithm.js";
import { SacConfigSchema, sacHyperparameters } from "./config.js";
import { Sac } from "./sac.js";

export const SAC_ALGORITHM = defineAlgorithm({
  algo: "sac",
  label: "SAC",
  schema: SacConfigSchema,
  actions: "continuous",
  suggestionGenerator: false,
  faithfulSuggestionsExplore: true,
  hyperparameters: sacHyperparameters,
  build: (s, k, r, p) => new Sac(k, s.obsDim, s.actionSize, s.config, r, p),
});
