/**
 * The dashboard in a real browser (headless Chromium, the system's, driven by playwright-core): it shows a run's
 * curves, trust, agent values and follow shares, and redraws when a metrics line is appended; it is read-only and
 * serves only the folders it was given. Screenshots go to screenshots/. Chromium is optional for a user's
 * `npm test`; in CI (.ci/run installs it) a missing one fails the suite.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDashboard, type Dashboard } from "../src/dashboard/server.js";
import { startDemoServer } from "../src/demo/server.js";
import { request } from "node:http";
import { CHROMIUM, runsWith } from "./tools.js";

const root = mkdtempSync(join(tmpdir(), "peerlearn-dashboard-"));
const run = join(root, "room-group");
/** A group run's evaluation line for `peer` at `step`. */
const evalLine = (peer: number, step: number): string =>
  `${JSON.stringify({
    type: "eval",
    peer,
    step,
    epoch: 0,
    evalMean: step / 1000 + peer,
    evalStd: 0,
    evalReturns: [1],
    followCounts: [step * 0.6, step * 0.4],
    trust: [200 - step / 100, 190 - step / 100],
    agentValues: [150 + peer, 140],
  })}\n`;

let dashboard: Dashboard;
let browser: Browser | undefined;
beforeAll(async () => {
  mkdirSync(run, { recursive: true });
  writeFileSync(
    join(run, "metrics.jsonl"),
    evalLine(0, 1000) + evalLine(1, 1000) + evalLine(0, 2000) + evalLine(1, 2000),
  );
  dashboard = await startDashboard({ folders: [root], port: 0, host: "127.0.0.1", pollMs: 100 });
});
afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  rmSync(root, { recursive: true, force: true });
});

