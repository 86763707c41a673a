/**
 * The browser demo (`peerlearn demo`, demo/dist) in a real browser (headless Chromium, the system's, driven by
 * playwright-core): Room peer learning trains in its Web Worker, the curve moves, the console stays clean, the
 * evaluations equal Node's for the same seed on the same backend (js and wasm), the page answers input while
 * training, and the worker's speed is printed as a ratio of Node's on the wasm backend. Screenshots go to
 * screenshots/. In CI (.ci/run installs Chromium) a missing browser fails the suite.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DemoRun, demoConfig } from "../src/demo/demo-run.js";
import {
  DEMO_DEFAULTS,
  demoEvalFreq,
  type DemoEvaluation,
  type DemoPageState,
  type DemoSettings,
} from "../src/demo/settings.js";
import { DEMO_DIST, startDemoServer, type DemoServer } from "../src/demo/server.js";
import { JsKernels } from "../src/nn/kernels/js.js";
import { WasmKernels } from "../src/nn/kernels/wasm.js";
import type { Kernels } from "../src/nn/kernels/kernels.js";
import { CHROMIUM, runsWith } from "./tools.js";
import { requireBuilt } from "./built.js";

const settings = (steps: number, seed: number): DemoSettings => ({
  ...DEMO_DEFAULTS,
  steps,
  seed,
  evalFreq: demoEvalFreq(steps),
});
/** The page's address for these settings, started at once at full speed. */
const address = (base: string, s: DemoSettings, backend: string): string =>
  `${base}?${new URLSearchParams({
    peers: String(s.peers),
    seed: String(s.seed),
    steps: String(s.steps),
    backend,
    speed: "0",
    autostart: "1",
  })}`;

function inNode(
  s: DemoSettings,
  kernels: Kernels,
): { evaluations: DemoEvaluation[]; envStepsPerSecond: number; run: DemoRun } {
  const run = new DemoRun(s, kernels);
  const started = performance.now();
  while (!run.done) run.advance(5);
  const seconds = (performance.now() - started) / 1000;
  return { evaluations: run.evaluations, envStepsPerSecond: (s.steps * run.group.members.length) / seconds, run };
}

const state = (page: Page): Promise<DemoPageState> =>
  page.evaluate(() => (window as unknown as { peerlearnDemo: DemoPageState }).peerlearnDemo);

let server: DemoServer;
let browser: Browser | undefined;
requireBuilt(`${DEMO_DIST}/index.html`);
beforeAll(async () => {
  if (existsSync(`${DEMO_DIST}/index.html`)) server = await startDemoServer({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("the demo's settings", () => {
  it("are Room-v21 peer learning on the lockstep schedule, with the adversary as an extra peer", () => {
    const c = demoConfig({ ...DEMO_DEFAULTS, peers: 2, adversary: true, followSteps: 7, trust: false });
    expect(c.env).toBe("Room-v21");
    expect(c.peers.map((p) => p.kind)).toEqual(["dqn", "dqn", "adversary"]);
    expect(c.group).toMatchObject({ schedule: "lockstep", followSteps: 7, trust: false, critic: true });
    expect(() => demoConfig({ ...DEMO_DEFAULTS, peers: 5 })).toThrow(/2 to 4 peers/);
  });
});

describe.runIf(runsWith(CHROMIUM !== undefined))("the demo in a browser", () => {
  beforeAll(async () => {
    expect(CHROMIUM, "a Chromium is needed (Debian: chromium)").toBeDefined();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });

  /** Opens the demo on these settings and waits until its run is done; returns its state and console errors. */
  async function train(s: DemoSettings, backend: string, whileTraining?: (page: Page) => Promise<void>) {
    const page = await (browser as Browser).newPage({ viewport: { width: 1300, height: 860 } });
    const errors: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(address(server.url, s, backend));
    await expect.poll(async () => (await state(page)).frames, { timeout: 30_000 }).toBeGreaterThan(0);
    await whileTraining?.(page);
    await page.waitForFunction(() => (window as unknown as { peerlearnDemo: DemoPageState }).peerlearnDemo.done, null, {
      timeout: 240_000,
    });
    return { page, errors, final: await state(page) };
  }

  it("trains Room peer learning in its worker with the numbers Node gets (js kernels)", async () => {
    const s = settings(1500, 3);
    const { page, errors, final } = await train(s, "js");
    expect(final.backend).toBe("js (scalar)");
    expect(final.error).toBeNull();
    const node = inNode(s, new JsKernels());
    expect(final.evaluations).toEqual(node.evaluations);
    // "Download peer 0 as ONNX": the same graph Node exports from the same weights, byte for byte.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#onnx")]);
    expect(download.suggestedFilename()).toBe("peerlearn-demo-peer-0.onnx");
    const fromPage = readFileSync(await download.path());
    expect(fromPage.equals(Buffer.from(node.run.exportPeer(0))), "the same bytes").toBe(true);
    expect(final.evaluations.length).toBe(3 * 10);
    // The curve moved: points were drawn, one per evaluation step.
    expect(await page.locator("#curve .uplot").count()).toBe(1);
    expect(errors, errors.join("\n")).toEqual([]);
    await page.close();
  });

  it("trains on the WebAssembly kernels as Node does, answers input while training, and is as fast", async () => {
    const s = settings(6000, 0);
    const node = inNode(s, new WasmKernels());
    const { page, errors, final } = await train(s, "wasm", async (p) => {
      // Typing and clicking while the worker trains: each event's wait before its handler ran is recorded.
      for (let i = 0; i < 10; i++) {
        await p.fill("#followSteps", String(10 + i));
        await p.click("#seed");
      }
      mkdirSync("screenshots", { recursive: true });
      await p.screenshot({ path: "screenshots/demo-training.png", fullPage: true });
    });
    expect(final.backend).toMatch(/^wasm \(simd128/);
    expect(final.evaluations).toEqual(node.evaluations);
    const latencies = [...final.inputLatencies].sort((a, b) => a - b);
    const median = latencies[Math.floor(latencies.length / 2)];
    const ratio = final.envStepsPerSecond / node.envStepsPerSecond;
    console.log(
      `demo: browser ${final.envStepsPerSecond.toFixed(0)} env steps/s vs Node wasm ${node.envStepsPerSecond.toFixed(0)} ` +
        `(${ratio.toFixed(2)}x); input handled after ${median.toFixed(1)} ms (median), ` +
        `${latencies[latencies.length - 1].toFixed(1)} ms (max) over ${latencies.length} events`,
    );
    expect(latencies.length).toBeGreaterThanOrEqual(20);
    expect(median).toBeLessThan(100);
    await page.screenshot({ path: "screenshots/demo.png", fullPage: true });
    expect(errors, errors.join("\n")).toEqual([]);
    await page.close();
  });
});
