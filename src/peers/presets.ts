/**
 * A method (methods.ts: peer learning, single agent, random advice, Early Advising, the mechanism combinations
 * of Table 2, ...) applied to a task gives a group run config, in a `faithful` form (as the published code ran
 * it, quirks included) or a `corrected` one. Settings: the published code's Experiments.md. Budgets are the
 * paper's: 1M env steps per peer (600k in the group-size study).
 *
 * Presets (`peerlearn train --preset <task>/<method>[/corrected]`) are the method x task pairs of Table 1 and the
 * figures; experiments (experiments/catalog.ts) group them into tables and figures.
 */
import { UserError, didYouMean } from "../core/errors.js";
import { DQN_DEFAULTS } from "../agents/dqn/dqn.js";
import { MUJOCO_TASKS } from "../agents/config.js";
import { ROOM_DQN } from "../agents/dqn/config.js";
import { paperMujocoSac, sacHyperparameters } from "../agents/sac/config.js";
import { PEER_LEARNING_GROUP, type GroupRunConfig, type GroupSettings, type PeerSpec } from "./config.js";
import {
  NO_MECHANISMS,
  PAPER_TASKS,
  ROOM_TASKS,
  TABLE1_METHODS,
  TABLE2_METHODS,
  adversarial,
  groupOf,
  isRoom,
  lectr,
  mixed,
  sacStudyGroup,
  singleAgentEqualSamples,
  studyGroup,
  withExpert,
  type Method,
  type Variant,
} from "./methods.js";

// The methods are imported from here by much of the project: one place to import presets and methods from.
export * from "./methods.js";

export interface Preset {
  readonly name: string;
  readonly description: string;
  readonly config: GroupRunConfig;
}

/** The group run config of a method on a task, in the paper's settings. */
export function methodConfig(method: Method, task: string, variant: Variant): GroupRunConfig {
  const room = isRoom(task);
  const steps = typeof method.steps === "function" ? method.steps(task) : (method.steps ?? 1_000_000);
  return {
    env: task,
    envOptions: !room && task !== "HalfCheetah-v4" ? { terminateWhenUnhealthy: false } : {},
    steps,
    seed: 0,
    evalFreq: 10_000,
    evalEpisodes: 10,
    checkpointFreq: 10_000,
    variant: method.variant ?? variant,
    peers: method.peers(task),
    ...(room ? { dqn: { ...DQN_DEFAULTS, ...ROOM_DQN, netArch: [256, 256] } } : { sac: paperMujocoSac(task) }),
    group: { ...PEER_LEARNING_GROUP, ...method.group(task) },
    ...method.extra,
  };
}

function buildPresets(): Preset[] {
  const out: Preset[] = [];
  const add = (task: string, m: Method, prefix = `${task.toLowerCase()}/${m.id}`): void => {
    out.push({ name: prefix, description: m.description, config: methodConfig(m, task, "faithful") });
    out.push({
      name: `${prefix}/corrected`,
      description: `${m.id}, corrected: ${m.corrected}`,
      config: methodConfig(m, task, "corrected"),
    });
  };
  for (const task of PAPER_TASKS) for (const m of TABLE1_METHODS) add(task, m);
  for (const task of PAPER_TASKS)
    out.push({
      name: `${task.toLowerCase()}/single-agent/equal-samples`,
      description: singleAgentEqualSamples.description,
      config: methodConfig(singleAgentEqualSamples, task, "corrected"),
    });
  for (const task of ROOM_TASKS) add(task, lectr);
  add("Room-v21", adversarial);
  add("Room-v21", studyGroup);
  add("Room-v21", withExpert);
  for (const task of MUJOCO_TASKS) for (const m of TABLE2_METHODS) if (!TABLE1_METHODS.includes(m)) add(task, m);
  for (const n of [2, 4, 8, 10]) add("Hopper-v4", groupOf(n));
  add("Hopper-v4", mixed);
  add("Hopper-v4", sacStudyGroup, "hopper-v4/study-group");
  // Continuous control with SAC peers on Pendulum (gSDE off, the RL Zoo's settings): a quick check of the group
  // machinery on continuous actions.
  const pendulum = (peers: PeerSpec[], group: Partial<GroupSettings>): GroupRunConfig => ({
    env: "Pendulum-v1",
    envOptions: {},
    steps: 20_000,
    seed: 0,
    evalFreq: 2000,
    evalEpisodes: 10,
    checkpointFreq: 10_000,
    variant: "faithful",
    peers,
    sac: sacHyperparameters("Pendulum-v1", "tuned"),
    group: { ...PEER_LEARNING_GROUP, ...group },
  });
  out.push({
    name: "pendulum-v1/peer-learning",
    description: "2 SAC peers, all mechanisms with advantage, softmax T 1, follow 10 steps, 20k steps",
    config: pendulum([{ kind: "sac" }, { kind: "sac" }], {}),
  });
  out.push({
    name: "pendulum-v1/single-agent",
    description: "one SAC agent as a 1-peer group, 20k steps",
    config: pendulum([{ kind: "sac" }], { ...NO_MECHANISMS, peerPolicy: "epsilonGreedy", temperature: 0 }),
  });
  return out;
}

export const PRESETS: readonly Preset[] = buildPresets();

/** A preset by name; case is ignored (`Room-v21/peer-learning` is `room-v21/peer-learning`). */
export function findPreset(name: string): Preset {
  const p = PRESETS.find((x) => x.name === name.toLowerCase());
  if (!p)
    throw new UserError(
      `unknown preset ${JSON.stringify(name)}${didYouMean(
        name,
        PRESETS.map((x) => x.name),
      )} (\`peerlearn list presets\` lists all ${PRESETS.length})`,
    );
  return structuredClone(p);
}
