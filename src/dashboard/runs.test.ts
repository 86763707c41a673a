import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RunIndex } from "./runs.js";

describe("what the dashboard reads of a folder", () => {
  const root = mkdtempSync(join(tmpdir(), "peerlearn-dashboard-files-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const run = (name: string, summary: unknown): void => {
    mkdirSync(join(root, name));
    writeFileSync(join(root, name, "metrics.jsonl"), "");
    writeFileSync(join(root, name, "config.json"), JSON.stringify({ env: "Room-v21", peers: [{ kind: "dqn" }] }));
    writeFileSync(join(root, name, "summary.json"), JSON.stringify(summary));
  };
  const good = {
    env: "Room-v21",
    seed: 0,
    steps: 10,
    wallSeconds: 1,
    stepsPerSecond: 10,
    averageRewardOverTime: 3,
    lastEval: { mean: 3, std: 0 },
    backend: "js",
    out: "runs/a",
    resumedFrom: null,
    algo: "dqn",
    evaluations: 1,
  };

  it("passes a summary on only when it is one, and shows a damaged one as missing", () => {
    run("good", good);
    run("strings", { ...good, steps: "many" });
    run("huge", { ...good, env: "x".repeat(10_000) });
    run("other", { secret: "not a summary" });
    const byName = new Map(new RunIndex([root]).list().map((r) => [r.name, r]));
    expect(byName.get("good")?.summary).toEqual(good);
    for (const name of ["strings", "huge", "other"]) {
      expect(byName.get(name)?.summary).toBeNull();
      expect(byName.get(name)?.env).toBe("Room-v21"); // from its config, as for a run still running
    }
  });

  it("takes a folder as an experiment only when its experiment.json says it is one", () => {
    for (const [name, manifest] of [
      ["sweep", { experiment: "fig4", runs: [{ dir: "a" }, { dir: "b" }] }],
      ["not-runs", { experiment: "fig4", runs: "x" }],
      ["no-name", { runs: [] }],
    ] as const) {
      mkdirSync(join(root, "sweeps", name), { recursive: true });
      writeFileSync(join(root, "sweeps", name, "experiment.json"), JSON.stringify(manifest));
      writeFileSync(join(root, "sweeps", name, "progress.json"), JSON.stringify({ stepsPerSecond: "fast" }));
    }
    const sweeps = new RunIndex([join(root, "sweeps")]).sweeps();
    expect(sweeps.map((s) => [s.experiment, s.runs, s.progress])).toEqual([["fig4", 2, null]]);
  });
});
