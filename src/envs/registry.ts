/**
 * The env registry: `make(id, options)` as Gymnasium's `gym.make`, with the id's step limit applied by a TimeLimit,
 * and `listEnvs()`. Unknown ids and options fail with one message that lists what exists.
 *
 * MuJoCo tasks need their engine loaded in the thread first (it loads asynchronously): `await prepareEnv(id)`
 * before `make(id)`; for other envs it does nothing. `registerEnv` adds an env of your own.
 */
import { UserError, didYouMean, oneOf } from "../core/errors.js";
import { TimeLimit, type Env } from "./env.js";
import { CartPole } from "./classic/cartpole.js";
import { MountainCarContinuous } from "./classic/mountain-car-continuous.js";
import { Pendulum } from "./classic/pendulum.js";
import { Hallway } from "./room/hallway.js";
import { Room } from "./room/room.js";
import { Ant, ANT_DEFAULTS } from "./mujoco/ant.js";
import { loadMujoco } from "./mujoco/engine.js";
import { HalfCheetah, HALF_CHEETAH_DEFAULTS } from "./mujoco/half-cheetah.js";
import { HOPPER_DEFAULTS, PlanarWalker, WALKER2D_DEFAULTS, type PlanarWalkerOptions } from "./mujoco/planar-walker.js";

/** An interval option: [low, high], null for an unbounded side. */
type RangeValue = readonly [number | null, number | null];
export type OptionValue = number | boolean | RangeValue;
/** The options an env accepts: name -> kind and default (shown by `peerlearn list envs`). */
export type OptionSpec = Record<
  string,
  { readonly kind: "integer" | "number" | "boolean" | "range"; readonly default: OptionValue; readonly min?: number }
>;
type Resolved = Record<string, OptionValue>;
export type ActionKind = "discrete" | "continuous";

/** An env as the registry knows it: `create` gets its options resolved (defaults filled in, values checked). */
export interface EnvSpec {
  readonly id: string;
  readonly description: string;
  readonly maxEpisodeSteps: number;
  readonly options: OptionSpec;
  readonly create: (options: Resolved) => Env;
  /** Its action space's kind, so configs are checked without making the env (found by making one when left out). */
  readonly actions?: ActionKind;
  /** Loads what `create` needs and cannot load synchronously. */
  readonly prepare?: () => Promise<unknown>;
}

const maxSteps = (steps: number): OptionSpec[string] => ({ kind: "integer", default: steps, min: 1 });

function room(length: number, steps: number): EnvSpec {
  return {
    id: `Room-v${length}`,
    description: `${length}x${length} grid, goal on the border, ${steps} steps`,
    maxEpisodeSteps: steps,
    actions: "discrete",
    options: {
      maxEpisodeSteps: maxSteps(steps),
      length: { kind: "integer", default: length, min: 2 },
      dims: { kind: "integer", default: 2, min: 1 },
      terminateOnGoal: { kind: "boolean", default: false },
    },
    create: (o) =>
      new Room(`Room-v${length}`, {
        length: o.length as number,
        dims: o.dims as number,
        terminateOnGoal: o.terminateOnGoal as boolean,
      }),
  };
}

/** Options of a MuJoCo task, from its defaults: numbers (>= 0 for scales), booleans and ranges. */
function mujocoOptions(defaults: object): OptionSpec {
  const spec: OptionSpec = { maxEpisodeSteps: maxSteps(1000) };
  for (const [key, value] of Object.entries(defaults) as [string, OptionValue | null][]) {
    if (value === null) continue; // an option the task does not have (Walker2d's state range)
    const kind = typeof value === "boolean" ? "boolean" : typeof value === "number" ? "number" : "range";
    spec[key] = { kind, default: value, ...(/Scale|Weight$/.test(key) ? { min: 0 } : {}) };
  }
  return spec;
}

