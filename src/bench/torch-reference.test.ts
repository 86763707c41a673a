import { describe, expect, it } from "vitest";
import { parseTorchTimings } from "./torch-reference.js";

const good = {
  torch: "1.13.0",
  gemmGflops: 190,
  dqnUpdateMs: 1.3,
  sacUpdateMs: 11,
  spread: {
    gemm: { low: 185, high: 192 },
    dqnUpdate: { low: 1.29, high: 1.35 },
    sacUpdate: { low: 10.5, high: 11.5 },
  },
};

describe("the PyTorch reference's output, read back", () => {
  it("takes the script's line as it is printed", () => {
    expect(parseTorchTimings(JSON.stringify(good))).toEqual(good);
  });

  it("refuses what the script does not print, naming the field", () => {
    expect(parseTorchTimings("Traceback (most recent call last):")).toMatch(/^unexpected output .*Traceback/);
    expect(parseTorchTimings(JSON.stringify({ ...good, dqnUpdateMs: -1 }))).toMatch(/\(dqnUpdateMs: /);
    expect(parseTorchTimings(JSON.stringify({ ...good, gemmGflops: "fast" }))).toMatch(/\(gemmGflops: /);
    const { spread: _spread, ...withoutSpread } = good;
    expect(parseTorchTimings(JSON.stringify(withoutSpread))).toMatch(/\(spread: /);
    expect(parseTorchTimings(JSON.stringify({ ...good, extra: 1 }))).toMatch(/unexpected output/);
    expect(parseTorchTimings("[]")).toMatch(/\(top level: /);
  });
});
