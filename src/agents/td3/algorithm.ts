/** TD3's entry in the algorithm table (algorithms.ts). */
import { defineAlgorithm } from "../algorithm.js";
import { Td3ConfigSchema, td3Hyperparameters } from "./config.js";
import { Td3 } from "./td3.js";

export const TD3_ALGORITHM = defineAlgorithm({
  algo: "td3",
  label: "TD3",
  schema: Td3ConfigSchema,
  actions: "continuous",
  suggestionGenerator: false,
  faithfulSuggestionsExplore: false,
  hyperparameters: td3Hyperparameters,
  build: (s, k, r, p) => new Td3(k, s.obsDim, s.actionSize, s.config, r, p),
});
