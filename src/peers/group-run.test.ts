import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getKernels } from "../nn/kernels/select.js";
import type { DqnConfig } from "../agents/dqn/dqn.js";
import { AgentRun, train } from "../agents/train.js";
import { defaultRunConfig } from "../agents/config.js";
import type { GroupRunConfig } from "./config.js";
import { findPreset } from "./presets.js";
import { GroupRun } from "./group-run.js";
import { trainGroup } from "./train-group.js";

const kernels = getKernels("js");
const folder = (): string => mkdtempSync(join(tmpdir(), "peerlearn-sliced-"));
const metrics = (dir: string): string => readFileSync(join(dir, "metrics.jsonl"), "utf8");

function tinyGroup(schedule: "roundRobin" | "lockstep"): GroupRunConfig {
  const c = findPreset("room-v21/peer-learning").config;
  return {
    ...c,
    env: "Room-v6",
    steps: 900,
    evalFreq: 300,
    evalEpisodes: 2,
    checkpointFreq: 0,
    dqn: { ...(c.dqn as DqnConfig), netArch: [16], batchSize: 16, bufferSize: 5000 },
    group: { ...c.group, minEpochLength: 200, schedule },
  };
}

describe("runs driven in slices", () => {
  it.each(["roundRobin", "lockstep"] as const)(
    "a %s group in odd slices, saved and reopened mid-epoch, equals one call",
    (schedule) => {
      const config = tinyGroup(schedule);
      const whole = folder();
      trainGroup(config, { out: whole, kernels });
      const sliced = folder();
      const first = new GroupRun(config, { out: sliced, kernels });
      for (let i = 0; i < 5; i++) expect(first.advance(37)).toBe(false);
      expect(first.checkpoint()).toBe(Math.floor(first.steps / 2));
      const second = new GroupRun(config, { out: sliced, kernels });
      while (!second.advance(101));
      const summary = second.finish();
      expect(summary.resumedFrom).toBe(Math.floor(first.steps / 2));
      expect(metrics(sliced)).toBe(metrics(whole));
      expect(second.checkpoint()).toBeNull();
    },
  );

  it("a single agent in odd slices, saved and reopened mid-rollout, equals one call", () => {
    const base = defaultRunConfig("CartPole-v1", "tuned", "dqn");
    if (base.algo !== "dqn") throw new Error("expected a DQN config");
    const config = { ...base, steps: 1500, evalFreq: 500, evalEpisodes: 2, dqn: { ...base.dqn, netArch: [32] } };
    const whole = folder();
    train(config, { out: whole, kernels });
    const sliced = folder();
    const first = new AgentRun(config, { out: sliced, kernels });
    first.advance(333);
    expect(first.checkpoint()).toBe(333);
    const second = new AgentRun(config, { out: sliced, kernels });
    expect(second.steps).toBe(333);
    while (!second.advance(250));
    expect(second.finish().resumedFrom).toBe(333);
    expect(metrics(sliced)).toBe(metrics(whole));
  });

  it("a checkpoint asked for at the step of the last one keeps that one", () => {
    const base = defaultRunConfig("CartPole-v1", "tuned", "dqn");
    if (base.algo !== "dqn") throw new Error("expected a DQN config");
    const config = {
      ...base,
      steps: 900,
      evalFreq: 300,
      evalEpisodes: 1,
      checkpointFreq: 300,
      dqn: { ...base.dqn, netArch: [8] },
    };
    const out = folder();
    const run = new AgentRun(config, { out, kernels });
    run.advance(300);
    // Not written again: saving a step's checkpoint first removes the folder of that step, the only one there is.
    const marker = join(out, "checkpoints", "step-300", "marker");
    writeFileSync(marker, "");
    expect(run.checkpoint()).toBe(300);
    expect(existsSync(marker)).toBe(true);
    rmSync(marker);
    expect(new AgentRun(config, { out, kernels }).steps).toBe(300);
  });
});