function planarWalker(id: "Hopper-v4" | "Walker2d-v4", defaults: PlanarWalkerOptions, description: string): EnvSpec {
  return {
    id,
    description,
    maxEpisodeSteps: 1000,
    actions: "continuous",
    options: mujocoOptions(defaults),
    create: (o) => new PlanarWalker(id, { ...defaults, ...o } as PlanarWalkerOptions),
    prepare: loadMujoco,
  };
}

const SPECS: EnvSpec[] = [
  room(3, 20),
  room(6, 50),
  room(21, 100),
  room(27, 150),
  room(33, 250),
  {
    id: "Hallway-v0",
    actions: "discrete",
    description: "17 cells in a line, goal at the end, 200 steps",
    maxEpisodeSteps: 200,
    options: { maxEpisodeSteps: maxSteps(200), terminateOnGoal: { kind: "boolean", default: false } },
    create: (o) =>
      new Hallway("Hallway-v0", { size: [17], numActions: 2, terminateOnGoal: o.terminateOnGoal as boolean }),
  },
  {
    id: "Hallway-v1",
    actions: "discrete",
    description: "17x7 cells, 6 actions (2 do nothing), goal at the far end, 300 steps",
    maxEpisodeSteps: 300,
    options: { maxEpisodeSteps: maxSteps(300), terminateOnGoal: { kind: "boolean", default: false } },
    create: (o) =>
      new Hallway("Hallway-v1", { size: [17, 7], numActions: 6, terminateOnGoal: o.terminateOnGoal as boolean }),
  },
  {
    id: "CartPole-v1",
    actions: "discrete",
    description: "Gymnasium's cart-pole balancing, 500 steps",
    maxEpisodeSteps: 500,
    options: { maxEpisodeSteps: maxSteps(500) },
    create: () => new CartPole(),
  },
  {
    id: "Pendulum-v1",
    actions: "continuous",
    description: "Gymnasium's torque-limited pendulum swing-up, continuous, 200 steps",
    maxEpisodeSteps: 200,
    options: { maxEpisodeSteps: maxSteps(200), g: { kind: "number", default: 10 } },
    create: (o) => new Pendulum("Pendulum-v1", o.g as number),
  },
  {
    id: "MountainCarContinuous-v0",
    actions: "continuous",
    description: "Gymnasium's continuous mountain car, 999 steps",
    maxEpisodeSteps: 999,
    options: { maxEpisodeSteps: maxSteps(999), goalVelocity: { kind: "number", default: 0 } },
    create: (o) => new MountainCarContinuous("MountainCarContinuous-v0", o.goalVelocity as number),
  },
  {
    id: "HalfCheetah-v4",
    actions: "continuous",
    description: "MuJoCo planar cheetah running forward (Gymnasium v4), 1000 steps",
    maxEpisodeSteps: 1000,
    options: mujocoOptions(HALF_CHEETAH_DEFAULTS),
    create: (o) => new HalfCheetah({ ...HALF_CHEETAH_DEFAULTS, ...o } as typeof HALF_CHEETAH_DEFAULTS),
    prepare: loadMujoco,
  },
  planarWalker("Hopper-v4", HOPPER_DEFAULTS, "MuJoCo one-legged hopper (Gymnasium v4), 1000 steps"),
  planarWalker("Walker2d-v4", WALKER2D_DEFAULTS, "MuJoCo planar biped walker (Gymnasium v4), 1000 steps"),
  {
    id: "Ant-v4",
    actions: "continuous",
    description: "MuJoCo quadruped moving in +x (Gymnasium v4), 1000 steps",
    maxEpisodeSteps: 1000,
    options: mujocoOptions(ANT_DEFAULTS),
    create: (o) => new Ant({ ...ANT_DEFAULTS, ...o } as typeof ANT_DEFAULTS),
    prepare: loadMujoco,
  },
];

/**
 * Adds an env to the registry, so that `make(id)`, run configs and presets' `env` field accept it. Its options
 * must include `maxEpisodeSteps` (the TimeLimit). Registration is per thread: a worker thread that makes the env
 * (the experiment runner's) must import the module that registers it. An id that exists already is refused.
 */
