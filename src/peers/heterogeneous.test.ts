/**
 * Heterogeneous groups: per-peer settings resolved as documented, a TD3 peer's critic and value against the
 * networks computed by hand, and the original's two switches (trust from the latest transition only; random
 * peers).
 */
import { describe, expect, it } from "vitest";
import { Random } from "../core/random.js";
import { getKernels } from "../nn/kernels/select.js";
import { TD3_DEFAULTS, Td3 } from "../agents/td3/td3.js";
import { defaultRunConfig, type RunConfig } from "../agents/config.js";
import { td3Hyperparameters } from "../agents/td3/config.js";
import { train } from "../agents/train.js";
import { validateGroupRunConfig } from "./validate-config.js";
import { findPreset } from "./presets.js";
import { resolvePeers, withResolvedPeers } from "./peer-settings.js";
import { SuggestionBuffer, WARMUP } from "./suggestion-buffer.js";
import { TrustValues } from "./trust.js";
import type { Mlp } from "../nn/mlp.js";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trainGroup } from "./train-group.js";

describe("per-peer settings", () => {
  const base = findPreset("pendulum-v1/peer-learning").config;
  const config = validateGroupRunConfig({
    ...base,
    peers: [
      { kind: "sac", sac: { learningRate: 0.01 }, temperature: 0.5 },
      { kind: "td3", td3: { netArch: [64, 64] }, temperatureDecay: 0.1 },
      { kind: "novice", algo: "td3" },
    ],
  });

  it("take what an entry leaves out from the group's section, or the algorithm's tuned settings on the task", () => {
    const [sac, td3, novice] = resolvePeers(config);
    expect(sac.learner).toEqual({ algo: "sac", settings: { ...base.sac, learningRate: 0.01 } });
    expect([sac.temperature, sac.temperatureDecay]).toEqual([0.5, base.group.temperatureDecay]);
    // The preset has no td3 section: the tuned TD3 settings of Pendulum-v1, under the entry's own.
    expect(td3.learner).toEqual({
      algo: "td3",
      settings: { ...td3Hyperparameters("Pendulum-v1", "tuned"), netArch: [64, 64] },
    });
    expect([td3.temperature, td3.temperatureDecay]).toEqual([base.group.temperature, 0.1]);
    expect(novice.learner?.algo).toBe("td3");
    // --print-config shows them resolved, and that config validates as it is.
    const shown = withResolvedPeers(config);
    expect(shown.peers[1]).toMatchObject({ kind: "td3", td3: { netArch: [64, 64], gamma: 0.98 }, temperature: 1 });
    expect(() => validateGroupRunConfig(shown)).not.toThrow();
  });

  it("refuse kinds that cannot act together, with one line", () => {
    expect(() => validateGroupRunConfig({ ...base, peers: [{ kind: "td3" }, { kind: "dqn" }] })).toThrow(
      /cannot mix DQN peers \(discrete actions\) with SAC or TD3 peers/,
    );
    expect(() => validateGroupRunConfig({ ...base, peers: [{ kind: "td3", temperature: 0 }] })).toThrow(
      /peers.0.temperature: got 0/,
    );
  });
});

/** min of the twin critics at rows [s, a], one forward pass each, read back from the networks. */
function minQ(td3: Td3, obs: number[], action: number[]): number {
  const q = (net: Mlp): number => {
    const ws = net.workspace(1);
    const input = td3.kernels.heap.alloc(obs.length + action.length);
    input.data.set([...obs, ...action]);
    net.forward(ws, input.offset, 1);
    return ws.output.data[0];
  };
  return Math.min(q(td3.critics[0]), q(td3.critics[1]));
}

describe("a TD3 peer", () => {
  const td3 = new Td3(getKernels("js"), 3, 2, { ...TD3_DEFAULTS, netArch: [8, 8] }, new Random(5));
  const obs = Float32Array.of(0.1, -0.4, 0.7);

  it("values other peers' actions with the minimum of its twin critics", () => {
    const actions = Float32Array.of(0.5, -0.5, -1, 1, 0, 0.25);
    const out = new Float64Array(3);
    td3.critic(obs, actions, 3, out);
    for (let j = 0; j < 3; j++) expect(out[j]).toBe(minQ(td3, [...obs], [...actions.subarray(2 * j, 2 * j + 2)]));
  });

  it("values a state by its critics at its own deterministic action, and suggests that action", () => {
    const mu = [...td3.predict(obs)];
    const v = new Float64Array(1);
    td3.values(obs, 1, v);
    expect(v[0]).toBe(minQ(td3, [...obs], mu));
    const suggestion = new Float32Array(2);
    td3.suggest(obs, true, suggestion, 0);
    expect([...suggestion]).toEqual(mu);
  });
});

