/**
 * A multi-layer perceptron (Linear layers with an activation between them) on a kernel backend's heap, with a
 * hand-written backward pass. All memory is allocated at construction; forward and backward allocate nothing.
 *
 * Layout: all parameters of one network are one contiguous block (per layer: weight [out, in] row-major as in
 * PyTorch, then bias [out]), and so are their gradients, so that Adam, gradient clipping and Polyak averaging are
 * each one kernel call over the whole network.
 */
import type { Random } from "../core/random.js";
import { Activation, type ActivationCode, type ActivationName, type Kernels } from "./kernels/kernels.js";
import type { Tensor } from "./kernels/heap.js";

export interface MlpSpec {
  /** Layer widths from input to output, e.g. [4, 256, 256, 4]. */
  readonly sizes: readonly number[];
  /** Activation after every hidden layer (SB3's default: relu). */
  readonly hiddenActivation?: ActivationName;
  /** Activation after the last layer (identity for Q-networks, tanh for TD3's actor). */
  readonly outputActivation?: ActivationName;
}

/** A layer as plain numbers (copies), for export: weight [out, in] row-major, bias [out], its activation. */
export interface DenseLayer {
  readonly inSize: number;
  readonly outSize: number;
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly activation: ActivationName;
}

export interface Layer {
  readonly inSize: number;
  readonly outSize: number;
  readonly act: ActivationCode;
  /** Offsets (in floats, on the heap) of the weight [out, in], bias [out], and their gradients. */
  readonly w: number;
  readonly b: number;
  readonly gw: number;
  readonly gb: number;
}

/**
 * The activations of one forward pass, kept for the backward pass. A network can have several workspaces: a
 * forward pass whose activations are not needed later (a target value, an action for the replay buffer) uses a
 * different workspace from the one the next backward pass reads.
 */
export class MlpWorkspace {
  /** Post-activation output of each layer, maxBatch x outSize. */
  readonly outputs: Tensor[];
  /**
   * Gradient with respect to each layer's output (the caller writes the last one before `backward`). Shared by the
   * workspaces of one network, since only one backward pass runs at a time: it keeps the memory, and so the
   * cache footprint, of a network with several workspaces down.
   */
  readonly grads: Tensor[];
  /** Gradient with respect to the network's input, filled by `backward(..., { inputGrad: true })`. */
  readonly inputGrad: Tensor;
  /** Offset of the input of the last forward pass. */
  lastInput = -1;
  lastInputStride = 0;
  lastBatch = 0;

  constructor(
    readonly mlp: Mlp,
    readonly maxBatch: number,
  ) {
    const heap = mlp.kernels.heap;
    this.outputs = mlp.layers.map((l) => heap.alloc(maxBatch * l.outSize));
    const scratch = mlp.gradientScratch(maxBatch);
    this.grads = scratch.grads;
    this.inputGrad = scratch.inputGrad;
  }

  /** The network's output of the last forward pass (a view of maxBatch x outputSize floats). */
  get output(): Tensor {
    return this.outputs[this.outputs.length - 1];
  }

  /** Where the caller writes dLoss/dOutput before calling `backward`. */
  get outputGrad(): Tensor {
    return this.grads[this.grads.length - 1];
  }
}

export interface BackwardOptions {
  /** Accumulate into the parameter gradients instead of overwriting them (default false). */
  readonly accumulate?: boolean;
  /** Compute parameter gradients (default true); false when only dOutput/dInput is wanted (SAC's dQ/da). */
  readonly paramGrads?: boolean;
  /** Also compute the gradient with respect to the input into `workspace.inputGrad` (default false). */
  readonly inputGrad?: boolean;
}

/** Shared default, so that a call without options allocates no object. */
const DEFAULT_BACKWARD: BackwardOptions = Object.freeze({});
/** The options hot paths pass, made once: an object literal at a call site would allocate on every call. */
export const WITH_INPUT_GRAD: BackwardOptions = Object.freeze({ inputGrad: true });
export const INPUT_GRAD_ONLY: BackwardOptions = Object.freeze({ paramGrads: false, inputGrad: true });

