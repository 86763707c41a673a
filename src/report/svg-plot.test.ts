import { describe, expect, it } from "vitest";
import { intervalPlot, linePlot, niceTicks } from "./svg-plot.js";

describe("svg plots", () => {
  it("picks round ticks", () => {
    expect(niceTicks(0, 10_000)).toEqual([0, 2000, 4000, 6000, 8000, 10_000]);
    expect(niceTicks(-0.1, 0.9)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
  });

  it("stops on a range narrower than floating point can step (scores equal but for rounding)", () => {
    expect(niceTicks(-0.10000000000000006, -0.1)).toEqual([-0.10000000000000006]);
    const svg = intervalPlot(
      [
        { label: "a", point: -0.1, low: -0.10000000000000006, high: -0.1 },
        { label: "b", point: -0.1, low: -0.1, high: -0.1 },
      ],
      { title: "t", xLabel: "x" },
    );
    expect(svg.match(/<circle/g)).toHaveLength(2);
  });

  it("draws a line per series, a band where given, a legend, and escapes text", () => {
    const svg = linePlot(
      [
        { label: "a <b>", x: [0, 1, 2], y: [0, 1, 4], band: [0.1, 0.2, 0.3] },
        { label: "c", x: [0, 2], y: [1, 2] },
      ],
      { title: "t & u", xLabel: "steps", yLabel: "return" },
    );
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg.match(/<polygon/g)).toHaveLength(1);
    expect(svg).toContain("a &lt;b&gt;");
    expect(svg).toContain("t &amp; u");
    expect(svg.startsWith("<svg")).toBe(true);
  });
});
