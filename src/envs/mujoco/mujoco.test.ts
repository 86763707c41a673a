import { beforeAll, describe, expect, it } from "vitest";
import { Random } from "../../core/random.js";
import type { EnvState } from "../env.js";
import { make, prepareEnv } from "../registry.js";
import { Ant, ANT_DEFAULTS } from "./ant.js";
import { compileXml, loadMujoco, readModelXml } from "./engine.js";
import { HalfCheetah } from "./half-cheetah.js";
import type { MujocoEnv } from "./mujoco-env.js";
import { HOPPER_DEFAULTS, PlanarWalker, WALKER2D_DEFAULTS } from "./planar-walker.js";

beforeAll(async () => {
  await loadMujoco();
});

interface Physics {
  qpos: number[];
  qvel: number[];
  xpos: number[];
  cfrcExt: number[];
}
const physics = (env: MujocoEnv): Physics => env.getState() as unknown as Physics;

/** Puts positions/velocities (changed by `edit`) into the env, as a reset pose would be. */
function withState(env: MujocoEnv, edit: (p: Physics) => void): void {
  const s = env.getState() as unknown as Physics;
  edit(s);
  env.setState(s as unknown as EnvState);
}

/** Whether the env is healthy in its reset pose changed by `edit`. */
function healthyAfter(env: MujocoEnv & { isHealthy(): boolean }, edit: (p: Physics) => void): boolean {
  env.reset(0);
  withState(env, edit);
  return env.isHealthy();
}

function randomAction(rng: Random, dim: number): Float32Array {
  const a = new Float32Array(dim);
  for (let i = 0; i < dim; i++) a[i] = rng.uniformIn(-1, 1);
  return a;
}

const sumSq = (a: Float32Array): number => a.reduce((s, x) => s + x * x, 0);

describe("MJCF models", () => {
  // Numbers from the compiled Gymnasium v4 models (sizes and body masses).
  const expected: Record<string, { nq: number; nv: number; nu: number; masses: number[] }> = {
    half_cheetah: { nq: 9, nv: 9, nu: 6, masses: [0, 6.2502, 1.5435, 1.5874, 1.0954, 1.4381, 1.2008, 0.8845] },
    hopper: { nq: 6, nv: 6, nu: 3, masses: [0, 3.6652, 4.0579, 2.7814, 5.3156] },
    walker2d: { nq: 9, nv: 9, nu: 6, masses: [0, 3.6652, 4.0579, 2.7814, 3.1667, 4.0579, 2.7814, 3.1667] },
    ant: {
      nq: 15,
      nv: 14,
      nu: 8,
      masses: [0, 0.32725, ...Array.from({ length: 4 }, () => [0.03916, 0.03916, 0.06759]).flat()],
    },
  };
  for (const [name, e] of Object.entries(expected)) {
    it(`${name} compiles to the v4 model's sizes and masses`, () => {
      const m = compileXml(readModelXml(name), name);
      try {
        expect([m.nq, m.nv, m.nu, m.nbody]).toEqual([e.nq, e.nv, e.nu, e.masses.length]);
        e.masses.forEach((mass, i) => expect(m.body_mass[i]).toBeCloseTo(mass, 4));
      } finally {
        m.delete();
      }
    });
  }

  it("a malformed model fails with MuJoCo's message", () => {
    expect(() => compileXml("<mujoco><worldbody>", "broken")).toThrow(/MuJoCo could not read broken: .*XML/);
  });
});

