/**
 * What a TD3 checkpoint holds: its weights and optimiser moments under the names Stable-Baselines3's TD3 policy
 * gives them, and its state (JSON).
 */
import type { RandomState } from "../../core/random.js";
import type { ReplayBufferState } from "../replay-buffer.js";
import type { Tensor } from "../../nn/kernels/heap.js";
import type { Adam } from "../../nn/adam.js";
import type { Mlp, NamedTensor } from "../../nn/mlp.js";

export interface Td3State {
  nUpdates: number;
  adamSteps: number[];
  buffer: ReplayBufferState;
  rng: RandomState;
}

export interface Td3Parts {
  readonly actor: Mlp;
  readonly actorTarget: Mlp;
  readonly critics: readonly [Mlp, Mlp];
  readonly criticTargets: readonly [Mlp, Mlp];
  readonly actorOpt: Adam;
  readonly criticOpts: readonly [Adam, Adam];
}

export function td3Tensors(p: Td3Parts): NamedTensor[] {
  const m = (name: string, t: Tensor): NamedTensor => ({ name, shape: [t.length], data: t.data });
  return [
    ...p.actor.namedTensors("actor.mu."),
    ...p.actorTarget.namedTensors("actor_target.mu."),
    ...p.critics[0].namedTensors("critic.qf0."),
    ...p.critics[1].namedTensors("critic.qf1."),
    ...p.criticTargets[0].namedTensors("critic_target.qf0."),
    ...p.criticTargets[1].namedTensors("critic_target.qf1."),
    m("optimizer.actor.exp_avg", p.actorOpt.m),
    m("optimizer.actor.exp_avg_sq", p.actorOpt.v),
    ...p.criticOpts.flatMap((o, i) => [
      m(`optimizer.critic${i}.exp_avg`, o.m),
      m(`optimizer.critic${i}.exp_avg_sq`, o.v),
    ]),
  ];
}
