/**
 * The seam through which a trainer thread takes over an agent's training (agents/trainers/trainer-pool.ts): the acting
 * thread keeps acting with its copy of the weights while another thread runs the gradient steps on an identical
 * agent built from `spec`, reading the same replay buffer in shared memory. Rounds hand over the generator state,
 * the buffer's position and whatever acting deferred; the trainer hands back the blocks acting reads and the
 * numbers it owns. The results are bit-identical to training in the acting thread.
 */
import type { Random } from "../core/random.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import type { SharedReplayMemory } from "./replay-buffer.js";
import type { AgentSpec, RemoteTrainable } from "./trainable.js";
import { Dqn } from "./dqn.js";
import { Sac } from "./sac.js";
import { Td3 } from "./td3.js";

/** Builds the agent `spec` describes, its replay buffer attached to `replay` (the trainer thread's side). */
export function buildTrainable(
  spec: AgentSpec,
  kernels: Kernels,
  rng: Random,
  replay: SharedReplayMemory,
): RemoteTrainable {
  switch (spec.algo) {
    case "dqn":
      return new Dqn(kernels, spec.obsDim, spec.nActions, spec.config, rng, replay);
    case "sac":
      return new Sac(kernels, spec.obsDim, spec.actDim, spec.config, rng, replay);
    case "td3":
      return new Td3(kernels, spec.obsDim, spec.actDim, spec.config, rng, replay);
  }
}
