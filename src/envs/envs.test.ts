import { describe, expect, it } from "vitest";
import { UserError } from "../core/errors.js";
import { Random } from "../core/random.js";
import { TimeLimit } from "./env.js";
import { listEnvs, make } from "./registry.js";
import { CartPole } from "./classic/cartpole.js";
import { MountainCarContinuous } from "./classic/mountain-car-continuous.js";
import { Pendulum, angleNormalize } from "./classic/pendulum.js";
import { Room } from "./room/room.js";
import { RoomAdversary, RoomExpert } from "./room/policies.js";

const L = 21;
const cell = (x: number): number => Math.round(x * (L - 1));

describe("Room-v21", () => {
  it("starts in the centre with the goal on the border, and pins the goals of seed 0", () => {
    const env = make("Room-v21");
    const goals: number[][] = [];
    let obs = env.reset(0);
    for (let e = 0; e < 4; e++) {
      if (e > 0) obs = env.reset();
      expect([cell(obs[0]), cell(obs[1])]).toEqual([10, 10]);
      goals.push([cell(obs[2]), cell(obs[3])]);
    }
    for (const g of goals) expect(g.some((c) => c === 0 || c === L - 1)).toBe(true);
    expect(goals).toMatchInlineSnapshot(`
      [
        [
          8,
          20,
        ],
        [
          0,
          15,
        ],
        [
          20,
          5,
        ],
        [
          7,
          20,
        ],
      ]
    `);
  });

  it("samples coordinates below L - 1 except on the border axis, and every side", () => {
    const env = make("Room-v21");
    env.reset(1);
    const sides = new Set<string>();
    for (let e = 0; e < 400; e++) {
      const o = env.reset();
      const g = [cell(o[2]), cell(o[3])];
      const borderAxes = g.map((c) => c === 0 || c === L - 1);
      expect(borderAxes.some(Boolean)).toBe(true);
      expect(g.filter((c) => c === L - 1).length).toBeLessThanOrEqual(1); // the free axis never reaches L - 1
      g.forEach((c, d) => {
        if (c === 0) sides.add(`${d}-low`);
        if (c === L - 1) sides.add(`${d}-high`);
      });
    }
    expect(sides.size).toBe(4);
  });

  it("pays +1 per step on the goal and -0.001 elsewhere, never terminates, truncates at 100 steps", () => {
    const env = make("Room-v21");
    const expert = new RoomExpert(new Random(0));
    let obs = env.reset(3);
    const goal = [cell(obs[2]), cell(obs[3])];
    const distance = Math.abs(goal[0] - 10) + Math.abs(goal[1] - 10);
    let total = 0;
    for (let t = 1; t <= 100; t++) {
      const r = env.step(expert.act(obs));
      obs = r.obs;
      expect(r.reward).toBe(t >= distance ? 1 : -0.001);
      expect(r.terminated).toBe(false);
      expect(r.truncated).toBe(t === 100);
      total += r.reward;
    }
    expect([cell(obs[0]), cell(obs[1])]).toEqual(goal); // the expert stays on the goal
    expect(total).toBeCloseTo(101 - distance - 0.001 * (distance - 1), 9);
  });

  it("stops at walls", () => {
    const env = make("Room-v21");
    let obs = env.reset(0);
    for (let i = 0; i < 15; i++) obs = env.step(1).obs; // axis 0, backwards
    expect(cell(obs[0])).toBe(0);
    for (let i = 0; i < 25; i++) obs = env.step(2).obs; // axis 1, forwards
    expect([cell(obs[0]), cell(obs[1])]).toEqual([0, L - 1]);
  });

  it("steers the adversary to the corner opposite the goal", () => {
    const env = make("Room-v21");
    const adversary = new RoomAdversary(new Random(1));
    let obs = env.reset(5);
    const corner = [obs[2], obs[3]].map((g) => (1 - Math.round(g)) * (L - 1));
    let rewards = 0;
    for (let t = 0; t < 100; t++) {
      const r = env.step(adversary.act(obs));
      obs = r.obs;
      rewards += r.reward;
    }
    expect([cell(obs[0]), cell(obs[1])]).toEqual(corner);
    expect(rewards).toBeCloseTo(-0.1, 9);
  });

  it("continues identically after getState/setState", () => {
    const a = make("Room-v21");
    a.reset(7);
    for (let i = 0; i < 37; i++) a.step(i % 4);
    const state = JSON.parse(JSON.stringify(a.getState()));
    const b = make("Room-v21");
    b.reset(99);
    b.setState(state);
    for (let i = 0; i < 200; i++) {
      const ra = a.step(i % 3);
      const oa = [...ra.obs, ra.truncated];
      if (ra.truncated) a.reset();
      const rb = b.step(i % 3);
      expect([...rb.obs, rb.truncated]).toEqual(oa);
      if (rb.truncated) b.reset();
    }
  });
});

