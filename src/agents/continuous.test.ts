import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Random } from "../core/random.js";
import { getKernels } from "../nn/kernels/select.js";
import { defaultRunConfig } from "./config.js";
import { train, type RunConfig } from "./train.js";
import { SAC_DEFAULTS, Sac } from "./sac/sac.js";
import { TD3_DEFAULTS, Td3 } from "./td3/td3.js";
import { toEnvAction } from "./agent.js";
import { box, discrete } from "../envs/spaces.js";

const out = (): string => mkdtempSync(join(tmpdir(), "peerlearn-cont-"));

describe("continuous control", () => {
  it("maps [-1, 1] actions to the env's bounds in one place (SB3's unscale_action)", () => {
    const o = new Float32Array(2);
    expect([...(toEnvAction(box([-2, 0], [2, 10]), Float32Array.of(-1, 0.5), o) as Float32Array)]).toEqual([-2, 7.5]);
    expect(toEnvAction(discrete(3), 2, o)).toBe(2);
  });

  it("SAC learns Pendulum: a short seeded run gets well above a random policy's ~-1200", () => {
    const c = defaultRunConfig("Pendulum-v1", "tuned", "sac") as Extract<RunConfig, { algo: "sac" }>;
    const s = train(
      { ...c, steps: 4000, evalFreq: 4000, evalEpisodes: 3, checkpointFreq: 0, sac: { ...c.sac, netArch: [64, 64] } },
      { out: out(), kernels: getKernels() },
    );
    expect(s.lastEval?.mean).toBeGreaterThan(-600); // measured: -122 (native), -121 (wasm)
  });

  it("TD3 learns Pendulum: a short seeded run gets well above a random policy", () => {
    const c = defaultRunConfig("Pendulum-v1", "tuned", "td3") as Extract<RunConfig, { algo: "td3" }>;
    const s = train(
      {
        ...c,
        steps: 6000,
        evalFreq: 6000,
        evalEpisodes: 5,
        checkpointFreq: 0,
        td3: { ...c.td3, netArch: [64, 64], learningStarts: 1000 },
      },
      { out: out(), kernels: getKernels() },
    );
    expect(s.lastEval?.mean).toBeGreaterThan(-600); // measured: -215 (native), -158 (wasm)
  });

  it.each([
    [
      "SAC",
      (seed: number) =>
        new Sac(
          getKernels(),
          3,
          1,
          { ...SAC_DEFAULTS, netArch: [16], batchSize: 8, learningStarts: 10, useSde: true },
          new Random(seed),
        ),
    ],
    [
      "TD3",
      (seed: number) =>
        new Td3(
          getKernels(),
          3,
          1,
          { ...TD3_DEFAULTS, netArch: [16], batchSize: 8, learningStarts: 10, actionNoiseStd: 0.1 },
          new Random(seed),
        ),
    ],
  ] as const)("%s saves everything needed to continue exactly", (_name, make) => {
    const stream = new Random(99);
    const feed = (agent: Sac | Td3, from: number, to: number, rng: Random): void => {
      for (let t = from; t < to; t++) {
        const obs = Float32Array.of(rng.normal(), rng.normal(), rng.normal());
        const a = agent.act(obs, t);
        agent.observe(obs, Float32Array.of(rng.normal(), 0, 1), a, rng.normal(), t % 7 === 0);
        agent.maybeTrain(t + 1);
      }
    };
    const a = make(1);
    feed(a, 0, 30, stream);
    const dir = out();
    const state = a.save(dir);
    const b = make(2);
    b.load(dir, JSON.parse(JSON.stringify(state)));
    const s1 = new Random(5);
    const s2 = new Random(5);
    feed(a, 30, 50, s1);
    feed(b, 30, 50, s2);
    const probe = Float32Array.of(0.1, -0.2, 0.3);
    expect([...b.predict(probe)]).toEqual([...a.predict(probe)]);
  });
});
