/**
 * A frozen expert from an ONNX file (`{"kind": "frozen", "algo": "sac", "checkpoint": "expert.onnx"}`): its graph's
 * MLP (onnx/onnx-policy.ts) runs on peerlearn's own engine and answers suggestions, deterministically. It takes no
 * env steps and is asked nothing else: the critic term values every suggestion with the asker's own critic, as for
 * any peer. Its observation and action sizes are checked against the task; an output scaled to the task's action
 * bounds (low + (a + 1) / 2 (high - low), as `peerlearn export` writes it) is read back in [-1, 1].
 */
import { UserError } from "../core/errors.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import type { Tensor } from "../nn/kernels/heap.js";
import { Mlp, type MlpWorkspace } from "../nn/mlp.js";
import type { Space } from "../envs/spaces.js";
import { readOnnxModel } from "../onnx/read-model.js";
import { readOnnxPolicy, type OnnxPolicy, type TailStep } from "../onnx/onnx-policy.js";
import type { Peer } from "./peer.js";

/** The tail without the step that scales [-1, 1] to the task's action bounds (checked to be that scaling). */
function withoutScaling(p: OnnxPolicy, space: Space, what: string): TailStep[] {
  const tail = [...p.tail];
  const last = tail[tail.length - 1];
  if (space.kind === "discrete") {
    if (p.outSize !== space.n)
      throw new UserError(`${what}: its output has ${p.outSize} values; the task has ${space.n} actions`);
    if (tail.some((t) => t.op !== "argmax"))
      throw new UserError(
        `${what}: a discrete policy's output is its Q-values or logits (and their ArgMax), not ${tail.map((t) => t.op).join(", ")}`,
      );
    return tail;
  }
  if (p.outSize !== space.dim)
    throw new UserError(`${what}: its action has ${p.outSize} numbers; the task's has ${space.dim}`);
  if (last?.op === "argmax")
    throw new UserError(`${what}: an ArgMax output is a discrete action; the task's actions are continuous`);
  if (last?.op === "affine") {
    tail.pop();
    const ok = [...last.scale].every((s, j) => {
      const half = (space.high[j] - space.low[j]) / 2;
      const mid = space.low[j] + half;
      return (
        Math.abs(s - half) <= 1e-5 * Math.max(1, Math.abs(half)) &&
        Math.abs(last.offset[j] - mid) <= 1e-5 * Math.max(1, Math.abs(mid))
      );
    });
    if (!ok)
      throw new UserError(
        `${what}: its action is scaled to other bounds than the task's [${[...space.low].join(", ")}] to [${[...space.high].join(", ")}]`,
      );
  }
  const squashed =
    tail.length > 0 ? tail[tail.length - 1].op === "tanh" : p.layers[p.layers.length - 1].activation === "tanh";
  if (!squashed)
    throw new UserError(
      `${what}: its action is not squashed by a Tanh, so its scale is unknown (peerlearn reads tanh policies, as SB3's SAC and TD3)`,
    );
  return tail;
}

export class OnnxPeer implements Peer {
  readonly kind = "frozen";
  readonly acts = false;
  readonly learns = false;
  readonly available = true;
  readonly random = null;
  private readonly mlp: Mlp;
  private readonly ws: MlpWorkspace;
  private readonly input: Tensor;
  private readonly tail: TailStep[];
  private readonly row: Float64Array;
  private readonly discrete: boolean;

  constructor(path: string, obsDim: number, space: Space, kernels: Kernels) {
    const what = path;
    const p = readOnnxPolicy(readOnnxModel(path), what);
    if (p.obsDim !== obsDim)
      throw new UserError(`${what}: its input takes ${p.obsDim} numbers; the task's observation has ${obsDim}`);
    this.tail = withoutScaling(p, space, what);
    const hidden = p.layers.slice(0, -1).map((l) => l.activation);
    if (new Set(hidden).size > 1)
      throw new UserError(`${what}: its hidden layers mix activations (${hidden.join(", ")})`);
    this.mlp = new Mlp(kernels, {
      sizes: [obsDim, ...p.layers.map((l) => l.outSize)],
      hiddenActivation: hidden[0] ?? "relu",
      outputActivation: p.layers[p.layers.length - 1].activation,
    });
    const heap = kernels.heap;
    this.mlp.layers.forEach((l, i) => {
      heap.f32.set(p.layers[i].weight, l.w);
      heap.f32.set(p.layers[i].bias, l.b);
    });
    this.ws = this.mlp.workspace(1);
    this.input = heap.alloc(obsDim);
    this.row = new Float64Array(p.outSize);
    this.discrete = space.kind === "discrete";
  }

  /** Its deterministic action (`explore` is not used: a frozen expert's suggestion has no noise). */
  suggest(obs: Float32Array, _explore: boolean, out: Float32Array, offset: number): void {
    this.input.data.set(obs);
    this.mlp.forward(this.ws, this.input.offset, 1);
    const y = this.ws.output.data;
    const r = this.row;
    for (let j = 0; j < r.length; j++) r[j] = y[j];
    for (const t of this.tail) {
      if (t.op === "argmax") break; // a discrete suggestion is the best of the values, below
      for (let j = 0; j < r.length; j++)
        r[j] =
          t.op === "tanh"
            ? Math.tanh(r[j])
            : t.op === "relu"
              ? Math.max(0, r[j])
              : t.op === "clip"
                ? Math.min(Math.max(r[j], t.min), t.max)
                : r[j] * t.scale[j] + t.offset[j];
    }
    if (this.discrete) {
      let best = 0;
      for (let j = 1; j < r.length; j++) if (r[j] > r[best]) best = j;
      out[offset] = best;
      return;
    }
    for (let j = 0; j < r.length; j++) out[offset + j] = r[j];
  }
}