describe("spaces", () => {
  const cases: [string, Record<string, unknown>, number, number][] = [
    ["HalfCheetah-v4", {}, 17, 6],
    ["HalfCheetah-v4", { excludeCurrentPositionsFromObservation: false }, 18, 6],
    ["Hopper-v4", {}, 11, 3],
    ["Hopper-v4", { excludeCurrentPositionsFromObservation: false }, 12, 3],
    ["Walker2d-v4", {}, 17, 6],
    ["Walker2d-v4", { excludeCurrentPositionsFromObservation: false }, 18, 6],
    ["Ant-v4", {}, 27, 8],
    ["Ant-v4", { excludeCurrentPositionsFromObservation: false }, 29, 8],
    ["Ant-v4", { useContactForces: true }, 111, 8],
  ];
  for (const [id, options, obsDim, actDim] of cases) {
    it(`${id} ${JSON.stringify(options)}: obs ${obsDim}, actions [-1, 1]^${actDim}, 1000 steps`, async () => {
      await prepareEnv(id);
      const env = make(id, options);
      expect(env.observationSpace.dim).toBe(obsDim);
      expect(env.actionSpace.kind).toBe("box");
      if (env.actionSpace.kind !== "box") return;
      expect([...env.actionSpace.low]).toEqual(new Array(actDim).fill(-1));
      expect([...env.actionSpace.high]).toEqual(new Array(actDim).fill(1));
      expect(env.maxEpisodeSteps).toBe(1000);
      expect(env.reset(0).length).toBe(obsDim);
      env.close();
    });
  }

  it("rejects bad options and actions with one message", async () => {
    await prepareEnv("Hopper-v4");
    expect(() => make("Hopper-v4", { healthyZRange: [2, 1] })).toThrow(
      /healthyZRange must be \[low, high\] with low <= high/,
    );
    expect(() => make("Walker2d-v4", { healthyStateRange: [-1, 1] })).toThrow(
      /Walker2d-v4 has no option "healthyStateRange"/,
    );
    expect(() => make("Ant-v4", { ctrlCostWeight: -1 })).toThrow(/ctrlCostWeight must be a finite number >= 0/);
    const env = make("Hopper-v4");
    env.reset(0);
    expect(() => env.step(new Float32Array(2))).toThrow(/takes an action of 3 numbers/);
    env.close();
  });
});

describe("rewards follow Gymnasium's formulas on recorded steps", () => {
  it("HalfCheetah: x velocity - 0.1 |a|^2; observation qpos[1:], qvel", () => {
    const env = new HalfCheetah();
    const rng = new Random(1);
    env.reset(3);
    for (let t = 0; t < 200; t++) {
      const a = randomAction(rng, 6);
      const before = physics(env);
      const r = env.step(a);
      const after = physics(env);
      expect(r.reward).toBeCloseTo((after.qpos[0] - before.qpos[0]) / 0.05 - 0.1 * sumSq(a), 9);
      expect(r.terminated).toBe(false);
      expect([...r.obs]).toEqual([...after.qpos.slice(1), ...after.qvel].map(Math.fround));
    }
    env.close();
  });

  for (const [id, defaults] of [
    ["Hopper-v4", HOPPER_DEFAULTS],
    ["Walker2d-v4", WALKER2D_DEFAULTS],
  ] as const) {
    it(`${id}: x velocity + 1 - 1e-3 |a|^2; velocities clipped to 10 in the observation`, () => {
      const env = new PlanarWalker(id, { ...defaults, terminateWhenUnhealthy: false });
      const rng = new Random(2);
      env.reset(4);
      let clipped = 0;
      for (let t = 0; t < 300; t++) {
        const a = randomAction(rng, env.actionSpace.dim);
        const before = physics(env);
        const r = env.step(a);
        const after = physics(env);
        const healthy = env.isHealthy();
        expect(r.reward).toBeCloseTo((after.qpos[0] - before.qpos[0]) / 0.008 + (healthy ? 1 : 0) - 1e-3 * sumSq(a), 9);
        const v = after.qvel.map((x) => Math.min(Math.max(x, -10), 10));
        clipped += after.qvel.filter((x) => Math.abs(x) > 10).length;
        expect([...r.obs]).toEqual([...after.qpos.slice(1), ...v].map(Math.fround));
      }
      expect(clipped).toBeGreaterThan(0); // the clip was exercised
      env.close();
    });
  }

  it("Ant: torso xpos velocity + 1 - 0.5 |a|^2 (- 5e-4 |clip(cfrc_ext)|^2 with contact forces)", () => {
    for (const useContactForces of [false, true]) {
      const env = new Ant({ ...ANT_DEFAULTS, useContactForces, terminateWhenUnhealthy: false });
      const rng = new Random(3);
      env.reset(5);
      let contactSeen = 0;
      for (let t = 0; t < 200; t++) {
        const a = randomAction(rng, 8);
        const before = physics(env);
        const r = env.step(a);
        const after = physics(env);
        const clip = after.cfrcExt.map((f) => Math.min(Math.max(f, -1), 1));
        const contact = useContactForces ? 5e-4 * clip.reduce((s, f) => s + f * f, 0) : 0;
        contactSeen += contact > 0 ? 1 : 0;
        const healthy = env.isHealthy() ? 1 : 0;
        expect(r.reward).toBeCloseTo((after.xpos[3] - before.xpos[3]) / 0.05 + healthy - 0.5 * sumSq(a) - contact, 9);
        const expectedObs = [...after.qpos.slice(2), ...after.qvel, ...(useContactForces ? clip : [])];
        expect([...r.obs]).toEqual(expectedObs.map(Math.fround));
      }
      if (useContactForces) expect(contactSeen).toBeGreaterThan(20);
      env.close();
    }
  });
});

