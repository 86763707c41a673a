/**
 * The paper's methods as data: peer learning, the single agent, random advice, Early Advising, LeCTR, the mechanism
 * combinations of Table 2, the groups of the figures, and our own (the fair baselines, bf16). Each applied to a task
 * gives a group run config (presets.ts); each exists in a `faithful` and a `corrected` form.
 */
import { UserError, oneOf } from "../core/errors.js";
import { MUJOCO_TASKS } from "../agents/config.js";
import { td3Hyperparameters } from "../agents/td3/config.js";
import { LECTR_DEFAULTS } from "./lectr.js";
import type { GroupRunConfig, GroupSettings, PeerSpec } from "./config.js";

export type Variant = "faithful" | "corrected";

export const NO_MECHANISMS = { critic: false, trust: false, agentValues: false, advantage: false } as const;

/** The paper's tasks: Table 1's six. */
export const ROOM_TASKS = ["Room-v21", "Room-v27"] as const;
export const PAPER_TASKS = [...MUJOCO_TASKS, ...ROOM_TASKS] as const;

export const isRoom = (task: string): boolean => task.startsWith("Room-");

/** Learners of the task: DQN on the Room tasks, SAC on the MuJoCo ones. */
function learners(task: string, n: number): PeerSpec[] {
  return Array.from({ length: n }, () => ({ kind: isRoom(task) ? "dqn" : "sac" }) as PeerSpec);
}

/** The published group size: 2 peers on Room, 4 on MuJoCo. */
const groupSize = (task: string): number => (isRoom(task) ? 2 : 4);

export interface Method {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly peers: (task: string) => PeerSpec[];
  readonly group: (task: string) => Partial<GroupSettings>;
  /** What the corrected form changes, beyond the common corrections (docs/peer-learning.md). */
  readonly corrected: string;
  /** Env steps per peer in the paper (default 1M), or a rule of the task. */
  readonly steps?: number | ((task: string) => number);
  /** A method that exists in one form only (the fair baselines): this variant, whatever an experiment asks. */
  readonly variant?: Variant;
  /** How its steps are counted in reports: per agent (default) or the group's total, for equal-samples baselines. */
  readonly accounting?: "per agent" | "in total";
  /** Fields beside the group settings (LeCTR's settings). */
  readonly extra?: Partial<GroupRunConfig>;
}

const peerLearning: Method = {
  id: "peer-learning",
  label: "peer learning",
  description:
    "critic + trust + agent values with advantage, softmax T 1, follow 10 steps (2 DQN peers on Room, 4 SAC peers on MuJoCo)",
  peers: (t) => learners(t, groupSize(t)),
  group: () => ({}),
  corrected: "DQN peers explore with epsilon; terminal s' in suggestions; warm-up not counted as advice",
};

const singleAgent: Method = {
  id: "single-agent",
  label: "single agent",
  description:
    "one agent as a 1-peer group: a DQN on Room (faithful: its epsilon schedule is never used, so it explores only in its 100 warm-up steps), a SAC on MuJoCo",
  peers: (t) => learners(t, 1),
  group: () => ({ ...NO_MECHANISMS, peerPolicy: "epsilonGreedy", temperature: 0 }),
  corrected: "a single DQN that explores with its epsilon schedule (a SAC: terminal s' and warm-up handling only)",
};

/**
 * The single agent given the group's whole sample budget: N peers x steps env steps, exploring with its epsilon
 * schedule (the corrected DQN), so that a group is compared with one agent that saw as many transitions.
 */
export const singleAgentEqualSamples: Method = {
  ...singleAgent,
  id: "single-agent-equal-samples",
  label: "single agent, equal samples",
  description: "one exploring agent given the whole group's env steps (2 x on Room, 4 x on MuJoCo)",
  steps: (t) => groupSize(t) * 1_000_000,
  variant: "corrected",
  accounting: "in total",
  corrected: "the only form: a single agent that explores with its epsilon schedule, N peers x steps",
};