describe("the original's switches", () => {
  it("useTrustBuffer off: trust moves towards the latest transition's target only", () => {
    const buffer = new SuggestionBuffer(100, 1);
    for (let i = 0; i < 20; i++) buffer.add(i, i % 2, Float32Array.of(i), Float32Array.of(i));
    buffer.add(3, 1, Float32Array.of(7), Float32Array.of(6)); // the latest: reward 3, followed peer 1
    const trust = new TrustValues(2, 200, 10, 1);
    const v = { values: (o: Float32Array, k: number, out: Float64Array) => out.fill(10, 0, k) }; // V = 10
    const rng = new Random(1);
    const before = rng.getState();
    trust.update(v, buffer, { gamma: 0.9 }, false, { trustLr: 0.5 }, rng, true);
    // target 3 + 0.9 * 10 = 12; trust[1] = 200 + 0.5 (12 - 200) = 106; trust[0] untouched; no random draw.
    expect([...trust.values]).toEqual([200, 106]);
    expect(rng.getState()).toEqual(before);
    // A warm-up entry (nobody's advice) counts for every peer, as in a batch.
    buffer.add(1, WARMUP, Float32Array.of(0), Float32Array.of(0));
    trust.update(v, buffer, { gamma: 0.9 }, false, { trustLr: 0.5 }, rng, true);
    expect([...trust.values]).toEqual([200 + 0.5 * (10 - 200), 106 + 0.5 * (10 - 106)]);
  });

  it("sampleRandomActions: the epsilon-greedy peer policy follows a uniformly random peer", () => {
    const c = findPreset("room-v21/single-agent/corrected").config;
    const shares = (sampleRandomActions: boolean): number[] => {
      const s = trainGroup(
        {
          ...c,
          env: "Room-v6",
          steps: 1000,
          evalFreq: 1000,
          evalEpisodes: 1,
          peers: [{ kind: "dqn" }, { kind: "dqn" }],
          dqn: { ...c.dqn!, netArch: [8], batchSize: 8 },
          group: {
            ...c.group,
            critic: true,
            peerPolicy: "epsilonGreedy",
            epsilon: 0,
            followSteps: 1,
            minEpochLength: 500,
            sampleRandomActions,
          },
        },
        { out: mkdtempSync(join(tmpdir(), "peerlearn-random-actions-")), kernels: getKernels("js") },
      );
      return s.peers[0].followShare ?? [];
    };
    // Greedy over its own critic, a peer follows the best-valued suggestion (mostly its own); with the switch, anyone.
    expect(shares(true)[1]).toBeGreaterThan(0.4);
    expect(shares(true)[1]).toBeLessThan(0.6);
    expect(shares(false)[0]).toBeGreaterThan(0.6);
  });

  it("frozen and novice peers of SAC and TD3 never change their weights; a frozen one is the model it loaded", () => {
    const kernels = getKernels("js");
    const expertOut = mkdtempSync(join(tmpdir(), "peerlearn-sac-expert-"));
    const small = { netArch: [16, 16], batchSize: 16, learningStarts: 50 };
    const single = defaultRunConfig("Pendulum-v1", "tuned", "sac") as Extract<RunConfig, { algo: "sac" }>;
    train(
      { ...single, steps: 200, evalFreq: 200, evalEpisodes: 1, sac: { ...single.sac, ...small } },
      { out: expertOut, kernels },
    );
    const expert = join(expertOut, "final", "model.safetensors");
    const base = findPreset("pendulum-v1/peer-learning").config;
    const s = trainGroup(
      {
        ...base,
        steps: 400,
        evalFreq: 400,
        evalEpisodes: 1,
        sac: { ...base.sac!, ...small },
        peers: [
          { kind: "sac" },
          { kind: "frozen", algo: "sac", checkpoint: expert },
          { kind: "novice", algo: "td3", td3: small },
        ],
        group: { ...base.group, minEpochLength: 200 },
      },
      { out: mkdtempSync(join(tmpdir(), "peerlearn-frozen-sac-")), kernels },
    );
    expect(s.peers.map((p) => p.kind)).toEqual(["sac", "frozen", "novice"]);
    const actor = (file: string): string[] => {
      const bytes = readFileSync(file);
      const n = Number(bytes.readBigUInt64LE(0));
      const header = JSON.parse(bytes.subarray(8, 8 + n).toString()) as Record<
        string,
        { data_offsets: [number, number] }
      >;
      return Object.keys(header)
        .filter((k) => k.startsWith("actor.") || k.startsWith("critic."))
        .sort()
        .map((k) =>
          bytes.subarray(8 + n + header[k].data_offsets[0], 8 + n + header[k].data_offsets[1]).toString("hex"),
        );
    };
    expect(actor(join(s.out, "final", "peer-1", "model.safetensors"))).toEqual(actor(expert));
  });
});
