/**
 * A run built from a config object: every field checked (a wrong one is refused with one line that names it), the
 * defaults filled in from the tuned set, then trained, evaluated and checkpointed like `peerlearn train`.
 *
 *   npm run examples
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserError, defaultRunConfig, getKernels, train, validateRunConfig } from "peerlearn";

// The tuned DQN settings for CartPole-v1, shortened to a few thousand steps.
const defaults = defaultRunConfig("CartPole-v1", "tuned", "dqn");
const config = validateRunConfig({ ...defaults, steps: 6000, evalFreq: 2000, evalEpisodes: 3, seed: 7 });

try {
  validateRunConfig({ ...config, evalEpisodes: 0 });
} catch (e) {
  if (!(e instanceof UserError)) throw e;
  console.log(`a bad field is refused: ${e.message}`);
}

const out = mkdtempSync(join(tmpdir(), "peerlearn-example-"));
const summary = train(config, { out, kernels: getKernels() });
console.log(
  `${summary.algo} on ${summary.env}: ${summary.evaluations} evaluations, last ${summary.lastEval?.mean}, average over time ${summary.averageRewardOverTime}`,
);
console.log(`run folder: ${out} (metrics.jsonl, checkpoints/, final/model.safetensors, summary.json)`);
