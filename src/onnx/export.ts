/**
 * A learner's acting policy as one ONNX graph (opset 17): input `obs` [batch, obsDim] (float32); outputs
 *   DQN  `q_values` [batch, nActions] and `action` [batch] (int64, the greedy action);
 *   TD3  `action` [batch, actDim] (the deterministic action, scaled to the action space);
 *   SAC  `action` [batch, actDim] (tanh of the mean, scaled), `mean` and `log_std` [batch, actDim] (the squashed
 *        Gaussian's, before tanh; with gSDE the log std of latent^2 @ exp(2 log std) + 1e-6 over 2).
 * Metadata: peerlearn's version, the algorithm, the observation and action spaces (JSON), what each output is.
 */
import { UserError } from "../core/errors.js";
import type { Box, Space } from "../envs/spaces.js";
import type { Learner } from "../agents/learner.js";
import type { DenseLayer, PolicyDescription } from "../agents/policy-description.js";
import { DataType } from "./onnx-schema.js";
import { GraphBuilder, floatValue, intAttribute, type GraphValue } from "./graph-builder.js";

export interface ExportSpaces {
  readonly observation: Box;
  readonly action: Space;
}

/** The metadata keys peerlearn writes (and reads back). */
export const META = {
  version: "peerlearn_version",
  algo: "peerlearn_algo",
  observationSpace: "observation_space",
  actionSpace: "action_space",
  outputs: "outputs",
} as const;

const spaceJson = (s: Space): string =>
  JSON.stringify(s.kind === "discrete" ? s : { kind: "box", dim: s.dim, low: [...s.low], high: [...s.high] });

/** Dense layers from `input`: Gemm (x W^T + b), then the activation. */
function dense(g: GraphBuilder, input: string, layers: readonly DenseLayer[]): string {
  let x = input;
  for (const l of layers) {
    const w = g.constant("weight", [l.outSize, l.inSize], l.weight);
    const b = g.constant("bias", [l.outSize], l.bias);
    x = g.node("Gemm", [x, w, b], [intAttribute("transB", 1)]);
    if (l.activation === "relu") x = g.node("Relu", [x]);
    else if (l.activation === "tanh") x = g.node("Tanh", [x]);
  }
  return x;
}

/** a in [-1, 1] scaled to [low, high] as toEnvAction does: low + (a + 1) / 2 (high - low). */
function scaled(g: GraphBuilder, a: string, space: Box, output: string): string {
  const half = Float32Array.from(space.high, (h, j) => (h - space.low[j]) / 2);
  const mid = Float32Array.from(space.high, (h, j) => space.low[j] + (h - space.low[j]) / 2);
  const times = g.node("Mul", [a, g.constant("half_range", [space.dim], half)]);
  return g.node("Add", [times, g.constant("middle", [space.dim], mid)], [], output);
}

function policyOutputs(g: GraphBuilder, p: PolicyDescription, space: Space): GraphValue[] {
  if (p.kind === "q-values") {
    if (space.kind !== "discrete") throw new UserError("a DQN policy needs a discrete action space");
    const q = g.node("Identity", [dense(g, "obs", p.layers)], [], "q_values");
    g.node("ArgMax", [q], [intAttribute("axis", 1), intAttribute("keepdims", 0)], "action");
    return [floatValue("q_values", "batch", space.n), { name: "action", elemType: DataType.INT64, shape: ["batch"] }];
  }
  if (space.kind !== "box") throw new UserError(`a ${p.kind} policy needs a continuous action space`);
  const A = space.dim;
  if (p.kind === "deterministic") {
    scaled(g, dense(g, "obs", p.layers), space, "action");
    return [floatValue("action", "batch", A)];
  }
  const latent = dense(g, "obs", p.trunk);
  let mean = dense(g, latent, [p.mean]);
  if (p.clipMean > 0) mean = g.node("Clip", [mean, g.scalar("min", -p.clipMean), g.scalar("max", p.clipMean)]);
  mean = g.node("Identity", [mean], [], "mean");
  if (p.gsdeLogStd) {
    const stdSq = Float32Array.from(p.gsdeLogStd, (l) => Math.exp(2 * l));
    const latentSq = g.node("Mul", [latent, latent]);
    const variance = g.node("MatMul", [latentSq, g.constant("std_sq", [p.gsdeLogStd.length / A, A], stdSq)]);
    const log = g.node("Log", [g.node("Add", [variance, g.scalar("eps", 1e-6)])]);
    g.node("Mul", [log, g.scalar("half", 0.5)], [], "log_std");
  } else if (p.logStd) {
    const raw = dense(g, latent, [p.logStd]);
    g.node("Clip", [raw, g.scalar("min", -20), g.scalar("max", 2)], [], "log_std");
  }
  scaled(g, g.node("Tanh", [mean]), space, "action");
  return [floatValue("action", "batch", A), floatValue("mean", "batch", A), floatValue("log_std", "batch", A)];
}

/** The ONNX model of a learner's acting policy for these spaces. */
export function exportOnnx(learner: Learner, spaces: ExportSpaces, version: string): Uint8Array {
  const g = new GraphBuilder();
  const outputs = policyOutputs(g, learner.describePolicy(), spaces.action);
  return g.encode(
    [floatValue("obs", "batch", spaces.observation.dim)],
    outputs,
    {
      [META.version]: version,
      [META.algo]: learner.algo,
      [META.observationSpace]: spaceJson(spaces.observation),
      [META.actionSpace]: spaceJson(spaces.action),
      [META.outputs]: outputs.map((o) => o.name).join(","),
    },
    version,
  );
}
