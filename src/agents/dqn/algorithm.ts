/** DQN's entry in the algorithm table (algorithms.ts). */
import { defineAlgorithm } from "../algorithm.js";
import { DqnConfigSchema, dqnHyperparameters } from "./config.js";
import { Dqn } from "./dqn.js";

export const DQN_ALGORITHM = defineAlgorithm({
  algo: "dqn",
  label: "DQN",
  schema: DqnConfigSchema,
  actions: "discrete",
  suggestionGenerator: true,
  faithfulSuggestionsExplore: false,
  hyperparameters: dqnHyperparameters,
  build: (s, k, r, p) => new Dqn(k, s.obsDim, s.actionSize, s.config, r, p),
});
