/**
 * The MuJoCo engine, through the official WebAssembly build (npm package `mujoco`, engine 3.5.1).
 *
 * The package's own typings say `any` for every array; this module states the few members peerlearn uses, so the
 * rest of the code is typed. Loading is asynchronous (it compiles an 8.6 MB wasm module, ~150 ms) and happens once
 * per thread, on demand: `await loadMujoco()` (or `prepareEnv` in the registry) before `make` of a MuJoCo env.
 *
 * Memory: embind handles are not garbage-collected. Every model and data object created here is deleted by its
 * owner (`MujocoEnv.close` frees its data; shared models live as long as the thread); the spec is deleted right
 * after compiling.
 */
import { readFileSync } from "node:fs";
import { UserError } from "../../core/errors.js";

interface Handle {
  delete(): void;
}

export interface MjModel extends Handle {
  readonly nq: number;
  readonly nv: number;
  readonly nu: number;
  readonly na: number;
  readonly nbody: number;
  readonly opt: { readonly timestep: number; readonly integrator: number };
  /** nu x 2, row-major (low, high). */
  readonly actuator_ctrlrange: Float64Array;
  readonly body_mass: Float64Array;
  readonly qpos0: Float64Array;
}

/** Array members are views into the engine's (shared, growable) memory: take them once and keep them. */
export interface MjData extends Handle {
  time: number;
  readonly qpos: Float64Array;
  readonly qvel: Float64Array;
  readonly act: Float64Array;
  readonly ctrl: Float64Array;
  readonly qacc_warmstart: Float64Array;
  /** nbody x 3 body-frame origins in world coordinates. */
  readonly xpos: Float64Array;
  /** nbody x 6 external (contact) forces, [torque, force], filled by mj_rnePostConstraint. */
  readonly cfrc_ext: Float64Array;
}

/** A parsed model (MjSpec) before compiling. */
type MjSpec = Handle;

export interface MujocoModule {
  mj_versionString(): string;
  parseXMLString(xml: string): MjSpec;
  mj_compile(spec: MjSpec): MjModel;
  MjData: new (model: MjModel) => MjData;
  mj_step(model: MjModel, data: MjData): void;
  mj_forward(model: MjModel, data: MjData): void;
  mj_resetData(model: MjModel, data: MjData): void;
  mj_rnePostConstraint(model: MjModel, data: MjData): void;
}

let engine: MujocoModule | undefined;
let loading: Promise<MujocoModule> | undefined;

/** Loads the engine of this thread (once; later calls return the same module). */
export function loadMujoco(): Promise<MujocoModule> {
  loading ??= import("mujoco").then(async (pkg) => {
    const factory = pkg.default as unknown as () => Promise<MujocoModule>;
    engine = await factory();
    return engine;
  });
  return loading;
}

/** The loaded engine; MuJoCo envs are created synchronously, so the engine must be loaded first. */
export function mujoco(): MujocoModule {
  if (!engine) throw new Error("the MuJoCo engine is not loaded: await loadMujoco() (or prepareEnv(id)) before make()");
  return engine;
}

/**
 * Models compiled once per thread and shared by every env of that task (a model is read-only while stepping).
 * They stay for the life of the thread: the package leaks ~40 KB of engine memory on every XML parse (measured with
 * 3.1.16: parse + delete in a loop grows the heap), so recompiling for each env would grow without bound.
 */
const compiled = new Map<string, MjModel>();

/** The compiled model of `models/<name>.xml`, compiled on first use in this thread. */
export function sharedModel(name: string): MjModel {
  let m = compiled.get(name);
  if (!m) {
    m = compileXml(readModelXml(name), name);
    compiled.set(name, m);
  }
  return m;
}

/** The text of a model file shipped with peerlearn (src/envs/mujoco/models, copied beside the built code). */
export function readModelXml(name: string): string {
  return readFileSync(new URL(`./models/${name}.xml`, import.meta.url), "utf8");
}

/** Compiles MJCF text; a malformed model fails with MuJoCo's own message. */
export function compileXml(xml: string, name = "model"): MjModel {
  const mj = mujoco();
  let spec: MjSpec;
  try {
    spec = mj.parseXMLString(xml);
  } catch (e) {
    throw new UserError(`MuJoCo could not read ${name}: ${(e as Error).message}`);
  }
  try {
    return mj.mj_compile(spec);
  } catch (e) {
    throw new UserError(`MuJoCo could not compile ${name}: ${(e as Error).message}`);
  } finally {
    spec.delete();
  }
}