describe("health and termination", () => {
  it("Hopper: strict bounds on height, angle and state", () => {
    const env = new PlanarWalker("Hopper-v4", HOPPER_DEFAULTS);
    const check = (edit: (p: Physics) => void): boolean => healthyAfter(env, edit);
    expect(check(() => {})).toBe(true);
    expect(check((p) => (p.qpos[1] = 0.7))).toBe(false);
    expect(check((p) => (p.qpos[1] = 0.7001))).toBe(true);
    expect(check((p) => (p.qpos[2] = 0.2))).toBe(false);
    expect(check((p) => (p.qpos[2] = -0.1999))).toBe(true);
    expect(check((p) => (p.qvel[5] = 100))).toBe(false);
    expect(check((p) => (p.qpos[3] = -100))).toBe(false);
    expect(check((p) => (p.qvel[0] = 1000))).toBe(false); // qvel[0] is part of state[2:]
    env.close();
  });

  it("Walker2d: height in (0.8, 2), angle in (-1, 1), no state range", () => {
    const env = new PlanarWalker("Walker2d-v4", WALKER2D_DEFAULTS);
    const check = (edit: (p: Physics) => void): boolean => healthyAfter(env, edit);
    expect(check(() => {})).toBe(true);
    expect(check((p) => (p.qpos[1] = 2))).toBe(false);
    expect(check((p) => (p.qpos[1] = 0.8))).toBe(false);
    expect(check((p) => (p.qpos[2] = 0.999))).toBe(true);
    expect(check((p) => (p.qpos[2] = -1))).toBe(false);
    expect(check((p) => (p.qvel[3] = 500))).toBe(true);
    env.close();
  });

  it("Ant: z in [0.2, 1] inclusive, everything finite", () => {
    const env = new Ant(ANT_DEFAULTS);
    const check = (edit: (p: Physics) => void): boolean => healthyAfter(env, edit);
    expect(check(() => {})).toBe(true);
    expect(check((p) => (p.qpos[2] = 1))).toBe(true);
    expect(check((p) => (p.qpos[2] = 1.0001))).toBe(false);
    expect(check((p) => (p.qpos[2] = 0.2))).toBe(true);
    expect(check((p) => (p.qpos[2] = 0.1999))).toBe(false);
    env.close();
  });

  for (const id of ["Hopper-v4", "Walker2d-v4", "Ant-v4"]) {
    it(`${id}: terminateWhenUnhealthy ends the episode (healthy reward still paid on that step); off, it runs on unpaid`, async () => {
      await prepareEnv(id);
      const rng = new Random(7);
      const on = make(id) as unknown as { inner: MujocoEnv & { isHealthy(): boolean } } & ReturnType<typeof make>;
      on.reset(1);
      let steps = 0;
      let last = on.step(randomAction(rng, on.actionSpace.kind === "box" ? on.actionSpace.dim : 0));
      for (; !last.terminated && !last.truncated; steps++) {
        last = on.step(randomAction(rng, on.actionSpace.kind === "box" ? on.actionSpace.dim : 0));
      }
      expect(last.terminated).toBe(true);
      expect(on.inner.isHealthy()).toBe(false);
      expect(on.inner.terms.healthyReward).toBe(1);
      on.close();

      const off = make(id, { terminateWhenUnhealthy: false }) as unknown as {
        inner: MujocoEnv & { isHealthy(): boolean };
      } & ReturnType<typeof make>;
      off.reset(1);
      let unhealthySteps = 0;
      for (let t = 0; t < 1000; t++) {
        const r = off.step(randomAction(rng, 8).subarray(0, off.actionSpace.kind === "box" ? off.actionSpace.dim : 0));
        expect(r.terminated).toBe(false);
        expect(r.truncated).toBe(t === 999);
        if (!off.inner.isHealthy()) {
          unhealthySteps += 1;
          expect(off.inner.terms.healthyReward).toBe(0);
        }
      }
      expect(unhealthySteps).toBeGreaterThan(0);
      off.close();
    });
  }
});

