/**
 * A TD3 learner's answers to a peer group (learner.ts), as the original's peer class asks any algorithm with twin
 * critics: the critic term min(Q1, Q2)(s, a_j) of other peers' actions, and the value V(s) = min(Q1, Q2)(s, mu(s))
 * at its own deterministic action (TD3's policy has no noise of its own; SB3 adds exploration noise only when it
 * acts). Uses workspaces of its own, grown rarely to the largest batch asked, so training state is untouched.
 */
import type { Tensor } from "../nn/kernels/heap.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import type { Mlp, MlpWorkspace } from "../nn/mlp.js";

export class Td3Queries {
  private rows = 0;
  /** k rows of [s, a]: the critics' input (the actor reads the s columns). */
  private input: Tensor | null = null;
  private actorWs: MlpWorkspace | null = null;
  private criticWs: [MlpWorkspace, MlpWorkspace] | null = null;
  private readonly width: number;

  constructor(
    private readonly kernels: Kernels,
    private readonly actor: Mlp,
    private readonly critics: readonly [Mlp, Mlp],
    private readonly obsDim: number,
    actDim: number,
  ) {
    this.width = obsDim + actDim;
  }

  private ensure(k: number): Tensor {
    if (!this.input || this.rows < k) {
      this.rows = k;
      this.input = this.kernels.heap.alloc(k * this.width);
      this.actorWs = this.actor.workspace(k);
      this.criticWs = [this.critics[0].workspace(k), this.critics[1].workspace(k)];
    }
    return this.input;
  }

  /** min(Q1, Q2)(s, a_j) for the n actions in `actions` (rows of actDim). */
  critic(obs: Float32Array, actions: Float32Array, n: number, out: Float64Array): void {
    const input = this.ensure(n).data;
    const d = this.obsDim;
    const w = this.width;
    const A = w - d;
    for (let j = 0; j < n; j++) {
      for (let q = 0; q < d; q++) input[j * w + q] = obs[q];
      for (let q = 0; q < A; q++) input[j * w + d + q] = actions[j * A + q];
    }
    this.minQ(n, out);
  }

  /** min(Q1, Q2)(s_r, mu(s_r)) for k states (rows of obs). */
  values(obs: Float32Array, k: number, out: Float64Array): void {
    const input = this.ensure(k);
    const d = this.obsDim;
    const w = this.width;
    const A = w - d;
    const data = input.data;
    for (let r = 0; r < k; r++) for (let q = 0; q < d; q++) data[r * w + q] = obs[r * d + q];
    const ws = this.actorWs as MlpWorkspace;
    this.actor.forward(ws, input.offset, k, w);
    const mu = ws.output.data;
    for (let r = 0; r < k; r++) for (let q = 0; q < A; q++) data[r * w + d + q] = mu[r * A + q];
    this.minQ(k, out);
  }

  private minQ(k: number, out: Float64Array): void {
    const [w0, w1] = this.criticWs as [MlpWorkspace, MlpWorkspace];
    const offset = (this.input as Tensor).offset;
    this.critics[0].forward(w0, offset, k);
    this.critics[1].forward(w1, offset, k);
    for (let r = 0; r < k; r++) out[r] = Math.min(w0.output.data[r], w1.output.data[r]);
  }
}