/** A method in its corrected form only, under its own id (for experiments that set both forms side by side). */
function correctedOnly(m: Method): Method {
  return { ...m, id: `${m.id}-corrected`, label: `${m.label} (corrected)`, variant: "corrected" };
}

const randomAdvice: Method = {
  id: "random-advice",
  label: "random advice",
  description: "peers following a uniformly random peer (softmax over no values), follow 10 steps",
  peers: (t) => learners(t, groupSize(t)),
  group: () => ({ ...NO_MECHANISMS, peerPolicy: "softmax", temperature: 1 }),
  corrected: "DQN peers explore with epsilon",
};

const earlyAdvice: Method = {
  id: "early-advice",
  label: "early advice",
  description:
    "Early Advising: follow 1 step, only other peers; Room: epochs of one 100-step episode, 5000 of them; MuJoCo: 74 epochs",
  peers: (t) => learners(t, groupSize(t)),
  group: (t) => ({
    ...NO_MECHANISMS,
    peerPolicy: "onlyOthers",
    temperature: 0,
    followSteps: 1,
    ...(isRoom(t) ? { minEpochLength: 0, maxPeerEpochs: 5000 } : { maxPeerEpochs: 74 }),
  }),
  corrected: "DQN peers explore with epsilon",
};

/** Table 2's combinations of agent values (A), critic (C) and trust (T), without or with advantage. */
export const COMBINATIONS = ["ACT", "AC", "AT", "CT", "C", "A", "T"] as const;

function combination(letters: string, advantage: boolean): Method {
  return {
    id: `${letters.toLowerCase()}${advantage ? "-adv" : ""}`,
    label: `${letters}${advantage ? " + advantage" : ""}`,
    description: `mechanisms ${letters} (A agent values, C critic, T trust), ${advantage ? "with" : "without"} advantage, 4 SAC peers`,
    peers: (t) => learners(t, groupSize(t)),
    group: () => ({
      critic: letters.includes("C"),
      trust: letters.includes("T"),
      agentValues: letters.includes("A"),
      advantage,
    }),
    corrected: "terminal s' in suggestions; warm-up not counted as advice",
  };
}

export const TABLE2_METHODS: readonly Method[] = [
  ...COMBINATIONS.flatMap((c) => [combination(c, false), combination(c, true)]),
  singleAgent,
  randomAdvice,
];

/** Fig. 7: n SAC peers on Hopper, all mechanisms without advantage (the published commands), 600k steps. */
export function groupOf(n: number): Method {
  return {
    id: `${n}-peers`,
    label: `${n} peers`,
    description: `${n} SAC peers, all mechanisms without advantage, 600k steps per peer`,
    peers: (t) => learners(t, n),
    group: () => ({ advantage: false }),
    corrected: "terminal s' in suggestions; warm-up not counted as advice",
    steps: 600_000,
  };
}

export const adversarial: Method = {
  id: "adversarial",
  label: "peer learning with an adversary",
  description: "Fig. 4: 2 DQN peers + 1 scripted adversary, all mechanisms with advantage",
  peers: () => [{ kind: "dqn" }, { kind: "dqn" }, { kind: "adversary" }],
  group: () => ({}),
  corrected: peerLearning.corrected,
};

export const lectr: Method = {
  id: "lectr",
  label: "LeCTR",
  description:
    "LeCTR (Omidshafiei et al. 2019): 2 DQN peers with learned student (when to ask) and teacher (what to advise) policies, VEG teaching reward",
  peers: (t) => learners(t, 2),
  group: () => ({ ...NO_MECHANISMS }),
  corrected:
    "the same as the faithful form (LeCTR's students explore with their own epsilon in both; none of peer learning's quirks apply)",
  extra: { lectr: LECTR_DEFAULTS },
};

export const studyGroup: Method = {
  id: "study-group",
  label: "study group (2 learners, expert, novice)",
  description:
    "Fig. 6: 2 training DQN peers + a non-training expert (scripted) + a non-training novice, all mechanisms with advantage",
  peers: () => [{ kind: "dqn" }, { kind: "dqn" }, { kind: "expert" }, { kind: "novice" }],
  group: () => ({}),
  corrected: peerLearning.corrected,
};

