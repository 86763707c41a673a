/**
 * A SAC learner's answers to a peer group (learner.ts): the critic term min(Q1, Q2)(s, a_j) of other peers'
 * actions (Eq. 3), and the value V(s) = min(Q1, Q2)(s, a) at an action sampled from its own policy (not its mean),
 * as the original. Uses workspaces of its own, grown rarely to the largest batch asked, so training state is
 * untouched.
 */
import type { Tensor } from "../nn/kernels/heap.js";
import type { MlpWorkspace } from "../nn/mlp.js";
import type { Sample } from "./sac-actor.js";
import type { SacNetworks } from "./sac-update.js";

export class SacQueries {
  private rows = 0;
  /** k rows of [s, a]: the critics' input. */
  private input: Tensor | null = null;
  private sample: Sample | null = null;
  private critics: [MlpWorkspace, MlpWorkspace] | null = null;
  private readonly width: number;

  constructor(private readonly networks: SacNetworks) {
    this.width = networks.options.obsDim + networks.options.actDim;
  }

  private ensure(k: number): Tensor {
    if (!this.input || this.rows < k) {
      const n = this.networks;
      this.rows = k;
      this.input = n.kernels.heap.alloc(k * this.width);
      this.sample = n.actor.newSample(k);
      this.critics = [n.critics[0].workspace(k), n.critics[1].workspace(k)];
    }
    return this.input;
  }

  /** min(Q1, Q2)(s, a_j) for the n actions in `actions` (rows of actDim). */
  critic(obs: Float32Array, actions: Float32Array, n: number, out: Float64Array): void {
    const input = this.ensure(n).data;
    const d = obs.length;
    const w = this.width;
    const A = w - d;
    for (let j = 0; j < n; j++) {
      for (let q = 0; q < d; q++) input[j * w + q] = obs[q];
      for (let q = 0; q < A; q++) input[j * w + d + q] = actions[j * A + q];
    }
    this.minQ(n, out);
  }

  /** min(Q1, Q2)(s_r, a_r) with a_r sampled from the policy (gSDE: its current exploration matrix), k states. */
  values(obs: Float32Array, k: number, out: Float64Array): void {
    const input = this.ensure(k);
    const d = this.networks.options.obsDim;
    const w = this.width;
    const data = input.data;
    for (let r = 0; r < k; r++) for (let q = 0; q < d; q++) data[r * w + q] = obs[r * d + q];
    // The actor reads the observations from the input's rows and writes the sampled actions beside them.
    this.networks.actor.sample(this.sample as Sample, input.offset, k, w, data, d, w);
    this.minQ(k, out);
  }

  private minQ(k: number, out: Float64Array): void {
    const [c0, c1] = this.networks.critics;
    const [w0, w1] = this.critics as [MlpWorkspace, MlpWorkspace];
    const offset = (this.input as Tensor).offset;
    c0.forward(w0, offset, k);
    c1.forward(w1, offset, k);
    for (let r = 0; r < k; r++) out[r] = Math.min(w0.output.data[r], w1.output.data[r]);
  }
}