export function registerEnv(spec: EnvSpec): void {
  if (SPECS.some((s) => s.id === spec.id)) throw new UserError(`env ${JSON.stringify(spec.id)} is registered already`);
  if (spec.options.maxEpisodeSteps?.kind !== "integer")
    throw new UserError(`env ${JSON.stringify(spec.id)}: its options need maxEpisodeSteps (an integer option)`);
  SPECS.push(spec);
}

export interface EnvInfo {
  readonly id: string;
  readonly description: string;
  readonly maxEpisodeSteps: number;
  readonly options: Record<string, OptionValue>;
}

export function listEnvs(): EnvInfo[] {
  return SPECS.map((s) => ({
    id: s.id,
    description: s.description,
    maxEpisodeSteps: s.maxEpisodeSteps,
    options: Object.fromEntries(Object.entries(s.options).map(([k, v]) => [k, v.default])),
  }));
}

function spec(id: string): EnvSpec {
  const found = SPECS.find((s) => s.id === id);
  if (!found)
    throw new UserError(
      `unknown env ${JSON.stringify(id)}${didYouMean(
        id,
        SPECS.map((s) => s.id),
      )}; use ${oneOf(SPECS.map((s) => s.id))}`,
    );
  return found;
}

/** Checks options against the env's list and fills in defaults. */
export function resolveEnvOptions(id: string, options: Record<string, unknown> = {}): Resolved {
  const s = spec(id);
  const resolved: Resolved = {};
  for (const key of Object.keys(options)) {
    if (!(key in s.options))
      throw new UserError(
        `${id} has no option ${JSON.stringify(key)}: its options are ${oneOf(Object.keys(s.options))}`,
      );
  }
  for (const [key, o] of Object.entries(s.options)) {
    const v = options[key] ?? o.default;
    if (!optionValueOk(o, v))
      throw new UserError(`${id} option ${key} must be ${allowedText(o)}, got ${JSON.stringify(v)}`);
    resolved[key] = v as OptionValue;
  }
  return resolved;
}

function optionValueOk(o: OptionSpec[string], v: unknown): boolean {
  const min = o.min ?? -Infinity;
  switch (o.kind) {
    case "boolean":
      return typeof v === "boolean";
    case "number":
      return typeof v === "number" && Number.isFinite(v) && v >= min;
    case "integer":
      return Number.isInteger(v) && (v as number) >= min;
    case "range": {
      if (!Array.isArray(v) || v.length !== 2) return false;
      const [low, high] = v as unknown[];
      const side = (x: unknown): boolean => x === null || (typeof x === "number" && Number.isFinite(x));
      return side(low) && side(high) && (low === null || high === null || (low as number) <= (high as number));
    }
  }
}

function allowedText(o: OptionSpec[string]): string {
  switch (o.kind) {
    case "boolean":
      return "true or false";
    case "number":
      return o.min === undefined ? "a finite number" : `a finite number >= ${o.min}`;
    case "integer":
      return `an integer >= ${o.min}`;
    case "range":
      return "[low, high] with low <= high (null for an unbounded side)";
  }
}

/** Loads what `make(id)` needs (the MuJoCo engine for MuJoCo tasks); call once per thread before make. */
export async function prepareEnv(id: string): Promise<void> {
  await spec(id).prepare?.();
}

/** The kind of an env's actions; null when only making it would tell and it is not ready to be made. */
export function envActions(id: string, options: Record<string, unknown> = {}): ActionKind | null {
  const s = spec(id);
  if (s.actions) return s.actions;
  try {
    return make(id, options).actionSpace.kind === "discrete" ? "discrete" : "continuous";
  } catch (e) {
    if (e instanceof UserError) throw e;
    return null; // not prepared (prepareEnv not awaited yet): the group's construction checks it
  }
}

/** Creates an env by id, wrapped in its TimeLimit. */
export function make(id: string, options: Record<string, unknown> = {}): Env {
  const s = spec(id);
  const resolved = resolveEnvOptions(id, options);
  return new TimeLimit(s.create(resolved), resolved.maxEpisodeSteps as number);
}
