/**
 * The paper's Room experiments as named presets, each in a `faithful` form (as the published code ran them,
 * quirks included) and a `corrected` form (`<name>/corrected`). Settings: REFERENCE section 5 and the original's
 * Experiments.md; budgets are the paper's (1M env steps per peer), scaled with --steps.
 */
import { UserError, oneOf } from "../core/errors.js";
import { DQN_DEFAULTS } from "../agents/dqn.js";
import { ROOM_DQN, sacHyperparameters } from "../agents/config.js";
import { PEER_LEARNING_GROUP, type GroupRunConfig, type GroupSettings, type PeerSpec } from "./config.js";

export interface Preset {
  readonly name: string;
  readonly description: string;
  readonly config: GroupRunConfig;
}

const NO_MECHANISMS = { critic: false, trust: false, agentValues: false, advantage: false } as const;

function roomConfig(env: string, peers: PeerSpec[], group: Partial<GroupSettings>, variant: "faithful" | "corrected"): GroupRunConfig {
  return {
    env,
    envOptions: {},
    steps: 1_000_000,
    seed: 0,
    evalFreq: 10_000,
    evalEpisodes: 10,
    checkpointFreq: 10_000,
    variant,
    peers,
    dqn: { ...DQN_DEFAULTS, ...ROOM_DQN, netArch: [256, 256] },
    group: { ...PEER_LEARNING_GROUP, ...group },
  };
}

const dqn = (n: number): PeerSpec[] => Array.from({ length: n }, () => ({ kind: "dqn" }) as PeerSpec);

interface Method {
  readonly id: string;
  readonly description: string;
  readonly peers: PeerSpec[];
  readonly group: Partial<GroupSettings>;
  readonly corrected: string;
}

const METHODS: readonly Method[] = [
  {
    id: "peer-learning",
    description: "2 DQN peers, critic + trust + agent values with advantage, softmax T 1, follow 10 steps",
    peers: dqn(2),
    group: {},
    corrected: "DQN peers explore with epsilon; terminal s' in suggestions; warm-up not counted as advice",
  },
  {
    id: "single-agent",
    description: "one DQN as a 1-peer group (faithful: its epsilon schedule is never used, so it explores only in the 100 warm-up steps)",
    peers: dqn(1),
    group: { ...NO_MECHANISMS, peerPolicy: "epsilonGreedy", temperature: 0 },
    corrected: "a single DQN that explores with its epsilon schedule",
  },
  {
    id: "random-advice",
    description: "2 DQN peers following a uniformly random peer (softmax over no values), follow 10 steps",
    peers: dqn(2),
    group: { ...NO_MECHANISMS, peerPolicy: "softmax", temperature: 1 },
    corrected: "DQN peers explore with epsilon",
  },
  {
    id: "early-advice",
    description: "Early Advising: follow 1 step, only other peers, epochs of one 100-step episode, budget 5000 epochs",
    peers: dqn(2),
    group: { ...NO_MECHANISMS, peerPolicy: "onlyOthers", temperature: 0, followSteps: 1, minEpochLength: 0, maxPeerEpochs: 5000 },
    corrected: "DQN peers explore with epsilon",
  },
];

function buildPresets(): Preset[] {
  const out: Preset[] = [];
  for (const env of ["Room-v21", "Room-v27"]) {
    const task = env.toLowerCase();
    for (const m of METHODS) {
      out.push({ name: `${task}/${m.id}`, description: m.description, config: roomConfig(env, m.peers, m.group, "faithful") });
      out.push({ name: `${task}/${m.id}/corrected`, description: `${m.id}, corrected: ${m.corrected}`, config: roomConfig(env, m.peers, m.group, "corrected") });
    }
  }
  const adversarial: PeerSpec[] = [{ kind: "dqn" }, { kind: "dqn" }, { kind: "adversary" }];
  out.push({ name: "room-v21/adversarial", description: "Fig. 4: 2 DQN peers + 1 scripted adversary, all mechanisms with advantage", config: roomConfig("Room-v21", adversarial, {}, "faithful") });
  out.push({ name: "room-v21/adversarial/corrected", description: "Fig. 4, corrected variant", config: roomConfig("Room-v21", adversarial, {}, "corrected") });
  // Continuous control with SAC peers (gSDE off, the RL Zoo's Pendulum settings): a quick check of the group
  // machinery on continuous actions; the paper's MuJoCo presets come with the MuJoCo tasks.
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
  out.push({ name: "pendulum-v1/peer-learning", description: "2 SAC peers, all mechanisms with advantage, softmax T 1, follow 10 steps, 20k steps", config: pendulum([{ kind: "sac" }, { kind: "sac" }], {}) });
  out.push({ name: "pendulum-v1/single-agent", description: "one SAC agent as a 1-peer group, 20k steps", config: pendulum([{ kind: "sac" }], { ...NO_MECHANISMS, peerPolicy: "epsilonGreedy", temperature: 0 }) });
  out.push({ name: "room-v21/expert", description: "2 DQN peers + 1 scripted expert, all mechanisms with advantage", config: roomConfig("Room-v21", [{ kind: "dqn" }, { kind: "dqn" }, { kind: "expert" }], {}, "faithful") });
  return out;
}

export const PRESETS: readonly Preset[] = buildPresets();

export function findPreset(name: string): Preset {
  const p = PRESETS.find((x) => x.name === name);
  if (!p) throw new UserError(`unknown preset ${JSON.stringify(name)}: use ${oneOf(PRESETS.map((x) => x.name))} (peerlearn list presets)`);
  return structuredClone(p);
}
