/**
 * An ONNX graph read as a policy MLP: the path from the observation input to the action output (the output named
 * `action`, else the first) must be a chain of dense layers (Gemm, or MatMul and Add) and activations (Relu, Tanh),
 * with Identity and Flatten passed through, and after the last layer only element-wise steps: Clip, Tanh, Relu, a
 * constant scale and offset (Mul, Add, Sub, Div by constants), and ArgMax for discrete actions. Any other operator
 * is refused by name. What SB3's and CleanRL's documented exports of DQN, SAC and TD3 policies contain.
 */
import { UserError } from "../core/errors.js";
import type { DenseLayer } from "../nn/mlp.js";
import { floatsOf, type AttributeData, type ModelData, type NodeData, type TensorData } from "./read-model.js";

/** An element-wise step after the last dense layer. */
export type TailStep =
  | { readonly op: "clip"; readonly min: number; readonly max: number }
  | { readonly op: "tanh" }
  | { readonly op: "relu" }
  | { readonly op: "affine"; readonly scale: Float32Array; readonly offset: Float32Array }
  | { readonly op: "argmax" };

export interface OnnxPolicy {
  readonly obsDim: number;
  readonly layers: readonly DenseLayer[];
  readonly tail: readonly TailStep[];
  /** Its output's width (before an ArgMax). */
  readonly outSize: number;
  readonly metadata: Readonly<Record<string, string>>;
}

/** The operators peerlearn reads, for the message that refuses the others. */
export const READ_OPERATORS = [
  "Gemm",
  "MatMul",
  "Add",
  "Sub",
  "Mul",
  "Div",
  "Relu",
  "Tanh",
  "Clip",
  "Identity",
  "Flatten",
  "ArgMax",
];

const attr = (n: NodeData, key: string): AttributeData | undefined => n.attribute.find((a) => a.name === key);
const intAttr = (n: NodeData, key: string, fallback: number): number => attr(n, key)?.i ?? fallback;