describe("Hallway", () => {
  it("Hallway-v0: 17 cells, start at 6, goal at 16", () => {
    const env = make("Hallway-v0");
    let obs = env.reset();
    expect(obs[0]).toBeCloseTo(6 / 16, 7);
    let r = env.step(1);
    expect(r.obs[0]).toBeCloseTo(5 / 16, 7);
    for (let i = 0; i < 11; i++) r = env.step(0); // 5 -> 16
    expect(r.obs[0]).toBe(1);
    expect(r.reward).toBe(1);
    r = env.step(0);
    expect([r.obs[0], r.reward, r.terminated]).toEqual([1, 1, false]);
    obs = env.reset();
    expect(obs[0]).toBeCloseTo(6 / 16, 7);
    expect(env.maxEpisodeSteps).toBe(200);
  });

  it("Hallway-v1: 17x7, start [6, 3], actions 4 and 5 do nothing, terminateOnGoal ends the episode", () => {
    const env = make("Hallway-v1", { terminateOnGoal: true });
    const obs = env.reset();
    expect([obs[0] * 16, obs[1] * 6]).toEqual([6, 3]);
    expect([...env.step(4).obs]).toEqual([...obs]);
    expect([...env.step(5).obs]).toEqual([...obs]);
    let r = env.step(0);
    for (let i = 0; i < 9; i++) r = env.step(0);
    expect([r.reward, r.terminated]).toEqual([1, true]);
  });
});

describe("CartPole-v1", () => {
  it("follows Gymnasium's Euler dynamics (values computed independently in double precision)", () => {
    const env = new CartPole();
    env.reset(0);
    env.setState({ state: [0, 0, 0.1, 0], done: false, rng: new Random(0).getState() });
    const expected = [
      [0.0, 0.19355619172742766, 0.1, -0.25953280098204656],
      [0.0038711238345485533, 0.38711893916847495, 0.09480934398035908, -0.5190753864076301],
      [0.011613502617918051, 0.19079903833745016, 0.08442783625220647, -0.1980858490744739],
      [0.015429483384667054, 0.3846182951928533, 0.080466119270717, -0.4629868774573809],
    ];
    [1, 1, 0, 1].forEach((a, t) => {
      const r = env.step(a);
      expected[t].forEach((v, i) => expect(env.state[i]).toBeCloseTo(v, 14));
      expect(r.obs[2]).toBe(Math.fround(expected[t][2]));
      expect([r.reward, r.terminated]).toEqual([1, false]);
    });
  });

  it("terminates past 12 degrees with reward 1 on that step, and resets within +-0.05", () => {
    const env = make("CartPole-v1");
    const obs = env.reset(4);
    for (const v of obs) expect(Math.abs(v)).toBeLessThanOrEqual(0.05);
    let steps = 0;
    let r;
    do {
      r = env.step(1);
      steps++;
    } while (!r.terminated && !r.truncated);
    expect(r.terminated).toBe(true);
    expect(r.reward).toBe(1);
    expect(steps).toBeLessThan(30);
  });

  it("truncates at 500 steps", () => {
    const env = make("CartPole-v1", { maxEpisodeSteps: 3 });
    env.reset(0);
    expect([env.step(0).truncated, env.step(1).truncated, env.step(0).truncated]).toEqual([false, false, true]);
    expect(make("CartPole-v1").maxEpisodeSteps).toBe(500);
  });
});

