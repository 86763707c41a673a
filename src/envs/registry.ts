/**
 * The env registry: `make(id, options)` as Gymnasium's `gym.make`, with the id's step limit applied by a TimeLimit,
 * and `listEnvs()`. Unknown ids and options fail with one message that lists what exists.
 */
import { UserError, oneOf } from "../core/errors.js";
import { TimeLimit, type Env } from "./env.js";
import { CartPole } from "./classic/cartpole.js";
import { MountainCarContinuous } from "./classic/mountain-car-continuous.js";
import { Pendulum } from "./classic/pendulum.js";
import { Hallway } from "./room/hallway.js";
import { Room } from "./room/room.js";

/** The options an env accepts: name -> kind and default (shown by `peerlearn list envs`). */
type OptionSpec = Record<string, { readonly kind: "integer" | "number" | "boolean"; readonly default: number | boolean; readonly min?: number }>;
type Resolved = Record<string, number | boolean>;

interface EnvSpec {
  readonly id: string;
  readonly description: string;
  readonly maxEpisodeSteps: number;
  readonly options: OptionSpec;
  readonly create: (options: Resolved) => Env;
}

const maxSteps = (steps: number): OptionSpec[string] => ({ kind: "integer", default: steps, min: 1 });

function room(length: number, steps: number): EnvSpec {
  return {
    id: `Room-v${length}`,
    description: `${length}x${length} grid, goal on the border, ${steps} steps`,
    maxEpisodeSteps: steps,
    options: { maxEpisodeSteps: maxSteps(steps), length: { kind: "integer", default: length, min: 2 }, dims: { kind: "integer", default: 2, min: 1 }, terminateOnGoal: { kind: "boolean", default: false } },
    create: (o) => new Room(`Room-v${length}`, { length: o.length as number, dims: o.dims as number, terminateOnGoal: o.terminateOnGoal as boolean }),
  };
}

const SPECS: readonly EnvSpec[] = [
  room(3, 20),
  room(6, 50),
  room(21, 100),
  room(27, 150),
  room(33, 250),
  {
    id: "Hallway-v0",
    description: "17 cells in a line, goal at the end, 200 steps",
    maxEpisodeSteps: 200,
    options: { maxEpisodeSteps: maxSteps(200), terminateOnGoal: { kind: "boolean", default: false } },
    create: (o) => new Hallway("Hallway-v0", { size: [17], numActions: 2, terminateOnGoal: o.terminateOnGoal as boolean }),
  },
  {
    id: "Hallway-v1",
    description: "17x7 cells, 6 actions (2 do nothing), goal at the far end, 300 steps",
    maxEpisodeSteps: 300,
    options: { maxEpisodeSteps: maxSteps(300), terminateOnGoal: { kind: "boolean", default: false } },
    create: (o) => new Hallway("Hallway-v1", { size: [17, 7], numActions: 6, terminateOnGoal: o.terminateOnGoal as boolean }),
  },
  {
    id: "CartPole-v1",
    description: "Gymnasium's cart-pole balancing, 500 steps",
    maxEpisodeSteps: 500,
    options: { maxEpisodeSteps: maxSteps(500) },
    create: () => new CartPole(),
  },
  {
    id: "Pendulum-v1",
    description: "Gymnasium's torque-limited pendulum swing-up, continuous, 200 steps",
    maxEpisodeSteps: 200,
    options: { maxEpisodeSteps: maxSteps(200), g: { kind: "number", default: 10 } },
    create: (o) => new Pendulum("Pendulum-v1", o.g as number),
  },
  {
    id: "MountainCarContinuous-v0",
    description: "Gymnasium's continuous mountain car, 999 steps",
    maxEpisodeSteps: 999,
    options: { maxEpisodeSteps: maxSteps(999), goalVelocity: { kind: "number", default: 0 } },
    create: (o) => new MountainCarContinuous("MountainCarContinuous-v0", o.goalVelocity as number),
  },
];

export interface EnvInfo {
  readonly id: string;
  readonly description: string;
  readonly maxEpisodeSteps: number;
  readonly options: Record<string, number | boolean>;
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
  if (!found) throw new UserError(`unknown env ${JSON.stringify(id)}: use ${oneOf(SPECS.map((s) => s.id))}`);
  return found;
}

/** Checks options against the env's list and fills in defaults. */
export function resolveEnvOptions(id: string, options: Record<string, unknown> = {}): Resolved {
  const s = spec(id);
  const resolved: Resolved = {};
  for (const key of Object.keys(options)) {
    if (!(key in s.options)) throw new UserError(`${id} has no option ${JSON.stringify(key)}: its options are ${oneOf(Object.keys(s.options))}`);
  }
  for (const [key, o] of Object.entries(s.options)) {
    const v = options[key] ?? o.default;
    const ok = o.kind === "boolean" ? typeof v === "boolean" : o.kind === "number" ? typeof v === "number" && Number.isFinite(v) : Number.isInteger(v) && (v as number) >= (o.min ?? -Infinity);
    if (!ok) {
      const allowed = o.kind === "boolean" ? "true or false" : o.kind === "number" ? "a finite number" : `an integer >= ${o.min}`;
      throw new UserError(`${id} option ${key} must be ${allowed}, got ${JSON.stringify(v)}`);
    }
    resolved[key] = v as number | boolean;
  }
  return resolved;
}

/** Creates an env by id, wrapped in its TimeLimit. */
export function make(id: string, options: Record<string, unknown> = {}): Env {
  const s = spec(id);
  const resolved = resolveEnvOptions(id, options);
  return new TimeLimit(s.create(resolved), resolved.maxEpisodeSteps as number);
}
