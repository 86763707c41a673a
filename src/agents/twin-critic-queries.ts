/**
 * The answers of a learner with twin critics (SAC, TD3) to a peer group (learner.ts), as the original's peer class
 * asks any such algorithm: the critic term min(Q1, Q2)(s, a_j) of other peers' actions (Eq. 3), and the value
 * V(s) = min(Q1, Q2)(s, a) at the learner's own action for s (SAC: sampled from its policy; TD3: its deterministic
 * actor). Uses workspaces of its own, grown rarely to the largest batch asked, so training state is untouched.
 */
import type { Tensor } from "../nn/kernels/heap.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import type { Mlp, MlpWorkspace } from "../nn/mlp.js";

/** Writes the learner's own actions for the k states in the first obsDim columns of `input`'s rows beside them. */
export type OwnActions = (input: Tensor, k: number, rowWidth: number) => void;

export class TwinCriticQueries {
  private rows = 0;
  /** k rows of [s, a]: the critics' input. */
  private input: Tensor | null = null;
  private ws: [MlpWorkspace, MlpWorkspace] | null = null;
  private readonly width: number;

  constructor(
    private readonly kernels: Kernels,
    private readonly critics: readonly [Mlp, Mlp],
    private readonly obsDim: number,
    actDim: number,
    private readonly ownActions: OwnActions,
  ) {
    this.width = obsDim + actDim;
  }

  private ensure(k: number): Tensor {
    if (!this.input || this.rows < k) {
      this.rows = k;
      this.input = this.kernels.heap.alloc(k * this.width);
      this.ws = [this.critics[0].workspace(k), this.critics[1].workspace(k)];
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

  /** min(Q1, Q2)(s_r, own action at s_r) for k states (rows of obs). */
  values(obs: Float32Array, k: number, out: Float64Array): void {
    const input = this.ensure(k);
    const d = this.obsDim;
    const w = this.width;
    const data = input.data;
    for (let r = 0; r < k; r++) for (let q = 0; q < d; q++) data[r * w + q] = obs[r * d + q];
    this.ownActions(input, k, w);
    this.minQ(k, out);
  }

  private minQ(k: number, out: Float64Array): void {
    const [w0, w1] = this.ws as [MlpWorkspace, MlpWorkspace];
    const offset = (this.input as Tensor).offset;
    this.critics[0].forward(w0, offset, k);
    this.critics[1].forward(w1, offset, k);
    for (let r = 0; r < k; r++) out[r] = Math.min(w0.output.data[r], w1.output.data[r]);
  }
}
