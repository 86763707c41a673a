import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getKernels } from "../nn/kernels/select.js";
import type { DqnConfig } from "../agents/dqn/config.js";
import { findPreset } from "../peers/presets.js";
import { trainGroup } from "../peers/train-group.js";
import { DamagedMetrics, isEpoch, isGroupEval, parseMetrics, readMetrics } from "./metrics-line.js";

describe("metrics lines", () => {
  it("every line a group run writes is one of the declared shapes", () => {
    const c = findPreset("room-v21/peer-learning").config;
    const out = mkdtempSync(join(tmpdir(), "peerlearn-metrics-"));
    trainGroup(
      {
        ...c,
        env: "Room-v6",
        steps: 600,
        evalFreq: 200,
        evalEpisodes: 1,
        dqn: { ...(c.dqn as DqnConfig), netArch: [8], batchSize: 8 },
        group: { ...c.group, minEpochLength: 200 },
      },
      { out, kernels: getKernels("js") },
    );
    const lines = readMetrics(join(out, "metrics.jsonl"));
    expect(lines.length).toBe(readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n").length);
    expect(lines.filter(isGroupEval).length).toBe(6); // 2 peers x 3 evaluations
    expect(lines.filter(isEpoch).length).toBeGreaterThan(0);
    expect(lines.filter(isGroupEval)[0]).toHaveProperty("trust"); // a value term's log, kept
  });

  it("names a damaged line, or leaves it out when asked to", () => {
    const text = '{"step":1,"evalMean":2,"evalStd":0,"evalReturns":[2],"episodes":1}\n{"step":\n{"type":"epoch"}\n';
    expect(() => parseMetrics(text, "m.jsonl")).toThrow(DamagedMetrics);
    expect(() => parseMetrics(text, "m.jsonl")).toThrow(/m.jsonl: line 2 is not JSON/);
    expect(() => parseMetrics(text.split("\n").slice(2).join("\n"), "m.jsonl")).toThrow(
      /m.jsonl: line 1 is not a metrics line/,
    );
    expect(parseMetrics(text, "m.jsonl", true)).toHaveLength(1);
  });
});
