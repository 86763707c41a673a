/**
 * Minimal SVG line charts for reports: several series on shared axes, optional shaded bands (e.g. +- standard
 * error), nice ticks, a legend. Self-contained markup, no fonts or scripts to fetch.
 */

export interface Series {
  readonly label: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** Half-width of a band around y (same length as y), drawn shaded. */
  readonly band?: readonly number[];
}

export interface PlotOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly width?: number;
  readonly height?: number;
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

/** About five round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  // A range too narrow for its magnitude (scores equal but for rounding) has no steps floating point can take.
  if (!(hi - lo > 1e-9 * Math.max(Math.abs(lo), Math.abs(hi), 1e-300))) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * step && ticks.length <= 4 * count; t += step)
    ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e3) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The start of a chart: the svg element, a white background and the title. */
function openSvg(W: number, H: number, title: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
  ];
}

/** Vertical grid lines at the x ticks, with their labels under the plot area. */
function xGrid(
  parts: string[],
  ticks: readonly number[],
  px: (x: number) => number,
  top: number,
  bottom: number,
): void {
  for (const t of ticks) {
    parts.push(`<line x1="${px(t)}" y1="${top}" x2="${px(t)}" y2="${bottom}" stroke="#eee"/>`);
    parts.push(`<text x="${px(t)}" y="${bottom + 16}" text-anchor="middle">${fmt(t)}</text>`);
  }
}

export function linePlot(series: readonly Series[], options: PlotOptions): string {
  const W = options.width ?? 640;
  const H = options.height ?? 360;
  const m = { left: 64, right: 16, top: 36, bottom: 48 };
  const xs = series.flatMap((s) => s.x);
  const ys = series.flatMap((s) => s.y.flatMap((y, i) => [y - (s.band?.[i] ?? 0), y + (s.band?.[i] ?? 0)]));
  const x0 = Math.min(...xs, 0);
  const x1 = Math.max(...xs, 1);
  let y0 = Math.min(...ys);
  let y1 = Math.max(...ys);
  if (!(y1 > y0)) [y0, y1] = [y0 - 1, y1 + 1];
  const pad = 0.05 * (y1 - y0);
  y0 -= pad;
  y1 += pad;
  const px = (x: number): number => m.left + ((x - x0) / (x1 - x0)) * (W - m.left - m.right);
  const py = (y: number): number => H - m.bottom - ((y - y0) / (y1 - y0)) * (H - m.top - m.bottom);
  const parts = openSvg(W, H, options.title);
  xGrid(parts, niceTicks(x0, x1), px, m.top, H - m.bottom);
  for (const t of niceTicks(y0, y1)) {
    parts.push(`<line x1="${m.left}" y1="${py(t)}" x2="${W - m.right}" y2="${py(t)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.left - 6}" y="${py(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
  }
  parts.push(
    `<rect x="${m.left}" y="${m.top}" width="${W - m.left - m.right}" height="${H - m.top - m.bottom}" fill="none" stroke="#999"/>`,
  );
  parts.push(
    `<text x="${(m.left + W - m.right) / 2}" y="${H - 10}" text-anchor="middle">${esc(options.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(16 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(options.yLabel)}</text>`,
  );
  series.forEach((s, k) => {
    const color = COLORS[k % COLORS.length];
    if (s.band) {
      const upper = s.x.map((x, i) => `${px(x).toFixed(1)},${py(s.y[i] + (s.band?.[i] ?? 0)).toFixed(1)}`);
      const lower = s.x.map((x, i) => `${px(x).toFixed(1)},${py(s.y[i] - (s.band?.[i] ?? 0)).toFixed(1)}`).reverse();
      parts.push(
        `<polygon points="${[...upper, ...lower].join(" ")}" fill="${color}" fill-opacity="0.18" stroke="none"/>`,
      );
    }
    const pts = s.x.map((x, i) => `${px(x).toFixed(1)},${py(s.y[i]).toFixed(1)}`).join(" ");
    parts.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<rect x="${m.left + 10}" y="${m.top + 8 + 16 * k}" width="12" height="3" fill="${color}"/>`);
    parts.push(`<text x="${m.left + 28}" y="${m.top + 13 + 16 * k}">${esc(s.label)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n");
}

export interface IntervalRow {
  readonly label: string;
  readonly point: number;
  readonly low: number;
  readonly high: number;
}

/** Horizontal confidence intervals, one row each: a line from low to high and a dot at the point estimate. */
export function intervalPlot(rows: readonly IntervalRow[], options: Omit<PlotOptions, "yLabel">): string {
  const W = options.width ?? 640;
  const rowH = 26;
  const m = { left: 230, right: 20, top: 36, bottom: 44 };
  const H = options.height ?? m.top + m.bottom + rowH * rows.length;
  let x0 = Math.min(...rows.map((r) => r.low));
  let x1 = Math.max(...rows.map((r) => r.high));
  if (!(x1 > x0)) [x0, x1] = [x0 - 1, x1 + 1];
  const pad = 0.05 * (x1 - x0);
  x0 -= pad;
  x1 += pad;
  const px = (x: number): number => m.left + ((x - x0) / (x1 - x0)) * (W - m.left - m.right);
  const parts = openSvg(W, H, options.title);
  xGrid(parts, niceTicks(x0, x1), px, m.top, H - m.bottom);
  rows.forEach((r, k) => {
    const y = m.top + rowH * k + rowH / 2;
    const color = COLORS[k % COLORS.length];
    parts.push(`<text x="${m.left - 8}" y="${y + 4}" text-anchor="end">${esc(r.label)}</text>`);
    parts.push(
      `<line x1="${px(r.low).toFixed(1)}" y1="${y}" x2="${px(r.high).toFixed(1)}" y2="${y}" stroke="${color}" stroke-width="6" stroke-opacity="0.45"/>`,
    );
    parts.push(`<circle cx="${px(r.point).toFixed(1)}" cy="${y}" r="4" fill="${color}"/>`);
  });
  parts.push(
    `<text x="${(m.left + W - m.right) / 2}" y="${H - 10}" text-anchor="middle">${esc(options.xLabel)}</text>`,
    "</svg>",
  );
  return parts.join("\n");
}