export class Mlp {
  readonly layers: Layer[];
  readonly params: Tensor;
  readonly grads: Tensor;
  readonly inputSize: number;
  readonly outputSize: number;

  constructor(
    readonly kernels: Kernels,
    readonly spec: MlpSpec,
  ) {
    const sizes = spec.sizes;
    if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new RangeError(`MLP sizes must be at least two positive integers, got [${sizes.join(", ")}]`);
    }
    const hidden = Activation[spec.hiddenActivation ?? "relu"];
    const output = Activation[spec.outputActivation ?? "identity"];
    let count = 0;
    for (let l = 0; l + 1 < sizes.length; l++) count += sizes[l] * sizes[l + 1] + sizes[l + 1];
    this.params = kernels.heap.alloc(count);
    this.grads = kernels.heap.alloc(count);
    const layers: Layer[] = [];
    let off = 0;
    for (let l = 0; l + 1 < sizes.length; l++) {
      const inSize = sizes[l];
      const outSize = sizes[l + 1];
      const w = off;
      const b = off + inSize * outSize;
      off = b + outSize;
      layers.push({
        inSize,
        outSize,
        act: l + 2 === sizes.length ? output : hidden,
        w: this.params.offset + w,
        b: this.params.offset + b,
        gw: this.grads.offset + w,
        gb: this.grads.offset + b,
      });
    }
    this.layers = layers;
    this.inputSize = sizes[0];
    this.outputSize = sizes[sizes.length - 1];
  }

  get parameterCount(): number {
    return this.params.length;
  }

  workspace(maxBatch: number): MlpWorkspace {
    return new MlpWorkspace(this, maxBatch);
  }

  private scratch: { rows: number; grads: Tensor[]; inputGrad: Tensor } | undefined;

  /** Gradient buffers for backward passes of up to `rows` rows, shared by this network's workspaces. */
  gradientScratch(rows: number): { grads: Tensor[]; inputGrad: Tensor } {
    if (!this.scratch || this.scratch.rows < rows) {
      const heap = this.kernels.heap;
      this.scratch = {
        rows,
        grads: this.layers.map((l) => heap.alloc(rows * l.outSize)),
        inputGrad: heap.alloc(rows * this.inputSize),
      };
    }
    return this.scratch;
  }

  /**
   * PyTorch's default nn.Linear initialisation (what SB3's off-policy policies use): weight and bias uniform in
   * +-1/sqrt(fan_in) (kaiming_uniform with a = sqrt(5) reduces to that bound).
   */
  initPytorchDefault(rng: Random): void {
    const p = this.kernels.heap.f32;
    for (const layer of this.layers) {
      const bound = 1 / Math.sqrt(layer.inSize);
      for (let i = 0; i < layer.inSize * layer.outSize; i++) p[layer.w + i] = rng.uniformIn(-bound, bound);
      for (let i = 0; i < layer.outSize; i++) p[layer.b + i] = rng.uniformIn(-bound, bound);
    }
  }

  /** Its layers as plain numbers (copies of the weights). */
  denseLayers(): DenseLayer[] {
    const p = this.kernels.heap.f32;
    const names = Object.keys(Activation) as ActivationName[];
    return this.layers.map((l) => ({
      inSize: l.inSize,
      outSize: l.outSize,
      weight: p.slice(l.w, l.w + l.inSize * l.outSize),
      bias: p.slice(l.b, l.b + l.outSize),
      activation: names.find((n) => Activation[n] === l.act) ?? "identity",
    }));
  }

  /** Copies all parameters from a network of the same shape (a target network's hard update). */
  copyFrom(source: Mlp): void {
    this.assertSameShape(source);
    this.params.data.set(source.params.data);
  }

  assertSameShape(other: Mlp): void {
    if (other.params.length !== this.params.length || other.spec.sizes.join() !== this.spec.sizes.join()) {
      throw new RangeError(
        `network shapes differ: [${this.spec.sizes.join(", ")}] vs [${other.spec.sizes.join(", ")}]`,
      );
    }
  }

  /**
   * Runs `batch` rows of input (at heap offset `input`, rows `inputStride` floats apart, so the input can be the
   * first columns of a wider matrix) through the network; the result is in `ws.output`. Returns its heap offset.
   */
  forward(ws: MlpWorkspace, input: number, batch: number, inputStride = this.inputSize): number {
    if (batch > ws.maxBatch) throw new RangeError(`batch ${batch} exceeds the workspace's ${ws.maxBatch}`);
    const k = this.kernels;
    let x = input;
    let ldx = inputStride;
    for (let l = 0; l < this.layers.length; l++) {
      const layer = this.layers[l];
      const y = ws.outputs[l].offset;
      // Y = act(X W^T + b), W stored [out, in].
      k.linearForward(batch, layer.outSize, layer.inSize, x, ldx, layer.w, layer.b, y, layer.act);
      x = y;
      ldx = layer.outSize;
    }
    ws.lastInput = input;
    ws.lastInputStride = inputStride;
    ws.lastBatch = batch;
    return x;
  }

  /**
   * Backpropagates `ws.outputGrad` (dLoss/dOutput, written by the caller; overwritten here) through the forward
   * pass recorded in `ws`: parameter gradients into `this.grads`, and optionally dLoss/dInput into `ws.inputGrad`.
   */
  backward(ws: MlpWorkspace, options: BackwardOptions = DEFAULT_BACKWARD): void {
    const k = this.kernels;
    const batch = ws.lastBatch;
    const paramGrads = options.paramGrads !== false;
    const beta = options.accumulate ? 1 : 0;
    const top = this.layers[this.layers.length - 1];
    const gTop = ws.grads[this.layers.length - 1].offset;
    // dLoss/dPreActivation of the top layer = dLoss/dOutput * act'(.), and its bias gradient.
    k.actBackward(gTop, ws.outputs[this.layers.length - 1].offset, batch * top.outSize, top.act);
    if (paramGrads) k.sumRows(gTop, batch, top.outSize, top.gb, beta);
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const layer = this.layers[l];
      const g = ws.grads[l].offset; // dLoss/dPreActivation of layer l
      const x = l === 0 ? ws.lastInput : ws.outputs[l - 1].offset;
      const ldx = l === 0 ? ws.lastInputStride : layer.inSize;
      // dW = G^T X  ([out, batch] x [batch, in]).
      if (paramGrads)
        k.gemm(true, false, layer.outSize, layer.inSize, batch, g, layer.outSize, x, ldx, layer.gw, layer.inSize, beta);
      if (l > 0) {
        // dX = G W into the layer below, times its activation's derivative: its dLoss/dPreActivation, and the
        // column sums of that are its bias gradient.
        const below = this.layers[l - 1];
        const db = paramGrads ? below.gb : -1;
        k.linearBackwardInput(
          batch,
          layer.outSize,
          layer.inSize,
          g,
          layer.w,
          ws.grads[l - 1].offset,
          x,
          below.act,
          db,
          beta,
        );
      } else if (options.inputGrad) {
        const dx = ws.inputGrad.offset;
        k.gemm(
          false,
          false,
          batch,
          layer.inSize,
          layer.outSize,
          g,
          layer.outSize,
          layer.w,
          layer.inSize,
          dx,
          layer.inSize,
          0,
        );
      }
    }
  }

  zeroGrad(): void {
    this.grads.data.fill(0);
  }

  /**
   * The parameters as PyTorch names them in an nn.Sequential of Linear and activation modules
   * (`<prefix>0.weight`, `<prefix>0.bias`, `<prefix>2.weight`, ...), for safetensors files.
   */
  namedTensors(prefix = ""): NamedTensor[] {
    const out: NamedTensor[] = [];
    const base = this.params.offset;
    this.layers.forEach((layer, l) => {
      const data = this.params.data;
      out.push({
        name: `${prefix}${2 * l}.weight`,
        shape: [layer.outSize, layer.inSize],
        data: data.subarray(layer.w - base, layer.w - base + layer.inSize * layer.outSize),
      });
      out.push({
        name: `${prefix}${2 * l}.bias`,
        shape: [layer.outSize],
        data: data.subarray(layer.b - base, layer.b - base + layer.outSize),
      });
    });
    return out;
  }
}

export interface NamedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}
