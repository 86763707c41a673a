/**
 * A learner's acting policy as plain dense layers (copies of the weights), for tools that write it in another
 * format (onnx/export.ts). Its deterministic action: DQN the argmax of the Q-values; TD3 the actor's tanh output;
 * SAC tanh of the Gaussian's mean (clipped to [-clipMean, clipMean] with gSDE). Actions in [-1, 1] before scaling.
 */

import type { DenseLayer } from "../nn/mlp.js";

export type { DenseLayer };

export type PolicyDescription =
  | { readonly kind: "q-values"; readonly layers: readonly DenseLayer[] }
  | { readonly kind: "deterministic"; readonly layers: readonly DenseLayer[] }
  | {
      readonly kind: "squashed-gaussian";
      /** The latent (SB3's latent_pi): the actor's hidden layers. */
      readonly trunk: readonly DenseLayer[];
      /** latent -> mean. */
      readonly mean: DenseLayer;
      /** latent -> log std, clamped to [-20, 2] (without gSDE); null with gSDE. */
      readonly logStd: DenseLayer | null;
      /** gSDE: log std [latent, act]: the action's variance is latent^2 @ exp(2 log std) + 1e-6. */
      readonly gsdeLogStd: Float32Array | null;
      /** gSDE: the mean goes through Hardtanh(-clipMean, clipMean); 0 without. */
      readonly clipMean: number;
    };
