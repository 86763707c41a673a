import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { torchPython } from "../src/bench/torch-reference.js";
import { make } from "../src/envs/registry.js";
import { getKernels } from "../src/nn/kernels/select.js";
import { OnnxPeer } from "../src/peers/onnx-peer.js";
import { findPreset } from "../src/peers/presets.js";
import { trainGroup } from "../src/peers/train-group.js";
import { validateGroupRunConfig } from "../src/peers/validate-config.js";
import { IN_CI, runsWith } from "./tools.js";

const python = torchPython();

/** Graphs exported by PyTorch (Debian's python3-torch) in SB3's documented shape, read as frozen ONNX peers. */
describe.runIf(runsWith(python !== null))("ONNX policies exported by PyTorch (needs python3-torch)", () => {
  const dir = mkdtempSync(join(tmpdir(), "peerlearn-torch-onnx-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let run: { status: number | null; stderr: string } | null = null;
  beforeAll(() => {
    const script = join("test", "fixtures", "torch_onnx_export.py");
    run = spawnSync(python ?? "python3", [script, dir], { encoding: "utf8" });
  });
  const answers = () =>
    JSON.parse(readFileSync(join(dir, "answers.json"), "utf8")) as {
      sacObs: number[];
      sacActions: number[];
      dqnObs: number[];
      dqnActions: number[];
    };

  it("exports them (torch.onnx.export, opset 17), with PyTorch present wherever CI runs", () => {
    if (IN_CI) expect(python, "CI installs python3-torch").not.toBeNull();
    expect(run?.status, run?.stderr).toBe(0);
  });

  it("a SAC actor: the same actions as PyTorch on 1,000 states, within 1e-5", () => {
    const a = answers();
    const peer = new OnnxPeer(join(dir, "sac.onnx"), 3, make("Pendulum-v1").actionSpace, getKernels("js"));
    const out = new Float32Array(1);
    let worst = 0;
    for (let i = 0; i < 1000; i++) {
      peer.suggest(Float32Array.from(a.sacObs.slice(i * 3, i * 3 + 3)), false, out, 0);
      worst = Math.max(worst, Math.abs(out[0] - a.sacActions[i]));
    }
    expect(worst).toBeLessThanOrEqual(1e-5);
  });

  it("a DQN Q-network: the same greedy actions as PyTorch on 1,000 states", () => {
    const a = answers();
    const peer = new OnnxPeer(join(dir, "dqn.onnx"), 4, make("CartPole-v1").actionSpace, getKernels("js"));
    const out = new Float32Array(1);
    const mine = Array.from({ length: 1000 }, (_, i) => {
      peer.suggest(Float32Array.from(a.dqnObs.slice(i * 4, i * 4 + 4)), false, out, 0);
      return out[0];
    });
    expect(mine).toEqual(a.dqnActions);
  });

  it("a study group with the PyTorch DQN as its frozen expert trains, and reports whom the learners followed", () => {
    const base = findPreset("room-v21/peer-learning").config;
    const config = validateGroupRunConfig({
      ...base,
      env: "CartPole-v1",
      steps: 1500,
      evalFreq: 750,
      evalEpisodes: 2,
      checkpointFreq: 0,
      dqn: { ...base.dqn, learningStarts: 200, netArch: [32], bufferSize: 5000 },
      peers: [{ kind: "dqn" }, { kind: "dqn" }, { kind: "frozen", algo: "dqn", checkpoint: join(dir, "dqn.onnx") }],
      group: { ...base.group, minEpochLength: 500 },
    });
    const summary = trainGroup(config, { out: join(dir, "study-group"), kernels: getKernels("js") });
    expect(summary.peers.map((p) => p.kind)).toEqual(["dqn", "dqn", "frozen"]);
    expect(summary.peers[2].followShare).toBeNull(); // it answers only: it takes no steps of its own
    for (const learner of summary.peers.slice(0, 2)) {
      const share = learner.followShare as number[];
      expect(share.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 9);
      expect(share[2]).toBeGreaterThan(0.05); // the expert was followed
    }
  });
});
