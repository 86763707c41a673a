import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { compareCommand } from "../cli/compare.js";
import { baselinesOf, evidenceMarkdown, evidenceOf, sentenceOf, type ScoreRow } from "./evidence.js";
import { adversaryMarkdown, answersMarkdown } from "./evidence-answers.js";

const rows = (method: string, scores: number[], task = "Room-v21"): ScoreRow[] =>
  scores.map((score, seed) => ({ task, method, seed, score }));

describe("evidence: how sure a comparison is", () => {
  it("says how often the learners followed the adversary (Fig. 4), from runs.csv's follow shares", () => {
    const csv = [
      "experiment,task,method,seed,follow_shares",
      "fig4,Room-v21,adversarial,0,0:0.5/0.4/0.1 1:0.3/0.5/0.2",
      "fig4,Room-v21,single-agent,0,0:1",
    ].join("\n");
    expect(adversaryMarkdown(csv, "Room-v21")).toContain(
      "the learners followed the adversary in 15% of their decisions on average (10% to 20% over 2 learners), against 33% for a uniform choice among the 3 peers.",
    );
    expect(adversaryMarkdown(csv, "Room-v27")).toBe("");
  });

  it("answers the evidence experiment's questions from the runs, and says which runs are missing", () => {
    const all = [
      ...rows("peer-learning", [40, 42, 44, 46]),
      ...rows("single-agent", [10, 12, 14, 16]),
      ...rows("peer-learning-corrected", [50, 52, 54, 56]),
      ...rows("single-agent-corrected", [60, 62, 64, 66]),
      ...rows("random-advice-corrected", [51, 53, 55, 57]),
    ];
    const text = answersMarkdown(all, evidenceOf(all), "Room-v21", (m) => (m === "peer-learning" ? "72 ± 8" : ""));
    expect(text).toContain(
      "- Does peer learning as published beat the single agent as published? peer learning is better than single agent in 100% of run pairs [100%, 100%] (4 vs 4 runs).",
    );
    expect(text).toContain(
      "peer learning (corrected) is worse than single agent (corrected): better in only 0% of run pairs [0%, 0%] (4 vs 4 runs). Not run yet: single agent, equal samples has no finished run.",
    );
    expect(text).toMatch(/peer learning \(corrected\) and random advice \(corrected\) are not told apart/);
    expect(text).toContain("peer learning: 72 ± 8 in the paper, IQM 43.0 [40.0, 46.0] here");
  });

  it("measures each method against the single agent of its own form", () => {
    const all = new Set(["peer-learning", "peer-learning-corrected", "single-agent", "single-agent-corrected"]);
    expect(baselinesOf("peer-learning", all)).toEqual(["single-agent"]);
    expect(baselinesOf("peer-learning-corrected", all)).toEqual(["single-agent-corrected"]);
    expect(baselinesOf("peer-learning-corrected", new Set([...all, "single-agent-equal-samples"]))).toEqual([
      "single-agent-corrected",
      "single-agent-equal-samples",
    ]);
    expect(baselinesOf("single-agent-corrected", all)).toEqual([]);
  });

  it("says better, worse or not told apart from the interval of P(X > Y)", () => {
    expect(sentenceOf("peer-learning", "single-agent", { point: 0.71, low: 0.58, high: 0.83 }, [10, 10])).toBe(
      "peer learning is better than single agent in 71% of run pairs [58%, 83%] (10 vs 10 runs).",
    );
    expect(sentenceOf("peer-learning", "single-agent", { point: 0.2, low: 0.05, high: 0.4 }, [3, 3])).toMatch(
      /is worse than single agent: better in only 20% of run pairs \[5%, 40%\]/,
    );
    expect(sentenceOf("peer-learning", "single-agent", { point: 0.6, low: 0.3, high: 0.9 }, [3, 3])).toMatch(
      /are not told apart: .* 60% of run pairs \[30%, 90%\], an interval that holds 50%/,
    );
  });

  it("tables every method with its IQM and its comparison, and names the accounting", () => {
    const ev = evidenceOf(
      [
        ...rows("peer-learning-corrected", [30, 32, 35, 31, 29, 40, 33, 28, 36, 34]),
        ...rows("single-agent-corrected", [10, 12, 9, 14, 11, 13, 8, 10, 15, 12]),
        ...rows("single-agent-equal-samples", [25, 30, 28, 35, 31, 27, 33, 29, 26, 30]),
      ],
      { reps: 500 },
    );
    expect(ev.methods.map((m) => [m.method, m.accounting])).toEqual([
      ["peer-learning-corrected", "per agent"],
      ["single-agent-corrected", "per agent"],
      ["single-agent-equal-samples", "in total"],
    ]);
    expect(ev.comparisons).toHaveLength(2);
    expect(ev.comparisons[0].probability.point).toBe(1);
    expect(ev.comparisons[0].sentence).toMatch(/is better than single agent \(corrected\) in 100% of run pairs/);
    const md = evidenceMarkdown(ev);
    expect(md).toMatch(/\| peer learning \(corrected\) \| 10 \| per agent \| 32.5 \[/);
    expect(md).toMatch(/\| single agent, equal samples \| 10 \| in total \|/);
  });
});

describe("peerlearn compare on folders of runs", () => {
  const root = mkdtempSync(join(tmpdir(), "peerlearn-compare-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const run = (group: string, seed: number, score: number): void => {
    const dir = join(root, group, `seed-${seed}`);
    mkdirSync(dir, { recursive: true });
    const peers = [{ index: 0, kind: "dqn", lastEval: null, averageRewardOverTime: score, followShare: null }];
    const run = { wallSeconds: 1, stepsPerSecond: 100, lastEval: null, backend: "js", out: dir, resumedFrom: null };
    writeFileSync(
      join(dir, "summary.json"),
      JSON.stringify({
        env: "Room-v21",
        seed,
        steps: 100,
        averageRewardOverTime: score,
        peers,
        ...run,
        preset: null,
        variant: "faithful",
      }),
    );
  };

  it("compares each folder with the last, in plain words", () => {
    [5, 6, 7, 8].forEach((s, i) => run("mine", i, s));
    [1, 2, 3, 4].forEach((s, i) => run("theirs", i, s));
    const out: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((line: string) => void out.push(line));
    try {
      compareCommand([join(root, "mine"), join(root, "theirs"), "--reps", "500"]);
    } finally {
      log.mockRestore();
    }
    expect(out.join("\n")).toMatch(/mine is better than theirs in 100% of run pairs \[100%, 100%\] \(4 vs 4 runs\)/);
    expect(() => compareCommand([join(root, "mine")])).toThrow(/give two folders of runs or more/);
    expect(() => compareCommand([join(root, "nothing"), join(root, "mine")])).toThrow(/does not exist/);
  });

  it("reads a result kept in results/ (runs.csv, no run folders)", () => {
    const out: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((line: string) => void out.push(line));
    try {
      compareCommand(["results/evidence-room-v21", "--json", "--reps", "200"]);
    } finally {
      log.mockRestore();
    }
    const ev = JSON.parse(out[out.length - 1]) as { methods: { method: string; runs: number }[] };
    expect(ev.methods.map((m) => m.runs)).toEqual([10, 10, 10, 10, 10, 10]);
    expect(ev.methods.map((m) => m.method)).toContain("single-agent-equal-samples");
  });
});
