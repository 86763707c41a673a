/**
 * Chart helpers shared by the browser pages (the dashboard and the demo), on uPlot: axes that fit their labels and
 * a y range that leaves out the start of a run.
 */
import type uPlot from "uplot";

/**
 * A y axis as wide as its longest tick label, measured in the axis's own font, plus the tick and the gap (uPlot's
 * fixed width cut "-1,000" to "1,000" at the left edge).
 */
export function fitLabels(u: uPlot, values: string[] | null, axisIdx: number): number {
  const axis = u.axes[axisIdx];
  const longest = (values ?? []).reduce((a, v) => (String(v).length > a.length ? String(v) : a), "");
  u.ctx.font = (axis.font as unknown as string[])[0];
  const ticks = (axis.ticks as { size?: number } | undefined)?.size ?? 10;
  return Math.ceil(ticks + (axis.gap ?? 5) + u.ctx.measureText(longest).width / devicePixelRatio) + 4;
}

/**
 * A y range over the points after the first tenth of the run (all of them while there are few): trust and agent
 * values start at 200 and fall within a few hundred steps; the differences between peers come later.
 */
export function afterFirstTenth(data: ArrayLike<ArrayLike<number | null | undefined>>): [number, number] {
  const n = data.length > 0 ? data[0].length : 0;
  const from = n >= 10 ? Math.floor(n / 10) : 0;
  const ys: number[] = [];
  for (let s = 1; s < data.length; s++)
    for (let i = from; i < data[s].length; i++) {
      const v = data[s][i];
      if (typeof v === "number") ys.push(v);
    }
  if (!ys.length) return [0, 1];
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  const pad = Math.max(1e-3, (hi - lo) * 0.05);
  return [lo - pad, hi + pad];
}