describe("the dashboard's server", () => {
  it("is read-only and serves only the folders it was given", async () => {
    const get = (path: string, init?: RequestInit) => fetch(new URL(path, dashboard.url), init);
    expect((await get("/api/runs").then((r) => r.json())).map((r: { id: string }) => r.id)).toEqual(["0/room-group"]);
    expect((await get("/api/metrics?run=0/room-group").then((r) => r.json())).lines).toHaveLength(4);
    expect((await get("/api/runs", { method: "POST" })).status).toBe(405);
    for (const bad of ["0/..", "0/../..", "0//etc", "1/x", "0/room-group/../../etc", "-1/x"]) {
      expect((await get(`/api/metrics?run=${encodeURIComponent(bad)}`)).status, bad).toBe(404);
    }
    // A symbolic link that points out of the folder is not followed.
    const outside = mkdtempSync(join(tmpdir(), "peerlearn-outside-"));
    writeFileSync(join(outside, "metrics.jsonl"), evalLine(0, 1));
    symlinkSync(outside, join(root, "link-out"));
    expect((await get("/api/metrics?run=0/link-out")).status).toBe(404);
    rmSync(join(root, "link-out"));
    rmSync(outside, { recursive: true, force: true });
  });

  it("serves no file through a file link pointing out of its folders", async () => {
    const outside = mkdtempSync(join(tmpdir(), "peerlearn-outside-"));
    writeFileSync(join(outside, "metrics.jsonl"), evalLine(0, 1));
    writeFileSync(join(outside, "secret.json"), JSON.stringify({ secret: "outside" }));
    const leak = join(root, "leak");
    mkdirSync(leak);
    symlinkSync(join(outside, "metrics.jsonl"), join(leak, "metrics.jsonl"));
    symlinkSync(join(outside, "secret.json"), join(run, "summary.json"));
    const sweep = join(root, "sweep");
    mkdirSync(sweep);
    writeFileSync(join(sweep, "experiment.json"), JSON.stringify({ experiment: "x", runs: [] }));
    symlinkSync(join(outside, "secret.json"), join(sweep, "progress.json"));
    try {
      const get = (path: string) => fetch(new URL(path, dashboard.url)).then((r) => r.text());
      expect(await get("/api/runs")).not.toContain("leak");
      expect(await get("/api/runs")).not.toContain("outside");
      expect(await get("/api/sweeps")).not.toContain("outside");
      expect(await get("/api/metrics?run=0/leak")).toBe("no such run\n");
    } finally {
      for (const p of [leak, sweep, join(run, "summary.json")]) rmSync(p, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("answers only requests addressed to it (no DNS rebinding), as the demo's server does", async () => {
    const dist = mkdtempSync(join(tmpdir(), "peerlearn-demo-dist-"));
    writeFileSync(join(dist, "index.html"), "<p>demo</p>");
    const demo = await startDemoServer({ port: 0, host: "127.0.0.1", dist });
    try {
      for (const base of [dashboard.url, demo.url]) {
        const port = new URL(base).port;
        const status = (host: string) => rawGet(base, host).then((r) => r.status);
        expect(await status(`127.0.0.1:${port}`)).toBe(200);
        expect(await status(`localhost:${port}`)).toBe(200);
        expect(await status(`evil.example:${port}`)).toBe(421);
        expect(await status(`127.0.0.1.nip.io:${port}`)).toBe(421);
        expect(await status("127.0.0.1:1")).toBe(421);
        expect(await status("")).toBe(421);
      }
    } finally {
      await demo.close();
      rmSync(dist, { recursive: true, force: true });
    }
  });
});

/** A GET of `base` with the Host header set as given (fetch does not let a page or a test choose it). */
function rawGet(base: string, host: string): Promise<{ status: number }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: "/", method: "GET", headers: { host }, setHost: false },
      (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0 });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe.runIf(runsWith(CHROMIUM !== undefined))("the dashboard in a browser", () => {
  it("shows a run's charts and redraws when a metrics line is appended", async () => {
    expect(CHROMIUM, "a Chromium is needed (Debian: chromium)").toBeDefined();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(e.message));
    // An experiment folder: one of its two runs finished, and the progress the sweep wrote last.
    const sweep = join(root, "sweep");
    mkdirSync(join(sweep, "a"), { recursive: true });
    writeFileSync(
      join(sweep, "experiment.json"),
      JSON.stringify({ experiment: "fig4", runs: [{ dir: "a" }, { dir: "b" }] }),
    );
    writeFileSync(join(sweep, "a", "metrics.jsonl"), evalLine(0, 1000));
    writeFileSync(
      join(sweep, "a", "summary.json"),
      JSON.stringify({ env: "Room-v21", averageRewardOverTime: 1, peers: [] }),
    );
    writeFileSync(
      join(sweep, "progress.json"),
      JSON.stringify({ stepsPerSecond: 1234.4, etaSeconds: 5, finished: false }),
    );
    await page.goto(dashboard.url);
    const points = (): Promise<number> =>
      page.evaluate(
        () =>
          (window as unknown as { __dashboard: { points: Record<string, number> } }).__dashboard.points[
            "0/room-group"
          ] ?? 0,
      );
    await expect.poll(points, { timeout: 20_000 }).toBe(4);
    expect(await page.locator(".run").first().locator(".uplot").count()).toBe(3); // curves, agent values, trust
    expect(await page.locator(".follow").first().textContent()).toContain("peer 0 followed: 0: 60%  1: 40%");
    expect(await page.locator("#table tbody td").first().textContent()).toBe("room-group");
    await expect
      .poll(() => page.locator(".sweep").textContent())
      .toBe("sweep fig4 (0/sweep): runs 1/2  1234 env steps/s  ETA 5 s");
    mkdirSync("screenshots", { recursive: true });
    await page.screenshot({ path: "screenshots/dashboard.png", fullPage: true });

    // Negative values (a Pendulum-like run): every y tick label keeps its sign and fits inside its axis.
    const pendulum = join(root, "pendulum");
    mkdirSync(pendulum, { recursive: true });
    const pendulumLine = (step: number, mean: number): string =>
      `${JSON.stringify({ step, evalMean: mean, evalStd: 0, evalReturns: [mean] })}\n`;
    writeFileSync(
      join(pendulum, "metrics.jsonl"),
      [-1000, -800, -450, -200].map((m, i) => pendulumLine(1000 * (i + 1), m)).join(""),
    );
    const labels = (): Promise<{ size: number; need: number; labels: string[]; min: number }[]> =>
      page.evaluate(() => {
        type Axis = { _size: number; _values: string[]; font: string[]; ticks: { size: number }; gap: number };
        type Chart = { axes: Axis[]; ctx: CanvasRenderingContext2D; data: number[][] };
        const charts = (window as unknown as { __dashboard: { charts: () => Chart[] } }).__dashboard.charts();
        return charts.map((u) => {
          const a = u.axes[1];
          u.ctx.font = a.font[0];
          const widest = Math.max(...(a._values ?? []).map((v) => u.ctx.measureText(v).width / devicePixelRatio));
          const ys = u.data
            .slice(1)
            .flat()
            .filter((v): v is number => typeof v === "number");
          return { size: a._size, need: a.ticks.size + a.gap + widest, labels: a._values ?? [], min: Math.min(...ys) };
        });
      });
    await expect.poll(async () => (await labels()).filter((c) => c.min <= -1000).length, { timeout: 20_000 }).toBe(1);
    for (const c of await labels()) {
      expect(c.size, c.labels.join(" ")).toBeGreaterThanOrEqual(c.need);
      if (c.min < 0)
        expect(
          c.labels.some((l) => /^[-−]/.test(l)),
          c.labels.join(" "),
        ).toBe(true);
    }
    const negative = (await labels()).find((c) => c.min <= -1000);
    expect(
      negative?.labels.filter((l) => /\d/.test(l)).every((l) => /^[-−]|^0$/.test(l)),
      negative?.labels.join(" "),
    ).toBe(true);

    appendFileSync(join(run, "metrics.jsonl"), evalLine(0, 3000) + evalLine(1, 3000));
    await expect.poll(points, { timeout: 20_000 }).toBe(6);
    await page.screenshot({ path: "screenshots/dashboard-after-append.png", fullPage: true });
    expect(errors, errors.join("\n")).toEqual([]);
  }, 60_000);
});
