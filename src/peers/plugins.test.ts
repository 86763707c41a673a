/**
 * Mechanisms as plugins: the consensus term's values by hand, config checks of `group.terms`, and a term of one's
 * own that the group asks, updates and checkpoints like the built-in ones (a run killed after its checkpoint
 * resumes with the term's state restored).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Random } from "../core/random.js";
import { getKernels } from "../nn/kernels/select.js";
import { consensusTerm } from "./consensus.js";
import { type GroupRunConfig } from "./config.js";
import { validateGroupRunConfig } from "./validate-config.js";
import { findPreset } from "./presets.js";
import { trainGroup } from "./train-group.js";
import { listedIn, type TermContext, type TermMember } from "./value-term.js";
import { registerValueTerm } from "./mechanisms.js";
import { askEachPeer } from "./targets.js";

function context(width: number, discrete: boolean): TermContext {
  const config = findPreset("room-v21/peer-learning").config;
  return { config, peers: [], members: [], obsDim: 2, width, discrete, random: new Random(1), answers: askEachPeer };
}

const member = {} as TermMember;

describe("the consensus term", () => {
  it("values discrete suggestions by minus the share of peers that suggest another action", () => {
    const out = new Float64Array(3);
    consensusTerm.create(context(1, true)).values(member, Float32Array.of(0, 1, 1), 3, out);
    expect([...out]).toEqual([-1, -0.5, -0.5]);
  });

  it("values continuous suggestions by minus their mean distance to the others", () => {
    const out = new Float64Array(3);
    consensusTerm.create(context(2, false)).values(member, Float32Array.of(0, 0, 3, 4, 0, 0), 3, out);
    expect([...out]).toEqual([-2.5, -5, -2.5]);
  });

  it("takes its own setting, group.consensusMetric, checked with the rest of the config", () => {
    const base = findPreset("pendulum-v1/peer-learning").config;
    const config = validateGroupRunConfig({
      ...base,
      group: { ...base.group, terms: ["consensus"], consensusMetric: "manhattan" },
    });
    expect((config.group as Record<string, unknown>).consensusMetric).toBe("manhattan");
    const out = new Float64Array(3);
    consensusTerm.create({ ...context(2, false), config }).values(member, Float32Array.of(0, 0, 3, 4, 0, 0), 3, out);
    expect([...out]).toEqual([-3.5, -7, -3.5]);
    expect(() => validateGroupRunConfig({ ...base, group: { ...base.group, consensusMetric: "chebyshev" } })).toThrow(
      /group.consensusMetric: .*"euclidean"\|"manhattan"/,
    );
    // Absent, it is absent: configs that do not use it resolve as before.
    expect("consensusMetric" in validateGroupRunConfig(base).group).toBe(false);
  });
});

describe("group.terms", () => {
  const base = findPreset("room-v21/peer-learning").config;
  it("switches registered terms on and refuses names it does not know or built-ins", () => {
    expect(validateGroupRunConfig({ ...base, group: { ...base.group, terms: ["consensus"] } }).group.terms).toEqual([
      "consensus",
    ]);
    expect(() => validateGroupRunConfig({ ...base, group: { ...base.group, terms: ["curiosity"] } })).toThrow(
      /group.terms: .*names no registered value term: "curiosity" \(registered: critic, trust, agentValues, consensus/,
    );
    expect(() => validateGroupRunConfig({ ...base, group: { ...base.group, terms: ["trust"] } })).toThrow(
      /lists trust, which is switched by group.trust/,
    );
  });
});

/** A term that counts its calls and keeps the count as its state. */
const calls = { values: 0, updates: 0, restored: [] as unknown[] };
registerValueTerm({
  name: "probe",
  enabled: listedIn("probe"),
  create: () => {
    let updates = 0;
    return {
      name: "probe",
      values: (_m, _a, n, out) => {
        calls.values += 1;
        out.fill(0, 0, n);
      },
      update: () => {
        updates += 1;
        calls.updates += 1;
      },
      logged: () => [updates],
      getState: () => updates,
      setState: (s) => {
        calls.restored.push(s);
        updates = s as number;
      },
    };
  },
});

describe("a value term of one's own", () => {
  const c = findPreset("room-v21/peer-learning/corrected").config;
  const config: GroupRunConfig = {
    ...c,
    env: "Room-v6",
    steps: 600,
    evalFreq: 300,
    evalEpisodes: 1,
    checkpointFreq: 200,
    dqn: { ...c.dqn!, netArch: [8], batchSize: 8, learningStarts: 100 },
    group: { ...c.group, minEpochLength: 200, terms: ["probe"] },
  };

  it("is asked at every decision, updated after every step with advice, logged and checkpointed", () => {
    const out = mkdtempSync(join(tmpdir(), "peerlearn-probe-"));
    const s = trainGroup(config, { out, kernels: getKernels("js") });
    // Every step outside solo epochs updates the terms (warm-up ones too, as the original's _on_step).
    expect(calls.updates).toBe(2 * 600);
    // Corrected: no advice in the 100 warm-up steps; after them a decision every followSteps (10) steps: 50 a peer.
    expect(calls.values).toBe(2 * 50);
    const evals = readFileSync(join(out, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((l) => l.type === "eval");
    // Logged before the evaluated step's own update; round-robin epochs of 200 steps, peer 0 then peer 1.
    expect(evals.map((e) => [e.peer, e.step, e.probe])).toEqual([
      [0, 300, [499]],
      [1, 300, [699]],
      [0, 600, [999]],
      [1, 600, [1199]],
    ]);
    expect(s.peers).toHaveLength(2);
  });

  it("comes back from a checkpoint with its state, and the resumed run ends as the uninterrupted one", () => {
    const out = mkdtempSync(join(tmpdir(), "peerlearn-probe-resume-"));
    const kernels = getKernels("js");
    trainGroup(config, { out, kernels });
    const metrics = readFileSync(join(out, "metrics.jsonl"), "utf8");
    // As if killed after the last checkpoint (epoch 2 of 3): the run resumes from it.
    rmSync(join(out, "summary.json"));
    rmSync(join(out, "final"), { recursive: true });
    calls.restored.length = 0;
    const resumed = trainGroup(config, { out, kernels });
    expect(resumed.resumedFrom).toBe(400);
    expect(calls.restored).toEqual([2 * 400]);
    expect(readFileSync(join(out, "metrics.jsonl"), "utf8")).toBe(metrics);
  });
});
