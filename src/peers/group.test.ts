import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../core/errors.js";
import { getKernels } from "../nn/kernels/select.js";
import { validateGroupRunConfig, type GroupRunConfig } from "./config.js";
import { PRESETS, findPreset } from "./presets.js";
import { trainGroup } from "./train-group.js";
import type { DqnConfig } from "../agents/dqn.js";
import type { SacConfig } from "../agents/sac.js";

/** A preset shrunk to seconds: Room-v6, small networks, short epochs. */
function tiny(preset: string, overrides: Partial<GroupRunConfig> = {}): GroupRunConfig {
  const c = findPreset(preset).config;
  return {
    ...c,
    env: "Room-v6",
    steps: 1200,
    evalFreq: 400,
    evalEpisodes: 2,
    dqn: { ...(c.dqn as DqnConfig), netArch: [16], batchSize: 16, bufferSize: 5000 },
    group: { ...c.group, minEpochLength: 200 },
    ...overrides,
  };
}

const run = (c: GroupRunConfig) => trainGroup(c, { out: mkdtempSync(join(tmpdir(), "peerlearn-group-")), kernels: getKernels() });

describe("peer learning config", () => {
  const base = findPreset("room-v21/peer-learning").config;
  it.each([
    [{ group: { ...base.group, curiosity: true } }, /group: unknown field "curiosity"/],
    [{ peers: [] }, /peers: got \[\], a group needs at least one peer/],
    [{ group: { ...base.group, followSteps: 0 } }, /group.followSteps: got 0/],
    [{ group: { ...base.group, temperature: 0 } }, /group.temperature: got 0, must be > 0 with the softmax peer policy/],
    [{ peers: [{ kind: "dqn" }, { kind: "wizard" }] }, /peers.1.kind/],
    [{ peers: [{ kind: "dqn" }, { kind: "sac" }] }, /cannot mix DQN and SAC peers/],
    [{ peers: [{ kind: "sac" }] }, /sac: got nothing, is required by the SAC peers/],
    [{ group: { ...base.group, peerPolicy: "greedy" } }, /group.peerPolicy: got "greedy"/],
  ])("rejects a bad config with one clear message (%#)", (patch, message) => {
    expect(() => validateGroupRunConfig({ ...base, ...patch })).toThrow(UserError);
    expect(() => validateGroupRunConfig({ ...base, ...patch })).toThrow(message);
  });

  it("accepts every preset as it is", () => {
    for (const p of PRESETS) expect(() => validateGroupRunConfig(p.config)).not.toThrow();
  });
});

describe("peer groups", () => {
  it("run with all mechanisms, log evaluations and epochs, and repeat exactly for the same seed", () => {
    const a = run(tiny("room-v21/peer-learning"));
    const b = run(tiny("room-v21/peer-learning"));
    expect(readFileSync(join(a.out, "metrics.jsonl"), "utf8")).toBe(readFileSync(join(b.out, "metrics.jsonl"), "utf8"));
    expect(a.steps).toBe(1200);
    for (const p of a.peers) {
      expect(p.followShare?.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
      expect(p.lastEval).not.toBeNull();
    }
    const lines = readFileSync(join(a.out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const evals = lines.filter((l) => l.type === "eval");
    expect(evals).toHaveLength(6); // 2 peers x 3 evaluations
    expect(evals[0].trust).toHaveLength(2);
    expect(evals[0].agentValues).toHaveLength(2);
    expect(lines.filter((l) => l.type === "epoch")).toHaveLength(12); // 6 epochs of 200 steps x 2 peers
  });

  it("faithful single agent follows only itself; early advice follows only the other peer", () => {
    expect(run(tiny("room-v21/single-agent")).peers[0].followShare).toEqual([1]);
    const early = run(tiny("room-v21/early-advice", { group: { ...findPreset("room-v21/early-advice").config.group, minEpochLength: 0 } }));
    expect(early.peers[0].followShare).toEqual([0, 1]);
    expect(early.peers[1].followShare).toEqual([1, 0]);
  });

  it("lets scripted peers answer without acting", () => {
    const s = run(tiny("room-v21/adversarial"));
    expect(s.peers.map((p) => p.kind)).toEqual(["dqn", "dqn", "adversary"]);
    expect(s.peers[2].followShare).toBeNull();
    expect(s.peers[0].followShare?.[2]).toBeGreaterThan(0); // it was asked and sometimes followed
  });

  it("loads a frozen expert from a checkpoint, and never changes its weights (nor a novice's)", () => {
    const trained = run(tiny("room-v21/single-agent/corrected"));
    const checkpoint = join(trained.out, "final", "peer-0", "model.safetensors");
    const s = run(tiny("room-v21/peer-learning", { peers: [{ kind: "dqn" }, { kind: "frozen", checkpoint }, { kind: "novice" }] }));
    const q = (file: string): Buffer => {
      const bytes = readFileSync(file);
      const n = Number(bytes.readBigUInt64LE(0));
      const header = JSON.parse(bytes.subarray(8, 8 + n).toString()) as Record<string, { data_offsets: [number, number] }>;
      const names = Object.keys(header).filter((k) => k.startsWith("q_net.") && !k.startsWith("q_net_target.")).sort();
      return Buffer.concat(names.map((k) => bytes.subarray(8 + n + header[k].data_offsets[0], 8 + n + header[k].data_offsets[1])));
    };
    expect(q(join(s.out, "final", "peer-1", "model.safetensors")).equals(q(checkpoint))).toBe(true);
    expect(s.peers.map((p) => p.kind)).toEqual(["dqn", "frozen", "novice"]);
    expect(() => run(tiny("room-v21/peer-learning", { peers: [{ kind: "dqn" }, { kind: "frozen", checkpoint: "/nonexistent.safetensors" }] }))).toThrow(/cannot read \/nonexistent.safetensors/);
  });

  it("runs SAC peers on continuous actions with every mechanism", () => {
    const c = findPreset("pendulum-v1/peer-learning").config;
    const s = run({ ...c, steps: 1200, evalFreq: 600, evalEpisodes: 2, sac: { ...(c.sac as SacConfig), netArch: [16, 16], batchSize: 16 }, group: { ...c.group, minEpochLength: 400 } });
    expect(s.peers.map((p) => p.kind)).toEqual(["sac", "sac"]);
    for (const p of s.peers) {
      expect(p.lastEval?.mean).toBeLessThan(0); // Pendulum's rewards are costs
      expect(p.followShare?.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
    const again = run({ ...c, steps: 1200, evalFreq: 600, evalEpisodes: 2, sac: { ...(c.sac as SacConfig), netArch: [16, 16], batchSize: 16 }, group: { ...c.group, minEpochLength: 400 } });
    expect(readFileSync(join(again.out, "metrics.jsonl"), "utf8")).toBe(readFileSync(join(s.out, "metrics.jsonl"), "utf8"));
  });

  it("runs the lockstep schedule too", () => {
    const c = tiny("room-v21/peer-learning/corrected");
    const s = run({ ...c, group: { ...c.group, schedule: "lockstep" } });
    expect(s.peers.every((p) => p.lastEval !== null)).toBe(true);
  });
});
