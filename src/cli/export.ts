/**
 * `peerlearn export RUN_DIR [--peer I] [--out FILE.onnx]`: the acting policy of a finished run's learner (a single
 * agent, or peer I of a group) as an ONNX graph (onnx/export.ts), for onnxruntime, TensorRT, browsers, ...
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../core/errors.js";
import { peerlearnVersion } from "../core/provenance.js";
import { make } from "../envs/registry.js";
import { agentSpec, buildLearner, type AlgoSettings } from "../agents/algorithms.js";
import { runSettings, validateRunConfig } from "../agents/config.js";
import { getKernels } from "../nn/kernels/select.js";
import { Random } from "../core/random.js";
import { RunDir, readJson } from "../runs/run-dir.js";
import { resolvePeers } from "../peers/peer-settings.js";
import { validateGroupRunConfig } from "../peers/validate-config.js";
import { exportOnnx } from "../onnx/export.js";
import { integerOption, parseCommand } from "./args.js";

export const EXPORT_USAGE = `  export RUN_DIR         a finished run's policy as an ONNX graph (obs -> action; DQN: and its Q-values)
      --peer I          which peer of a group (default: the first learner)
      --out FILE.onnx   where (default RUN_DIR/final/policy.onnx, or peer-I.onnx for a group)`;

/** What a run folder's learner is: its settings, the env, and where its final weights are. */
function learnerOf(
  dir: string,
  peer: number | undefined,
): {
  settings: AlgoSettings;
  env: string;
  envOptions: Record<string, unknown>;
  weights: string;
  out: string;
  what: string;
} {
  const run = new RunDir(dir);
  if (!existsSync(run.configPath)) throw new UserError(`${dir} is not a run folder (no config.json)`);
  const raw = readJson<Record<string, unknown>>(run.configPath);
  if (raw === null || typeof raw !== "object" || !("peers" in raw)) {
    if (peer !== undefined) throw new UserError(`${dir} is a single agent's run: --peer is for peer groups`);
    const config = validateRunConfig(raw);
    const weights = join(run.finalDir, "model.safetensors");
    return {
      settings: runSettings(config),
      env: config.env,
      envOptions: config.envOptions,
      weights,
      out: join(run.finalDir, "policy.onnx"),
      what: config.algo.toUpperCase(),
    };
  }
  const config = validateGroupRunConfig(raw);
  const peers = resolvePeers(config);
  const index = peer ?? peers.findIndex((p) => p.learner !== null);
  if (index < 0 || index >= peers.length)
    throw new UserError(`--peer must be from 0 to ${peers.length - 1}, got ${index}`);
  const learner = peers[index].learner;
  if (!learner)
    throw new UserError(
      `peer ${index} of ${dir} is a scripted ${peers[index].spec.kind}: it has no policy to export (choose a learner with --peer)`,
    );
  const weights = join(run.finalDir, `peer-${index}`, "model.safetensors");
  return {
    settings: learner,
    env: config.env,
    envOptions: config.envOptions,
    weights,
    out: join(run.finalDir, `peer-${index}.onnx`),
    what: `peer ${index} (${peers[index].spec.kind})`,
  };
}

/** Writes the ONNX graph of a finished run's learner; returns where. */
export function exportRunPolicy(dir: string, options: { peer?: number; out?: string } = {}): string {
  const l = learnerOf(dir, options.peer);
  if (!existsSync(l.weights))
    throw new UserError(
      `${dir} has no final weights (${l.weights}): the run has not finished; the same train command finishes it`,
    );
  const env = make(l.env, l.envOptions);
  let bytes: Uint8Array;
  try {
    const spec = agentSpec(l.settings, env.observationSpace.dim, env.actionSpace, l.what, l.env);
    const learner = buildLearner(spec, getKernels("js"), new Random(0));
    learner.loadPolicy(l.weights);
    bytes = exportOnnx(learner, { observation: env.observationSpace, action: env.actionSpace }, peerlearnVersion());
  } finally {
    env.close();
  }
  const out = options.out ?? l.out;
  writeFileSync(out, bytes);
  return out;
}

export function exportCommand(args: string[]): void {
  const { values, positionals } = parseCommand(args, { peer: { type: "string" }, out: { type: "string" } }, true);
  if (positionals.length !== 1)
    throw new UserError("export needs one run folder: peerlearn export RUN_DIR [--peer I] [--out FILE.onnx]");
  if (values.out !== undefined && !values.out.endsWith(".onnx"))
    throw new UserError(`--out must name a .onnx file, got ${JSON.stringify(values.out)}`);
  const peer = values.peer === undefined ? undefined : integerOption("peer", values.peer, 0, 0, 1023);
  const out = exportRunPolicy(positionals[0], { peer, out: values.out });
  console.log(
    `peerlearn export: ${out} (ONNX opset 17; input obs [batch, obsDim]; run it with onnxruntime: docs/onnx.md)`,
  );
}
