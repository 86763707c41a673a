/**
 * The trainer seam of every algorithm: an agent trained round by round in a trainer thread ends bit-identical to
 * the same agent trained in this thread (every weight, target and optimiser moment, the generator), with acting
 * drawing from the shared generator between rounds. Runs the built package (the worker is a compiled module).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { requireBuilt } from "./built.js";
import type { ThreadTrainable } from "../src/agents/trainable.js";
import type { TrainerPool } from "../src/agents/trainers/trainer-pool.js";
import type { Random } from "../src/core/random.js";
import type { Kernels } from "../src/nn/kernels/kernels.js";
import type { DqnConfig } from "../src/agents/dqn/dqn.js";
import type { SacConfig } from "../src/agents/sac/sac.js";
import type { Td3Config } from "../src/agents/td3/td3.js";

const DIST = "dist/agents/trainers/trainer-pool.js";

interface Dist {
  Random: new (seed: number) => Random;
  getKernels: (name?: string) => Kernels;
  TrainerPool: new (
    agents: ThreadTrainable[],
    kernels: Kernels,
    options?: { threads?: number; trainHere?: boolean },
  ) => TrainerPool;
  buildLearner: (spec: ThreadTrainable["spec"], k: Kernels, rng: Random, replay: unknown) => ThreadTrainable;
  Dqn: new (k: Kernels, obs: number, n: number, c: DqnConfig, rng: Random, shared: boolean) => ThreadTrainable;
  Sac: new (k: Kernels, obs: number, act: number, c: SacConfig, rng: Random, shared: boolean) => ThreadTrainable;
  Td3: new (k: Kernels, obs: number, act: number, c: Td3Config, rng: Random, shared: boolean) => ThreadTrainable;
  DQN_DEFAULTS: DqnConfig;
  SAC_DEFAULTS: SacConfig;
  TD3_DEFAULTS: Td3Config;
}

async function load(): Promise<Dist> {
  const at = (p: string): Promise<Record<string, unknown>> =>
    import(pathToFileURL(join(import.meta.dirname, "..", "dist", p)).href) as Promise<Record<string, unknown>>;
  return Object.assign(
    {},
    await at("core/random.js"),
    await at("nn/kernels/select.js"),
    await at("agents/trainers/trainer-pool.js"),
    await at("agents/algorithms.js"),
    await at("agents/dqn/dqn.js"),
    await at("agents/sac/sac.js"),
    await at("agents/td3/td3.js"),
  ) as unknown as Dist;
}

const OBS = 5;
const ACT = 2;

function makeAgent(d: Dist, algo: string, seed: number): ThreadTrainable {
  const k = d.getKernels("js");
  const rng = new d.Random(seed);
  const small = {
    netArch: [16, 16],
    batchSize: 8,
    bufferSize: 500,
    learningStarts: 10,
    trainFreq: 4,
    gradientSteps: 3,
  };
  if (algo === "dqn")
    return new d.Dqn(k, OBS, 3, { ...d.DQN_DEFAULTS, ...small, targetUpdateInterval: 2, tau: 0.1 }, rng, true);
  if (algo === "sac")
    return new d.Sac(k, OBS, ACT, { ...d.SAC_DEFAULTS, ...small, useSde: true, targetUpdateInterval: 2 }, rng, true);
  return new d.Td3(k, OBS, ACT, { ...d.TD3_DEFAULTS, ...small, actionNoiseStd: 0.1 }, rng, true);
}

/** Acts and stores 40 steps (drawing from the agent's generator), training each completed rollout by `train`. */
function runSteps(agent: ThreadTrainable, train: () => void): void {
  const a = agent as unknown as {
    act: (o: Float32Array, t: number) => number | Float32Array;
    observe: (...x: unknown[]) => void;
  };
  const obs = new Float32Array(OBS);
  const next = new Float32Array(OBS);
  for (let t = 0; t < 40; t++) {
    for (let i = 0; i < OBS; i++) next[i] = Math.sin(t * 0.7 + i);
    const action = a.act(obs, t);
    a.observe(obs, next, typeof action === "number" ? action : action.slice(), Math.cos(t), t % 13 === 12, t + 1, 40);
    obs.set(next);
    if (agent.trainingDue(t + 1)) train();
  }
}

describe("trainer threads (needs `npm run build`)", () => {
  requireBuilt(DIST);
  it.each(["dqn", "sac", "td3"])(
    "%s: rounds in a trainer thread equal rounds in this thread",
    async (algo) => {
      const d = await load();
      const here = makeAgent(d, algo, 7);
      runSteps(here, () => here.trainNow());
      const there = makeAgent(d, algo, 7);
      const pool = new d.TrainerPool([there], d.getKernels("js"), { trainHere: false });
      try {
        runSteps(there, () => pool.trainRound([there]));
        pool.syncAll();
      } finally {
        pool.close();
      }
      expectSameState(there, here);
    },
    60_000,
  );

  it("one thread trains several agents of different algorithms, each exactly", async () => {
    const d = await load();
    const algos = ["dqn", "sac", "td3"];
    const here = algos.map((a, i) => makeAgent(d, a, 20 + i));
    for (const agent of here) runSteps(agent, () => agent.trainNow());
    const there = algos.map((a, i) => makeAgent(d, a, 20 + i));
    const pool = new d.TrainerPool(there, d.getKernels("js"), { threads: 1, trainHere: false });
    try {
      // Acting interleaved as in a lockstep group: each agent's rounds go to the shared thread.
      for (const agent of there) runSteps(agent, () => pool.trainRound([agent]));
      pool.syncAll();
    } finally {
      pool.close();
    }
    there.forEach((agent, i) => expectSameState(agent, here[i]));
  }, 60_000);
});

function scalars(agent: ThreadTrainable): number[] {
  const out = new Float64Array(agent.trainerScalarCount);
  agent.writeTrainerScalars(out);
  return [...out];
}

function expectSameState(there: ThreadTrainable, here: ThreadTrainable): void {
  const a = here.stateBlocks();
  const b = there.stateBlocks();
  expect(b.length).toBe(a.length);
  a.forEach((block, i) =>
    expect(
      Buffer.from(b[i].buffer, b[i].byteOffset, b[i].byteLength).equals(
        Buffer.from(block.buffer, block.byteOffset, block.byteLength),
      ),
      `block ${i}`,
    ).toBe(true),
  );
  expect(scalars(there)).toEqual(scalars(here));
  // Random keeps its words signed or unsigned depending on the last operation: compare the bits.
  const bits = (r: Random): unknown => ({ ...r.getState(), s: r.getState().s.map((x) => x >>> 0) });
  expect(bits(there.random)).toEqual(bits(here.random));
}
