import { describe, expect, it } from "vitest";
import { findMethod, methodConfig } from "../peers/presets.js";
import { EXPERIMENTS, findExperiment, planRuns, scaleBudget } from "./catalog.js";
import { normalisedScores, type MethodRow } from "./results.js";

describe("experiment catalog", () => {
  it("plans every (task, method, seed) run of the paper's tables and figures", () => {
    const t1 = planRuns(findExperiment("table1"), { seeds: 10, budget: 1, variant: "faithful" });
    expect(t1).toHaveLength(6 * 4 * 10 + 2 * 10); // LeCTR on the two Room tasks
    const t2 = planRuns(findExperiment("table2"), { seeds: 5, budget: 1, variant: "faithful" });
    expect(t2).toHaveLength(4 * 16 * 5);
    expect(new Set(t2.map((r) => r.method))).toEqual(
      new Set([
        "act",
        "act-adv",
        "ac",
        "ac-adv",
        "at",
        "at-adv",
        "ct",
        "ct-adv",
        "c",
        "c-adv",
        "a",
        "a-adv",
        "t",
        "t-adv",
        "single-agent",
        "random-advice",
      ]),
    );
    const f7 = planRuns(findExperiment("fig7"), { seeds: 1, budget: 1, variant: "faithful" });
    expect(f7.map((r) => [r.config.peers.length, r.config.steps, r.config.group.advantage])).toEqual([
      [10, 600_000, false],
      [8, 600_000, false],
      [4, 600_000, false],
      [2, 600_000, false],
    ]);
    for (const e of EXPERIMENTS)
      expect(planRuns(e, { seeds: 1, budget: 0.01, variant: "corrected" }).length).toBeGreaterThan(0);
  });

  it("uses the published settings: MuJoCo peers are 4 SAC peers without termination on unhealthy states", () => {
    const c = methodConfig(findMethod("peer-learning"), "Hopper-v4", "faithful");
    expect(c.peers).toEqual([{ kind: "sac" }, { kind: "sac" }, { kind: "sac" }, { kind: "sac" }]);
    expect(c.envOptions).toEqual({ terminateWhenUnhealthy: false });
    expect(c.sac).toMatchObject({
      netArch: [150, 200],
      learningRate: 3e-4,
      learningStarts: 100,
      tau: 0.02,
      trainFreq: 8,
      gradientSteps: 8,
      useSde: true,
    });
    expect(methodConfig(findMethod("early-advice"), "Ant-v4", "faithful").group).toMatchObject({
      followSteps: 1,
      peerPolicy: "onlyOthers",
      maxPeerEpochs: 74,
      minEpochLength: 10_000,
    });
  });

  it("scales budgets keeping Early Advising's advised share of training", () => {
    const roomEa = scaleBudget(methodConfig(findMethod("early-advice"), "Room-v21", "faithful"), 0.1);
    expect(roomEa).toMatchObject({ steps: 100_000, evalFreq: 10_000, checkpointFreq: 10_000 });
    expect(roomEa.group).toMatchObject({ minEpochLength: 0, maxPeerEpochs: 500 }); // 5000 of 10,000 episodes -> 500 of 1,000
    const antEa = scaleBudget(methodConfig(findMethod("early-advice"), "Ant-v4", "faithful"), 0.01);
    expect(antEa).toMatchObject({ steps: 10_000, evalFreq: 1000, checkpointFreq: 1000 });
    expect(antEa.group).toMatchObject({ minEpochLength: 1000, maxPeerEpochs: 7 }); // 74 of 100 epochs -> 7 of 10
    const pl = scaleBudget(methodConfig(findMethod("peer-learning"), "Room-v21", "faithful"), 0.1);
    expect(pl.group).toMatchObject({ minEpochLength: 10_000, maxPeerEpochs: 100_000_000 });
    expect(() => scaleBudget(pl, 0)).toThrow(/--budget must be a positive number/);
  });
});

describe("Table 2 normalisation", () => {
  it("maps each task's method means to 0-100 and averages over tasks", () => {
    const row = (task: string, method: string, mean: number): MethodRow => ({
      task,
      method,
      label: method,
      seeds: 1,
      mean,
      std: 0,
      paper: "",
    });
    const scores = normalisedScores([
      row("A", "x", 10),
      row("A", "y", 20),
      row("A", "z", 15),
      row("B", "x", -5),
      row("B", "y", -15),
      row("B", "z", -10),
    ]);
    expect(scores.get("x")).toBeCloseTo((0 + 100) / 2, 12);
    expect(scores.get("y")).toBeCloseTo((100 + 0) / 2, 12);
    expect(scores.get("z")).toBeCloseTo((50 + 50) / 2, 12);
  });
});
