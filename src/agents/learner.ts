/**
 * The Learner boundary: everything a peer group asks of a learning agent, so that `peers/` never reaches into
 * networks or optimisers. It is three small interfaces: a learner acts, stores and trains like any off-policy
 * agent (OffPolicyAgent), hands its training to a trainer thread (ThreadTrainable), and answers a group's
 * questions (PeerAnswers): its action in a state, its critic's value of other peers' actions, its value of states.
 *
 * Actions travel as rows of a Float32Array: one number (the index) for a discrete action, actDim numbers in
 * [-1, 1] for a continuous one.
 */
import type { OffPolicyAgent } from "./agent.js";
import type { AgentSpec, ThreadTrainable } from "./trainable.js";
import type { PolicyDescription } from "./policy-description.js";

/** What a peer group asks of a learner about states and actions (peers/peer.ts wraps it as a peer). */
export interface PeerAnswers {
  readonly obsDim: number;
  /** Floats per action row: 1 for a discrete action, actDim for a continuous one. */
  readonly actionWidth: number;
  /** Discrete actions (0 for continuous ones). */
  readonly discreteActions: number;
  readonly gamma: number;
  /** Env steps of random actions before it uses its policy. */
  readonly learningStarts: number;
  /** Env steps per rollout (training happens at their ends). */
  readonly trainFreq: number;
  /** DQN's current epsilon; 0 for learners that explore otherwise. */
  readonly explorationRate: number;
  /** Per-step bookkeeping before it acts on someone's advice (SAC with gSDE: new noise at a rollout start). */
  beginStep(numTimesteps: number): void;
  /** Whether beginStep does anything (only then must a peer elsewhere be asked to run it). */
  readonly usesBeginStep: boolean;
  /**
   * Its own action for obs into out[offset..]: `deterministic`, its greedy / mean action; otherwise with its policy
   * noise (SAC's sampled action). A DQN's policy network is greedy either way (epsilon belongs to acting).
   */
  suggest(obs: Float32Array, deterministic: boolean, out: Float32Array, offset: number): void;
  /** Q(s, a_j) for n actions (rows of `actions`); twin critics: their minimum. */
  critic(obs: Float32Array, actions: Float32Array, n: number, out: Float64Array): void;
  /** V(s) = Q(s, a ~ pi(s)) for k states (rows of obs): DQN max_a Q, SAC at a sampled own action. */
  values(obs: Float32Array, k: number, out: Float64Array): void;
  /** Whether values() draws from the learner's generator (SAC samples its action), so its order among draws counts. */
  readonly valuesDraw: boolean;
  /** Loads the policy's weights from a model.safetensors this learner kind saved (a frozen, pre-trained peer). */
  loadPolicy(path: string): void;
  /** Its acting policy as plain layers (for export: onnx/). */
  describePolicy(): PolicyDescription;
}

export interface Learner extends OffPolicyAgent, ThreadTrainable, PeerAnswers {
  readonly algo: AgentSpec["algo"];
}