describe("Pendulum-v1", () => {
  it("follows Gymnasium's dynamics and cost, clipping the torque (values computed independently)", () => {
    const env = new Pendulum();
    env.reset(0);
    env.setState({ theta: 1.0, thetaDot: 0.5, rng: new Random(0).getState() });
    const expected = [
      [1.0678051619302962, 1.3561032386059226, -1.02725],
      [1.1534657462597302, 1.713211686588682, -1.3281094632207342],
      [1.274907861944184, 2.4288423136890778, -1.62403265610092],
    ];
    [1.5, -3, 0.2].forEach((u, t) => {
      const r = env.step(Float32Array.of(u));
      expect(env.theta).toBeCloseTo(expected[t][0], 6); // the action is float32
      expect(env.thetaDot).toBeCloseTo(expected[t][1], 6);
      expect(r.reward).toBeCloseTo(expected[t][2], 6);
      expect([r.obs[0], r.obs[1]]).toEqual([Math.fround(Math.cos(env.theta)), Math.fround(Math.sin(env.theta))]);
    });
    expect(angleNormalize(3 * Math.PI)).toBeCloseTo(-Math.PI, 12);
  });

  it("resets uniformly, never terminates, and truncates at 200 steps", () => {
    const env = make("Pendulum-v1");
    env.reset(1);
    let r;
    let steps = 0;
    do {
      r = env.step(Float32Array.of(0));
      steps++;
      expect(r.terminated).toBe(false);
    } while (!r.truncated);
    expect(steps).toBe(200);
    expect(env.actionSpace).toMatchObject({ kind: "box", dim: 1 });
  });
});

describe("MountainCarContinuous-v0", () => {
  it("follows Gymnasium's dynamics, with the reward on the unclipped action (values computed independently)", () => {
    const env = new MountainCarContinuous();
    env.reset(0);
    env.setState({ position: -0.5, velocity: 0, rng: new Random(0).getState() });
    const expected = [
      [-0.49867684300416926, 0.0013231569958307428, -0.1],
      [-0.49604042641180685, 0.002636416592362428, -0.4],
      [-0.49436046206152173, 0.0016799643502851025, -0.025],
    ];
    [1, 2, -0.5].forEach((a, t) => {
      const r = env.step(Float32Array.of(a));
      expect(env.position).toBeCloseTo(expected[t][0], 12);
      expect(env.velocity).toBeCloseTo(expected[t][1], 12);
      expect(r.reward).toBeCloseTo(expected[t][2], 12);
    });
  });

  it("terminates at the goal with reward 100 - 0.1 a^2", () => {
    const env = new MountainCarContinuous();
    env.reset(0);
    env.setState({ position: 0.449, velocity: 0.05, rng: new Random(0).getState() });
    const r = env.step(Float32Array.of(1));
    expect(r.terminated).toBe(true);
    expect(r.reward).toBeCloseTo(99.9, 12);
    expect(make("MountainCarContinuous-v0").maxEpisodeSteps).toBe(999);
  });
});

describe("registry", () => {
  it("lists every env with its options", () => {
    const ids = listEnvs().map((e) => e.id);
    expect(ids).toEqual([
      "Room-v3",
      "Room-v6",
      "Room-v21",
      "Room-v27",
      "Room-v33",
      "Hallway-v0",
      "Hallway-v1",
      "CartPole-v1",
      "Pendulum-v1",
      "MountainCarContinuous-v0",
      "HalfCheetah-v4",
      "Hopper-v4",
      "Walker2d-v4",
      "Ant-v4",
    ]);
    expect(listEnvs().find((e) => e.id === "Room-v27")?.maxEpisodeSteps).toBe(150);
  });

  it.each([
    [() => make("Room-v22"), /unknown env "Room-v22" \(did you mean .*\); use one of "Room-v3", .*"CartPole-v1"/],
    [
      () => make("Room-v21", { size: 3 }),
      /Room-v21 has no option "size": its options are one of "maxEpisodeSteps", "length", "dims", "terminateOnGoal"/,
    ],
    [() => make("Room-v21", { length: 1 }), /option length must be an integer >= 2, got 1/],
    [() => make("Hallway-v0", { terminateOnGoal: "yes" }), /must be true or false, got "yes"/],
  ])("rejects bad ids and options with a clear message (%#)", (f, message) => {
    expect(f).toThrow(UserError);
    expect(f).toThrow(message);
  });

  it("wraps envs in their TimeLimit", () => {
    const env = make("Room-v3");
    expect(env).toBeInstanceOf(TimeLimit);
    expect((env as TimeLimit).inner).toBeInstanceOf(Room);
    expect(env.maxEpisodeSteps).toBe(20);
  });
});
