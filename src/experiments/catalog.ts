/**
 * The paper's tables and figures as experiments: which methods run on which tasks, with how many seeds, and the
 * paper's numbers to print beside ours. `peerlearn experiment <name>` runs one; `--budget F` scales the steps.
 */
import { UserError, oneOf } from "../core/errors.js";
import { MUJOCO_TASKS } from "../agents/config.js";
import type { GroupRunConfig } from "../peers/config.js";
import {
  PAPER_TASKS,
  ROOM_TASKS,
  TABLE1_METHODS,
  TABLE2_METHODS,
  EVIDENCE_METHODS,
  PRECISION_METHODS,
  findMethod,
  groupOf,
  methodConfig,
  type Method,
  type Variant,
} from "../peers/presets.js";

export interface Experiment {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly tasks: readonly string[];
  readonly methods: (task: string) => readonly Method[];
  /** Seeds the paper used. */
  readonly paperSeeds: number;
  /** The paper's result per task and method id (average reward over time, as printed), where it gives one. */
  readonly paper: Record<string, Record<string, string>>;
  /** Notes printed under the report's table: where and why ours is expected to differ from the paper. */
  readonly notes: readonly string[];
  /** Extra plots of the report: follow counts (Fig. 6) or performance over group size (Fig. 7). */
  readonly plots: readonly ("curves" | "follow" | "groupSize" | "normalised")[];
}

/** Table 1, average reward over time, mean +- std over seeds (the paper's Table 1). */
const TABLE1_PAPER: Record<string, Record<string, string>> = {
  "HalfCheetah-v4": {
    "peer-learning": "9014 ± 715",
    "single-agent": "9270 ± 247",
    "early-advice": "7553 ± 1284",
    "random-advice": "9129 ± 504",
  },
  "Walker2d-v4": {
    "peer-learning": "2160 ± 346",
    "single-agent": "1558 ± 489",
    "early-advice": "248 ± 245",
    "random-advice": "1970 ± 526",
  },
  "Ant-v4": {
    "peer-learning": "2459 ± 667",
    "single-agent": "2694 ± 660",
    "early-advice": "-2222 ± 114",
    "random-advice": "2109 ± 632",
  },
  "Hopper-v4": {
    "peer-learning": "2123 ± 963",
    "single-agent": "2059 ± 666",
    "early-advice": "549 ± 381",
    "random-advice": "2483 ± 87",
  },
  "Room-v21": {
    "peer-learning": "72 ± 8",
    "single-agent": "46 ± 16",
    "early-advice": "12 ± 4",
    "random-advice": "68 ± 10",
    lectr: "15 ± 3",
  },
  "Room-v27": {
    "peer-learning": "58 ± 11",
    "single-agent": "32 ± 13",
    "early-advice": "8 ± 5",
    "random-advice": "69 ± 11",
    lectr: "5 ± 2",
  },
};

/**
 * Table 2, normalised 0-100 and averaged over the 4 MuJoCo tasks. The text we have lists one number for C: we
 * read it as the without-advantage value and leave C with advantage blank.
 */
const TABLE2_PAPER: Record<string, string> = {
  act: "66.2",
  "act-adv": "67.1",
  ac: "64.9",
  "ac-adv": "67.1",
  at: "68.2",
  "at-adv": "65.8",
  ct: "65.7",
  "ct-adv": "64.7",
  c: "65.4",
  a: "66.4",
  "a-adv": "64.3",
  t: "66.4",
  "t-adv": "62.6",
  "single-agent": "59.7",
  "random-advice": "65.0",
};

/** LeCTR joins Table 1 on the Room tasks (it needs discrete actions). */
function table1Methods(task: string): readonly Method[] {
  return task.startsWith("Room-") ? [...TABLE1_METHODS, findMethod("lectr")] : TABLE1_METHODS;
}

const LECTR_NOTE =
  "LeCTR has no public reference code for this setting; ours is written from the LeCTR paper (docs/peer-learning.md, LeCTR). It differs from the paper's LeCTR in two ways that raise its score: its students take their DQN's epsilon-greedy action when not advised, so its peers explore while the faithful peer-learning and single-agent peers do not, and a run is one LeCTR session, without LeCTR's resets of the task learners between sessions. Compare it with the corrected (exploring) single agent.";
const FAITHFUL_NOTE =
  "Faithful variant: a DQN peer's own suggestion is its greedy action, so faithful DQN peers (and the single agent) explore only in their 100 warm-up steps, as in the published code; --variant corrected fixes that.";

