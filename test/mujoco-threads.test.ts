/** Each worker thread loads its own MuJoCo engine; envs there step exactly as in the main thread. */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { requireBuilt } from "./built.js";
import { make, prepareEnv } from "../src/envs/registry.js";

const REGISTRY = resolve("dist/envs/registry.js");

/** Source of a module that runs `steps` steps of HalfCheetah-v4 with fixed actions and returns the rewards. */
const rollout = `
  const { make, prepareEnv } = await import(${JSON.stringify(pathToFileURL(REGISTRY).href)});
  await prepareEnv("HalfCheetah-v4");
  const env = make("HalfCheetah-v4");
  env.reset(5);
  const rewards = [];
  const a = new Float32Array(6);
  for (let t = 0; t < 200; t++) {
    for (let i = 0; i < 6; i++) a[i] = Math.sin(t * 0.1 + i);
    rewards.push(env.step(a).reward);
  }
  env.close();
`;

function inWorker(): Promise<number[]> {
  const source = `import { parentPort } from "node:worker_threads"; ${rollout} parentPort.postMessage(rewards);`;
  return new Promise((done, fail) => {
    const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`), { type: "module" } as never);
    w.once("message", (m: number[]) => {
      done(m);
      void w.terminate();
    });
    w.once("error", fail);
  });
}

describe("MuJoCo in worker threads (needs `npm run build`)", () => {
  requireBuilt(REGISTRY);
  it("two threads at once each load an engine and reproduce the main thread's trajectory", async () => {
    await prepareEnv("HalfCheetah-v4");
    const env = make("HalfCheetah-v4");
    env.reset(5);
    const main: number[] = [];
    const a6 = new Float32Array(6);
    for (let t = 0; t < 200; t++) {
      for (let i = 0; i < 6; i++) a6[i] = Math.sin(t * 0.1 + i);
      main.push(env.step(a6).reward);
    }
    env.close();
    const [a, b] = await Promise.all([inWorker(), inWorker()]);
    expect(a).toEqual(main);
    expect(b).toEqual(main);
  });
});
