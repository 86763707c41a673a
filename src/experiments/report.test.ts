import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findExperiment, planRuns } from "./catalog.js";
import { writeExperimentReport } from "./report.js";

/** An experiment folder with made-up finished runs: score = peers (fig7) plus the seed, follow counts per epoch. */
function fakeExperiment(name: string, seeds: number): string {
  const dir = mkdtempSync(join(tmpdir(), `peerlearn-report-${name}-`));
  const runs = planRuns(findExperiment(name), { seeds, budget: 0.01, variant: "faithful" });
  writeFileSync(
    join(dir, "experiment.json"),
    JSON.stringify({
      experiment: name,
      tasks: findExperiment(name).tasks,
      seeds,
      budget: 0.01,
      variant: "faithful",
      runs: runs.map(({ config: _c, ...r }) => r),
    }),
  );
  for (const r of runs) {
    const runDir = join(dir, r.dir);
    mkdirSync(runDir, { recursive: true });
    const peers = r.config.peers.map((p, index) => ({
      index,
      kind: p.kind,
      lastEval: null,
      averageRewardOverTime: null,
      followShare: null,
    }));
    const score = r.config.peers.length + r.seed;
    writeFileSync(
      join(runDir, "summary.json"),
      JSON.stringify({
        env: r.task,
        seed: r.seed,
        steps: r.config.steps,
        averageRewardOverTime: score,
        lastEval: { mean: score, std: 0 },
        peers,
        wallSeconds: 1,
        stepsPerSecond: 1,
        backend: "js",
        out: runDir,
        resumedFrom: null,
        preset: null,
        variant: "faithful",
      }),
    );
    const lines: string[] = [];
    for (let step = 1000; step <= 3000; step += 1000)
      for (const p of peers)
        if (p.kind === "dqn" || p.kind === "sac")
          lines.push(JSON.stringify({ type: "eval", peer: p.index, step, evalMean: score * (step / 3000) }));
    for (let epoch = 0; epoch < 3; epoch++)
      for (const p of peers)
        if (p.kind === "dqn")
          lines.push(
            JSON.stringify({
              type: "epoch",
              peer: p.index,
              epoch,
              followCounts: peers.map((q) => (q.kind === "expert" ? 3 + epoch : 1)),
            }),
          );
    writeFileSync(join(runDir, "metrics.jsonl"), `${lines.join("\n")}\n`);
  }
  return dir;
}

describe("experiment reports", () => {
  it("fig7: a group-size plot with one point per group size, and the table in method order", () => {
    const dir = fakeExperiment("fig7", 2);
    const r = writeExperimentReport(dir);
    expect(r.rows.map((x) => [x.method, x.seeds, x.mean, x.std])).toEqual([
      ["2-peers", 2, 2.5, 0.5],
      ["4-peers", 2, 4.5, 0.5],
      ["8-peers", 2, 8.5, 0.5],
      ["10-peers", 2, 10.5, 0.5],
    ]);
    const svg = readFileSync(join(dir, "group-size-Hopper-v4.svg"), "utf8");
    expect(svg).toMatch(/^<svg/);
    expect(svg).toMatch(/peers in the group/);
    expect(readFileSync(join(dir, "report.html"), "utf8")).toContain(
      "Hopper-v4: average reward over time by group size",
    );
    const csv = readFileSync(join(dir, "curves.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("task,method,seed,step,eval_mean");
    expect(csv).toHaveLength(1 + 4 * 2 * 3);
  });

  it("fig6: whose advice the learners followed, per epoch", () => {
    const dir = fakeExperiment("fig6", 1);
    writeExperimentReport(dir);
    const svg = readFileSync(join(dir, "follow-Room-v21-study-group.svg"), "utf8");
    for (const label of ["peer 0 (dqn)", "peer 1 (dqn)", "peer 2 (expert)", "peer 3 (novice)"])
      expect(svg).toContain(label);
    expect(readFileSync(join(dir, "report.md"), "utf8")).toMatch(
      /Note: The non-training expert here is the scripted Room expert/,
    );
  });

  it("table2: the normalised table beside the paper's", () => {
    const dir = fakeExperiment("table2", 1);
    const md = readFileSync(writeExperimentReport(dir).markdown, "utf8");
    expect(md).toMatch(/Normalised 0-100 per task/);
    // Scores are the peer counts: 4 for every group, 1 for the single agent, so the groups map to 100 and it to 0.
    expect(md).toMatch(/\| ACT \+ advantage \| 100 \| 67.1 \|/);
    expect(md).toMatch(/\| single agent \| 0.0 \| 59.7 \|/);
  });

  it("leaves damaged runs out and names them; refuses a damaged manifest with one line", () => {
    const dir = fakeExperiment("fig7", 1);
    const manifest = JSON.parse(readFileSync(join(dir, "experiment.json"), "utf8")) as { runs: { dir: string }[] };
    const [a, b, c] = manifest.runs.map((r) => join(dir, r.dir));
    writeFileSync(join(a, "metrics.jsonl"), Buffer.from([0, 159, 146, 150, 10, 255]));
    const summary = JSON.parse(readFileSync(join(b, "summary.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(join(b, "summary.json"), JSON.stringify({ ...summary, steps: "many" }));
    writeFileSync(join(c, "metrics.jsonl"), '{"type":"eval","peer":0,"step":1000,"evalMean":1}\n{"type":"ev');
    const report = writeExperimentReport(dir);
    expect(report.damaged).toHaveLength(3);
    expect(report.damaged[0]).toMatch(/metrics\.jsonl: line 1 is not JSON/);
    expect(report.damaged[1]).toMatch(/summary\.json.*steps: got "many"/);
    expect(report.damaged[2]).toMatch(/metrics\.jsonl: line 2 is not JSON/);
    expect(readFileSync(report.markdown, "utf8")).toMatch(/3 run\(s\) are damaged and left out/);

    writeFileSync(join(dir, "experiment.json"), JSON.stringify({ ...manifest, runs: "x" }));
    expect(() => writeExperimentReport(dir)).toThrow(/experiment\.json .*runs: got "x"/);
    writeFileSync(
      join(dir, "experiment.json"),
      JSON.stringify({ ...manifest, runs: [{ ...manifest.runs[0], dir: "../.." }] }),
    );
    expect(() => writeExperimentReport(dir)).toThrow(/run folder "..\/.." is outside the experiment folder/);
  });
});
