import { describe, expect, it } from "vitest";
import { capLine, closest, count, printable, shortSteps } from "./errors.js";

describe("message helpers", () => {
  it("names a count with its noun", () => {
    expect(count(1, "run")).toBe("1 run");
    expect(count(0, "run")).toBe("0 runs");
    expect(count(3, "peer")).toBe("3 peers");
  });

  it("writes step counts short, never as zero", () => {
    expect([999, 20_000, 30_000, 1_500, 1_000_000, 1_040_000, 700_000_000].map(shortSteps)).toEqual([
      "999",
      "20k",
      "30k",
      "1.5k",
      "1M",
      "1.04M",
      "700M",
    ]);
  });

  it("suggests the nearest allowed names", () => {
    expect(closest("room-v21/peer-learnin", ["room-v21/peer-learning", "room-v27/peer-learning", "cartpole"])).toEqual([
      "room-v21/peer-learning",
      "room-v27/peer-learning",
    ]);
  });

  it("keeps lines short and printable", () => {
    expect(capLine("x".repeat(500)).length).toBeLessThan(450);
    expect([...printable("a\u001b[31mb\nc")].every((ch) => ch.charCodeAt(0) >= 32)).toBe(true);
  });
});