export const EXPERIMENTS: readonly Experiment[] = [
  {
    name: "table1",
    title: "Table 1: peer learning against the baselines",
    description: "6 tasks x peer learning / single agent / early advice / random advice (+ LeCTR on Room)",
    tasks: PAPER_TASKS,
    methods: table1Methods,
    paperSeeds: 10,
    paper: TABLE1_PAPER,
    notes: [FAITHFUL_NOTE, LECTR_NOTE],
    plots: ["curves"],
  },
  {
    name: "evidence",
    title: "Does peer learning help? Peer learning against fair single-agent baselines",
    description:
      "Room-v21, Room-v27 x peer learning and random advice vs the single agent, faithful and corrected, per agent and at equal total samples",
    tasks: ROOM_TASKS,
    methods: () => EVIDENCE_METHODS,
    paperSeeds: 10,
    paper: { "Room-v21": TABLE1_PAPER["Room-v21"], "Room-v27": TABLE1_PAPER["Room-v27"] },
    notes: [
      "Each method keeps its own form whatever --variant says: `-corrected` ids are corrected, the others faithful; the equal-samples single agent explores (corrected) and trains for all the group's env steps (2 x steps per peer).",
    ],
    plots: ["curves"],
  },
  {
    name: "precision",
    title: "Does it still learn in bf16? Matrix products in bf16 against fp32",
    description:
      "Room-v21 peer learning and HalfCheetah-v4 single-agent SAC, each in fp32 and in bf16 (needs a CPU with AVX512-BF16)",
    tasks: ["Room-v21", "HalfCheetah-v4"],
    methods: PRECISION_METHODS,
    paperSeeds: 10,
    paper: {},
    notes: [
      "bf16: the native kernels' blocked matrix products take bf16 inputs (rounded to nearest even) and accumulate in fp32; master weights, Adam's state, thin products and element-wise work stay fp32 (docs/benchmarks.md).",
    ],
    plots: ["curves"],
  },
  {
    name: "table2",
    title: "Table 2: mechanism combinations, without and with advantage",
    description:
      "4 MuJoCo tasks x (7 combinations of A/C/T x advantage off/on, single agent, random advice), normalised 0-100",
    tasks: MUJOCO_TASKS,
    methods: () => TABLE2_METHODS,
    paperSeeds: 5,
    paper: { "mean over tasks": TABLE2_PAPER },
    notes: [
      "The paper does not say how it normalised; here each task's method means map to 0-100 (lowest 0, highest 100), averaged over tasks.",
    ],
    plots: ["normalised", "curves"],
  },
  {
    name: "fig4",
    title: "Fig. 4: a group with an adversarial peer",
    description: "Room-v21: 2 DQN peers + 1 adversary (all mechanisms, advantage) vs single agent",
    tasks: ["Room-v21"],
    methods: () => [findMethod("adversarial"), findMethod("single-agent")],
    paperSeeds: 10,
    paper: {},
    notes: [FAITHFUL_NOTE],
    plots: ["curves", "follow"],
  },
  {
    name: "fig5",
    title: "Fig. 5: peer learning vs LeCTR vs single agent on Room-v21",
    description: "Room-v21: peer learning, LeCTR and the single agent, curves with standard-error bands",
    tasks: ["Room-v21"],
    methods: () => [findMethod("peer-learning"), findMethod("lectr"), findMethod("single-agent")],
    paperSeeds: 10,
    paper: { "Room-v21": TABLE1_PAPER["Room-v21"] },
    notes: [FAITHFUL_NOTE, LECTR_NOTE],
    plots: ["curves"],
  },
  {
    name: "fig6",
    title: "Fig. 6: a study group with an expert and a novice",
    description:
      "Room-v21: 2 training peers + non-training expert + non-training novice; curves beside accepted advice",
    tasks: ["Room-v21"],
    methods: () => [findMethod("study-group")],
    paperSeeds: 1,
    paper: {},
    notes: [
      "The non-training expert here is the scripted Room expert, which is never overtaken; the paper's was a non-training agent (use a frozen peer for that).",
    ],
    plots: ["curves", "follow"],
  },
  {
    name: "fig7",
    title: "Fig. 7: group size",
    description: "Hopper-v4: 2, 4, 8 and 10 SAC peers, 600k steps per peer",
    tasks: ["Hopper-v4"],
    methods: () => [2, 4, 8, 10].map(groupOf),
    paperSeeds: 10,
    paper: {},
    notes: ["As the published commands: all mechanisms without advantage, 600k steps per peer."],
    plots: ["groupSize", "curves"],
  },
];