describe("resets, seeds and state", () => {
  it("reset noise stays within its scale (uniform qpos; uniform or normal qvel)", () => {
    const cheetah = new HalfCheetah();
    const hopper = new PlanarWalker("Hopper-v4", HOPPER_DEFAULTS);
    const velocities: number[] = [];
    for (let seed = 0; seed < 100; seed++) {
      cheetah.reset(seed);
      const c = physics(cheetah);
      for (const q of c.qpos) expect(Math.abs(q)).toBeLessThanOrEqual(0.1);
      velocities.push(...c.qvel);
      hopper.reset(seed);
      const h = physics(hopper);
      h.qpos.forEach((q, i) => expect(Math.abs(q - [0, 1.25, 0, 0, 0, 0][i])).toBeLessThanOrEqual(5e-3));
      for (const v of h.qvel) expect(Math.abs(v)).toBeLessThanOrEqual(5e-3);
    }
    const std = Math.sqrt(velocities.reduce((s, v) => s + v * v, 0) / velocities.length);
    expect(std).toBeGreaterThan(0.09);
    expect(std).toBeLessThan(0.11); // s N(0, 1) with s = 0.1
    cheetah.close();
    hopper.close();
  });

  it("a fixed seed gives the identical trajectory twice, and setState continues exactly", async () => {
    for (const id of ["HalfCheetah-v4", "Hopper-v4", "Walker2d-v4", "Ant-v4"]) {
      await prepareEnv(id);
      const options = id === "HalfCheetah-v4" ? {} : { terminateWhenUnhealthy: false };
      const run = (
        seed: number,
        steps: number,
        from?: EnvState,
      ): { rewards: number[]; obs: number[]; state: EnvState } => {
        const env = make(id, options);
        const rng = new Random(seed);
        env.reset(seed);
        if (from) env.setState(from);
        const rewards: number[] = [];
        let obs: number[] = [];
        const dim = env.actionSpace.kind === "box" ? env.actionSpace.dim : 0;
        for (let t = 0; t < steps; t++) {
          const r = env.step(randomAction(rng, dim));
          rewards.push(r.reward);
          obs = [...r.obs];
        }
        const state = env.getState();
        env.close();
        return { rewards, obs, state };
      };
      const a = run(11, 120);
      const b = run(11, 120);
      expect(b.rewards).toEqual(a.rewards);
      expect(b.obs).toEqual(a.obs);
      // Resume: 60 steps, then a fresh env continues from the saved state with the same action stream.
      const first = run(12, 60);
      const whole = run(12, 120);
      const env = make(id, options);
      env.reset(99);
      env.setState(first.state);
      const rng = new Random(12);
      const dim = env.actionSpace.kind === "box" ? env.actionSpace.dim : 0;
      for (let t = 0; t < 60; t++) randomAction(rng, dim);
      const rest: number[] = [];
      for (let t = 0; t < 60; t++) rest.push(env.step(randomAction(rng, dim)).reward);
      expect(rest).toEqual(whole.rewards.slice(60));
      env.close();
    }
  });

  it("creating and closing envs and running many episodes frees what it allocates", () => {
    const probe = new Ant(ANT_DEFAULTS);
    const rng = new Random(0);
    const a = new Float32Array(8);
    const cycle = (): void => {
      const envs = [
        new Ant({ ...ANT_DEFAULTS, useContactForces: true }),
        new HalfCheetah(),
        new PlanarWalker("Walker2d-v4", WALKER2D_DEFAULTS),
      ];
      for (const env of envs) {
        for (let ep = 0; ep < 5; ep++) {
          env.reset(rng.integer(0, 1000));
          for (let t = 0; t < 10; t++) env.step(a.subarray(0, env.actionSpace.dim));
        }
        env.close();
      }
    };
    for (let i = 0; i < 20; i++) cycle();
    const before = probe.engineMemoryBytes();
    for (let i = 0; i < 300; i++) cycle(); // 900 envs (2 MB arena each) and 4,500 episodes
    expect(probe.engineMemoryBytes()).toBe(before);
    probe.close();
  });
});
