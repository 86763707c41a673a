import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../core/errors.js";
import { getKernels } from "../nn/kernels/select.js";
import { type GroupRunConfig } from "./config.js";
import { validateGroupRunConfig } from "./validate-config.js";
import { PRESETS, findPreset } from "./presets.js";
import { trainGroup } from "./train-group.js";
import { DQN_DEFAULTS, Dqn, type DqnConfig } from "../agents/dqn/dqn.js";
import { Random } from "../core/random.js";
import { PeerGroup, localLoop } from "./group.js";
import { LearnerPeer } from "./peer.js";
import { WARMUP } from "./suggestion-buffer.js";
import type { SacConfig } from "../agents/sac/sac.js";

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

const run = (c: GroupRunConfig) =>
  trainGroup(c, { out: mkdtempSync(join(tmpdir(), "peerlearn-group-")), kernels: getKernels() });

describe("peer learning config", () => {
  const base = findPreset("room-v21/peer-learning").config;
  it.each([
    [{ group: { ...base.group, curiosity: true } }, /group: unknown field "curiosity"/],
    [{ peers: [] }, /peers: got \[\], a group needs at least one peer/],
    [{ group: { ...base.group, followSteps: 0 } }, /group.followSteps: got 0/],
    [
      { group: { ...base.group, temperature: 0 } },
      /group.temperature: got 0, must be > 0 with the softmax peer policy/,
    ],
    [{ peers: [{ kind: "dqn" }, { kind: "wizard" }] }, /peers.1.kind/],
    [{ peers: [{ kind: "dqn" }, { kind: "sac" }] }, /cannot mix DQN peers \(discrete actions\) with SAC or TD3 peers/],
    [{ peers: [{ kind: "novice", algo: "ppo" }] }, /peers.0.algo/],
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
    const lines = readFileSync(join(a.out, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const evals = lines.filter((l) => l.type === "eval");
    expectFollowedEveryStepAfterWarmup(evals, 100);
    expect(evals).toHaveLength(6); // 2 peers x 3 evaluations
    expect(evals[0].trust).toHaveLength(2);
    expect(evals[0].agentValues).toHaveLength(2);
    expect(lines.filter((l) => l.type === "epoch")).toHaveLength(12); // 6 epochs of 200 steps x 2 peers
  });

  it("faithful single agent follows only itself; early advice follows only the other peer", () => {
    expect(run(tiny("room-v21/single-agent")).peers[0].followShare).toEqual([1]);
    const early = run(
      tiny("room-v21/early-advice", {
        group: { ...findPreset("room-v21/early-advice").config.group, minEpochLength: 0 },
      }),
    );
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
    const s = run(
      tiny("room-v21/peer-learning", { peers: [{ kind: "dqn" }, { kind: "frozen", checkpoint }, { kind: "novice" }] }),
    );
    const q = (file: string): Buffer => {
      const bytes = readFileSync(file);
      const n = Number(bytes.readBigUInt64LE(0));
      const header = JSON.parse(bytes.subarray(8, 8 + n).toString()) as Record<
        string,
        { data_offsets: [number, number] }
      >;
      const names = Object.keys(header)
        .filter((k) => k.startsWith("q_net.") && !k.startsWith("q_net_target."))
        .sort();
      return Buffer.concat(
        names.map((k) => bytes.subarray(8 + n + header[k].data_offsets[0], 8 + n + header[k].data_offsets[1])),
      );
    };
    expect(q(join(s.out, "final", "peer-1", "model.safetensors")).equals(q(checkpoint))).toBe(true);
    expect(s.peers.map((p) => p.kind)).toEqual(["dqn", "frozen", "novice"]);
    expect(() =>
      run(
        tiny("room-v21/peer-learning", {
          peers: [{ kind: "dqn" }, { kind: "frozen", checkpoint: "/nonexistent.safetensors" }],
        }),
      ),
    ).toThrow(/cannot read \/nonexistent.safetensors/);
  });

  it("runs SAC peers on continuous actions with every mechanism", () => {
    const c = findPreset("pendulum-v1/peer-learning").config;
    const s = run({
      ...c,
      steps: 1200,
      evalFreq: 600,
      evalEpisodes: 2,
      sac: { ...(c.sac as SacConfig), netArch: [16, 16], batchSize: 16 },
      group: { ...c.group, minEpochLength: 400 },
    });
    expect(s.peers.map((p) => p.kind)).toEqual(["sac", "sac"]);
    expectFollowedEveryStepAfterWarmup(evalLines(s.out), (c.sac as SacConfig).learningStarts);
    for (const p of s.peers) expect(p.followShare?.every((x) => x > 0)).toBe(true); // each followed both
    const again = run({
      ...c,
      steps: 1200,
      evalFreq: 600,
      evalEpisodes: 2,
      sac: { ...(c.sac as SacConfig), netArch: [16, 16], batchSize: 16 },
      group: { ...c.group, minEpochLength: 400 },
    });
    expect(readFileSync(join(again.out, "metrics.jsonl"), "utf8")).toBe(
      readFileSync(join(s.out, "metrics.jsonl"), "utf8"),
    );
  });

  it("runs the lockstep schedule: a peer alone steps as in round-robin, and every step past warm-up follows someone", () => {
    const c = tiny("room-v21/single-agent/corrected");
    const alone = (schedule: "lockstep" | "roundRobin") =>
      readFileSync(join(run({ ...c, group: { ...c.group, schedule } }).out, "metrics.jsonl"), "utf8");
    expect(alone("lockstep")).toBe(alone("roundRobin"));
    const p = tiny("room-v21/peer-learning/corrected");
    const s = run({ ...p, group: { ...p.group, schedule: "lockstep" } });
    const evals = evalLines(s.out);
    expect(evals.map((e) => [e.peer, e.step])).toEqual([
      [0, 400],
      [1, 400],
      [0, 800],
      [1, 800],
      [0, 1200],
      [1, 1200],
    ]);
    expectFollowedEveryStepAfterWarmup(evals, 100);
  });
});

describe("the faithful and corrected switches", () => {
  const group = (preset: string, learningStarts = 100) => {
    const c = tiny(preset, { envOptions: { maxEpisodeSteps: 20 } });
    return new PeerGroup({ ...c, dqn: { ...(c.dqn as DqnConfig), learningStarts } }, getKernels("js"), new Random(5));
  };

  it("stores warm-up steps as advice only when faithful", () => {
    for (const [preset, stored] of [
      ["room-v21/peer-learning", 1],
      ["room-v21/peer-learning/corrected", 0],
    ] as const) {
      const g = group(preset);
      g.step(g.members[0], false, 1000);
      expect(g.members[0].suggestions.size, preset).toBe(stored);
      if (stored) expect(g.members[0].suggestions.followed[0]).toBe(WARMUP);
    }
  });

  it("stores the reset observation as s' of an episode's last step when faithful, the terminal one when corrected", () => {
    for (const [preset, faithful] of [
      ["room-v21/peer-learning", true],
      ["room-v21/peer-learning/corrected", false],
    ] as const) {
      const g = group(preset, 0); // advice from the first step
      const m = g.members[0];
      const loop = localLoop(m);
      const env = loop.env;
      const step = env.step.bind(env);
      let last = new Float32Array(0);
      env.step = (a) => {
        const r = step(a);
        last = Float32Array.from(r.obs);
        return r;
      };
      while (loop.episodes === 0) g.step(m, false, 1000);
      const b = m.suggestions;
      const next = b.nextObs.slice((b.size - 1) * b.obsDim, b.size * b.obsDim);
      expect([...next], preset).toEqual([...(faithful ? m.obs : last)]);
      expect([...last]).not.toEqual([...m.obs]); // the two differ, so the check above tells them apart
    }
  });

  it("lets a corrected DQN peer explore with its epsilon when it suggests to itself; a faithful one is greedy", () => {
    const dqn = new Dqn(getKernels("js"), 2, 4, { ...DQN_DEFAULTS, netArch: [8] }, new Random(1));
    dqn.explorationRate = 1;
    const obs = Float32Array.of(0.3, 0.6);
    const out = new Float32Array(1);
    const suggestions = (peer: LearnerPeer): Set<number> => {
      const seen = new Set<number>();
      for (let k = 0; k < 40; k++) {
        peer.suggest(obs, true, out, 0);
        seen.add(out[0]);
      }
      return seen;
    };
    expect(suggestions(new LearnerPeer("dqn", dqn, new Random(2), false))).toEqual(new Set([dqn.greedyAction(obs)]));
    expect(suggestions(new LearnerPeer("dqn", dqn, new Random(2), true)).size).toBe(4);
  });
});

/** The metrics file's evaluation lines. */
function evalLines(out: string): { peer: number; step: number; followCounts: number[] }[] {
  return readFileSync(join(out, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .filter((l) => l.type === "eval");
}

/** A peer follows someone at every step with advice, and at none of its warm-up steps (nobody's advice). */
function expectFollowedEveryStepAfterWarmup(
  evals: { step: number; followCounts: number[] }[],
  learningStarts: number,
): void {
  expect(evals.length).toBeGreaterThan(0);
  for (const e of evals) expect(e.followCounts.reduce((a, b) => a + b, 0)).toBe(e.step - learningStarts);
}

describe("a peer that is away (a peer process that stopped answering)", () => {
  it("is never followed, a follower of it chooses again, and the agent values wait for it", () => {
    const config = validateGroupRunConfig({
      ...tiny("room-v21/peer-learning/corrected"),
      peers: [{ kind: "dqn" }, { kind: "dqn" }, { kind: "dqn" }],
      group: { ...tiny("room-v21/peer-learning").group, schedule: "lockstep", parallelTraining: false },
    });
    const g = new PeerGroup(config, getKernels(), new Random(1));
    const [m0, m1, m2] = g.members;
    for (let t = 0; t < 300; t++) for (const m of g.members) g.act(m, false, 1200);
    const values = g.terms.find((t) => t.name === "agentValues");
    const before = Array.from(values?.logged(m0) ?? []);
    expect(m0.followCounts[2] + m1.followCounts[2]).toBeGreaterThan(0);
    Object.defineProperty(g.peers[2], "available", { value: false });
    m0.followCounts.fill(0);
    m1.followCounts.fill(0);
    m0.follow.followed = 2; // following it when it goes away
    for (let t = 0; t < 200; t++) for (const m of [m0, m1]) g.act(m, false, 1200);
    expect(m0.followCounts[2]).toBe(0);
    expect(m1.followCounts[2]).toBe(0);
    expect(m0.followCounts[0] + m0.followCounts[1]).toBe(200);
    expect(Array.from(values?.logged(m0) ?? [])).toEqual(before);
    expect(m2.steps).toBe(300);
  });
});