export function findExperiment(name: string): Experiment {
  const e = EXPERIMENTS.find((x) => x.name === name);
  if (!e)
    throw new UserError(`unknown experiment ${JSON.stringify(name)}: use ${oneOf(EXPERIMENTS.map((x) => x.name))}`);
  return e;
}

/**
 * Scales a config's budget by `factor` (steps per peer). Evaluations stay every 10k steps unless that would give
 * fewer than 10 (then steps / 10); checkpoints likewise. Epochs keep their length unless fewer than 10 would fit;
 * a limit on advised epochs (Early Advising) scales with the number of epochs, so the advised share of training
 * stays the paper's.
 */
export function scaleBudget(config: GroupRunConfig, factor: number): GroupRunConfig {
  if (!(factor > 0) || !Number.isFinite(factor))
    throw new UserError(`--budget must be a positive number, got ${factor}`);
  if (factor === 1) return config;
  const steps = Math.max(100, Math.round(config.steps * factor));
  const tenth = Math.max(10, Math.floor(steps / 10));
  const g = config.group;
  const minEpochLength = g.minEpochLength > 0 ? Math.min(g.minEpochLength, tenth) : 0;
  const epochsBefore = g.minEpochLength > 0 ? config.steps / g.minEpochLength : Infinity;
  const epochsAfter = minEpochLength > 0 ? steps / minEpochLength : Infinity;
  // A budget of epochs: Early Advising's. With fixed-length epochs it scales by the change in epoch count; with
  // one-episode epochs (minEpochLength 0) by the change in steps.
  const limited = g.maxPeerEpochs < 1e7;
  const ratio = Number.isFinite(epochsBefore) ? epochsAfter / epochsBefore : steps / config.steps;
  const maxPeerEpochs = limited ? Math.max(1, Math.round(g.maxPeerEpochs * ratio)) : g.maxPeerEpochs;
  return {
    ...config,
    steps,
    evalFreq: Math.min(config.evalFreq, tenth),
    checkpointFreq: config.checkpointFreq > 0 ? Math.min(config.checkpointFreq, tenth) : 0,
    group: { ...g, minEpochLength, maxPeerEpochs },
  };
}

export interface RunSpec {
  readonly experiment: string;
  readonly task: string;
  readonly method: string;
  readonly label: string;
  readonly seed: number;
  /** Folder of the run, relative to the experiment's folder. */
  readonly dir: string;
  readonly config: GroupRunConfig;
  /** Env steps of all acting peers: the run's cost. */
  readonly cost: number;
}

export interface ExperimentOptions {
  readonly tasks?: readonly string[];
  readonly seeds: number;
  readonly budget: number;
  readonly variant: Variant;
}

/**
 * Env steps per second of one group run on one core, for cost estimates: measured with this project on a 2-core
 * AMD EPYC (Room-v21 DQN peers, published settings: ~600; MuJoCo SAC peers, [150, 200], one update per step: ~220).
 */
export function stepsPerSecondEstimate(task: string): number {
  return task.startsWith("Room-") ? 600 : 220;
}

/** Acting peers of a config (scripted peers act but do not learn; they cost env steps too). */
export function actingPeers(config: GroupRunConfig): number {
  return config.peers.length;
}

/** Every (task, method, seed) run of an experiment, in the order they should run (costliest first, for balance). */
export function planRuns(e: Experiment, o: ExperimentOptions): RunSpec[] {
  const tasks = o.tasks ?? e.tasks;
  for (const t of tasks)
    if (!e.tasks.includes(t)) throw new UserError(`${e.name} has no task ${JSON.stringify(t)}: use ${oneOf(e.tasks)}`);
  if (!Number.isInteger(o.seeds) || o.seeds < 1)
    throw new UserError(`--seeds must be a positive integer, got ${o.seeds}`);
  const runs: RunSpec[] = [];
  for (const task of tasks) {
    for (const m of e.methods(task)) {
      const base = scaleBudget(methodConfig(m, task, o.variant), o.budget);
      for (let seed = 0; seed < o.seeds; seed++) {
        const config = { ...base, seed };
        runs.push({
          experiment: e.name,
          task,
          method: m.id,
          label: m.label,
          seed,
          dir: `${task}/${m.id}/seed-${seed}`,
          config,
          cost: config.steps * actingPeers(config),
        });
      }
    }
  }
  return runs.sort((a, b) => b.cost - a.cost);
}