export function readOnnxPolicy(model: ModelData, what: string): OnnxPolicy {
  const g = model.graph;
  const constants = new Map<string, TensorData>();
  for (const t of g.initializer) if (t.name) constants.set(t.name, t);
  for (const n of g.node)
    if (n.opType === "Constant" && n.output[0] && attr(n, "value")?.t)
      constants.set(n.output[0], attr(n, "value")?.t as TensorData);
  const inputs = g.input.filter((v) => !constants.has(v.name));
  if (inputs.length !== 1)
    throw new UserError(`${what}: a policy graph has one input (the observation); this one has ${inputs.length}`);
  const input = inputs[0];
  const shape = input.type?.tensorType?.shape?.dim ?? [];
  if ((input.type?.tensorType?.elemType ?? 1) !== 1 || shape.length !== 2 || !shape[1]?.dimValue)
    throw new UserError(`${what}: its input ${input.name} must be float32 of shape [batch, obsDim]`);
  const obsDim = shape[1].dimValue;
  const output = g.output.find((o) => o.name === "action") ?? g.output[0];
  if (!output) throw new UserError(`${what}: the graph has no output`);
  const constant = (name: string): Float32Array => {
    const t = constants.get(name);
    if (!t)
      throw new UserError(
        `${what}: ${name} must be a constant (the action is not a chain of layers from ${input.name})`,
      );
    return floatsOf(t, what);
  };
  // The chain: walk back from the output to the input through each node's one non-constant input.
  const producer = new Map<string, NodeData>();
  for (const n of g.node) for (const o of n.output) producer.set(o, n);
  const chain: NodeData[] = [];
  const visited = new Set<NodeData>();
  for (let value = output.name; value !== input.name;) {
    const n = producer.get(value);
    if (!n) throw new UserError(`${what}: nothing in the graph computes ${value}`);
    if (!READ_OPERATORS.includes(n.opType))
      throw new UserError(
        `${what}: operator ${n.opType} is not supported (peerlearn reads MLP policies: ${READ_OPERATORS.join(", ")})`,
      );
    const flowing = n.input.filter((i) => i !== "" && !constants.has(i));
    if (flowing.length !== 1)
      throw new UserError(
        `${what}: ${n.opType} node ${n.name ?? ""} takes ${flowing.length} computed inputs (a policy is one chain of layers)`,
      );
    if (visited.has(n)) throw new UserError(`${what}: the graph loops through ${n.opType} node ${n.name ?? ""}`);
    visited.add(n);
    chain.push(n);
    value = flowing[0];
  }
  chain.reverse(); // from the input to the output
  const layers: DenseLayer[] = [];
  const tail: TailStep[] = [];
  let width = obsDim;
  const denseOpen = () => tail.length === 0 && layers.length > 0 && layers[layers.length - 1].activation === "identity";
  for (const n of chain) {
    const consts = n.input.filter((i) => constants.has(i));
    switch (n.opType) {
      case "Identity":
      case "Flatten":
        break;
      case "Gemm":
      case "MatMul": {
        if (tail.length > 0)
          throw new UserError(
            `${what}: a dense layer after element-wise steps (${tail.map((t) => t.op).join(", ")}) is not read`,
          );
        if (
          n.opType === "Gemm" &&
          (intAttr(n, "transA", 0) !== 0 || (attr(n, "alpha")?.f ?? 1) !== 1 || (attr(n, "beta")?.f ?? 1) !== 1)
        )
          throw new UserError(`${what}: Gemm with transA, alpha or beta other than 0, 1, 1 is not read`);
        const wName = n.input[1];
        const w = constant(wName);
        const wDims = constants.get(wName)?.dims ?? [];
        const transB = n.opType === "Gemm" && intAttr(n, "transB", 0) === 1;
        const [rows, cols] = [wDims[0] ?? 0, wDims[1] ?? 0];
        const [inSize, outSize] = transB ? [cols, rows] : [rows, cols];
        if (wDims.length !== 2 || inSize !== width)
          throw new UserError(
            `${what}: a ${n.opType} weight of shape [${wDims.join(", ")}] does not take ${width} inputs`,
          );
        const weight = transB ? w : transpose(w, rows, cols);
        const bias =
          n.opType === "Gemm" && n.input[2]
            ? broadcast(constant(n.input[2]), outSize, what)
            : new Float32Array(outSize);
        layers.push({ inSize, outSize, weight, bias, activation: "identity" });
        width = outSize;
        break;
      }
      case "Relu":
      case "Tanh": {
        const activation = n.opType === "Relu" ? "relu" : "tanh";
        if (denseOpen()) layers[layers.length - 1] = { ...layers[layers.length - 1], activation };
        else tail.push({ op: activation });
        break;
      }
      case "Add":
      case "Sub":
      case "Mul":
      case "Div": {
        const c = broadcast(constant(consts[0] ?? ""), width, what);
        if (n.opType === "Add" && denseOpen()) {
          const last = layers[layers.length - 1];
          layers[layers.length - 1] = { ...last, bias: last.bias.map((b, i) => b + c[i]) };
        } else if (n.opType === "Sub" && n.input[0] !== consts[0])
          affine(tail, { scale: c.map(() => 1), offset: c.map((x) => -x) });
        else if (n.opType === "Add") affine(tail, { scale: c.map(() => 1), offset: c });
        else if (n.opType === "Mul") affine(tail, { scale: c, offset: c.map(() => 0) });
        else if (n.opType === "Div" && n.input[0] !== consts[0])
          affine(tail, { scale: c.map((x) => 1 / x), offset: c.map(() => 0) });
        else throw new UserError(`${what}: ${n.opType} with the constant first is not read`);
        break;
      }
      case "Clip": {
        const bound = (i: number, key: string, fallback: number): number =>
          n.input[i] ? constant(n.input[i])[0] : (attr(n, key)?.f ?? fallback);
        tail.push({ op: "clip", min: bound(1, "min", -Infinity), max: bound(2, "max", Infinity) });
        break;
      }
      case "ArgMax": {
        const axis = intAttr(n, "axis", 0);
        if (axis !== 1 && axis !== -1)
          throw new UserError(`${what}: ArgMax over axis ${axis} (not the actions) is not read`);
        tail.push({ op: "argmax" });
        break;
      }
    }
  }
  if (layers.length === 0)
    throw new UserError(`${what}: the graph has no dense layer between its input and ${output.name}`);
  const argmaxAt = tail.findIndex((t) => t.op === "argmax");
  if (argmaxAt >= 0 && argmaxAt !== tail.length - 1) throw new UserError(`${what}: steps after ArgMax are not read`);
  const metadata = Object.fromEntries(model.metadataProps.map((p) => [p.key ?? "", p.value ?? ""]));
  return { obsDim, layers, tail, outSize: width, metadata };
}

/** Appends x -> x * scale + offset, composed with an affine step just before it (Mul then Add is one scaling). */
function affine(tail: TailStep[], step: { scale: Float32Array; offset: Float32Array }): void {
  const last = tail[tail.length - 1];
  if (last?.op === "affine") {
    tail[tail.length - 1] = {
      op: "affine",
      scale: last.scale.map((s, j) => s * step.scale[j]),
      offset: last.offset.map((o, j) => o * step.scale[j] + step.offset[j]),
    };
  } else tail.push({ op: "affine", ...step });
}

/** [rows, cols] -> [cols, rows]. */
function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
  return t;
}

/** A constant of `width` numbers, or one number for all. */
function broadcast(c: Float32Array, width: number, what: string): Float32Array {
  if (c.length === width) return c;
  if (c.length === 1) return new Float32Array(width).fill(c[0]);
  throw new UserError(`${what}: a constant of ${c.length} numbers does not match a layer of ${width}`);
}