export const withExpert: Method = {
  id: "expert",
  label: "peer learning with an expert",
  description: "2 DQN peers + 1 scripted expert, all mechanisms with advantage",
  peers: () => [{ kind: "dqn" }, { kind: "dqn" }, { kind: "expert" }],
  group: () => ({}),
  corrected: peerLearning.corrected,
};

/** A heterogeneous group, as the original's --mix-agents SAC TD3: 2 SAC and 2 TD3 peers, all mechanisms. */
export const mixed: Method = {
  id: "mixed",
  label: "2 SAC + 2 TD3 peers",
  description: "2 SAC + 2 TD3 peers (TD3: the tuned settings with the paper's [150, 200] networks), all mechanisms",
  peers: () => [{ kind: "sac" }, { kind: "sac" }, { kind: "td3" }, { kind: "td3" }],
  group: () => ({}),
  corrected: "TD3 peers suggest with their action noise; terminal s' in suggestions; warm-up not counted as advice",
  extra: { td3: { ...td3Hyperparameters("Hopper-v4", "tuned"), netArch: [150, 200] } },
};

/** The MuJoCo study group: 2 SAC learners beside a frozen SAC expert and a SAC novice. */
export const HOPPER_EXPERT = "runs/hopper-v4-sac-expert/final/model.safetensors";
export const sacStudyGroup: Method = {
  id: "study-group",
  label: "study group (2 SAC learners, frozen SAC expert, SAC novice)",
  description: `2 training SAC peers + a frozen SAC expert + a SAC novice; the expert is ${HOPPER_EXPERT}: train it first with \`peerlearn train --env Hopper-v4 --algo sac --out runs/hopper-v4-sac-expert\` (or --set peers.2.checkpoint=...)`,
  peers: () => [
    { kind: "sac" },
    { kind: "sac" },
    { kind: "frozen", algo: "sac", checkpoint: HOPPER_EXPERT },
    { kind: "novice", algo: "sac" },
  ],
  group: () => ({}),
  corrected: "terminal s' in suggestions; warm-up not counted as advice",
};

export const TABLE1_METHODS: readonly Method[] = [peerLearning, singleAgent, earlyAdvice, randomAdvice];

/**
 * The fair comparison: peer learning and random advice against the single agent, faithful and corrected, and the
 * exploring single agent per agent and at the group's total sample budget.
 */
export const EVIDENCE_METHODS: readonly Method[] = [
  peerLearning,
  correctedOnly(peerLearning),
  singleAgent,
  correctedOnly(singleAgent),
  singleAgentEqualSamples,
  correctedOnly(randomAdvice),
];
/** A method with its matrix products in bf16 (the precision experiment), compared with itself in fp32. */
function inBf16(m: Method): Method {
  return {
    ...m,
    id: `${m.id}-bf16`,
    label: `${m.label}, bf16`,
    description: `${m.description}; matrix products in bf16 (needs AVX512-BF16)`,
    extra: { ...m.extra, precision: "bf16" },
  };
}

/** Peer learning on the Room tasks and the single SAC on MuJoCo, each in fp32 and in bf16. */
export const PRECISION_METHODS = (task: string): readonly Method[] =>
  isRoom(task) ? [peerLearning, inBf16(peerLearning)] : [singleAgent, inBf16(singleAgent)];

export const METHODS: readonly Method[] = [
  ...TABLE1_METHODS,
  lectr,
  ...TABLE2_METHODS.filter((m) => !TABLE1_METHODS.includes(m)),
  adversarial,
  studyGroup,
  withExpert,
  ...[2, 4, 8, 10].map(groupOf),
  ...EVIDENCE_METHODS.filter((m) => !TABLE1_METHODS.includes(m)),
  inBf16(peerLearning),
  inBf16(singleAgent),
];

export function findMethod(id: string): Method {
  const m = METHODS.find((x) => x.id === id);
  if (!m) throw new UserError(`unknown method ${JSON.stringify(id)}: use ${oneOf(METHODS.map((x) => x.id))}`);
  return m;
}
