/**
 * The in-browser demo's training (`peerlearn demo`): Room-v21 peer learning on the lockstep schedule, stepped a
 * few steps at a time so that a Web Worker can answer the page between them. It is the same PeerGroup on the same
 * schedule (GroupSchedule) as `trainGroup`, without run folders, trainer threads or checkpoints, so a run here and
 * `peerlearn train` on `demoConfig`'s config give the same evaluations for the same seed and backend (the demo's
 * browser test compares them). This module runs in Node and in the browser: it touches no file.
 */
import { Random } from "../core/random.js";
import type { Kernels } from "../nn/kernels/kernels.js";
import { findPreset } from "../peers/presets.js";
import { type GroupRunConfig, type PeerSpec } from "../peers/config.js";
import { validateGroupRunConfig } from "../peers/validate-config.js";
import { PeerGroup, localLoop, type Member } from "../peers/group.js";
import { UserError } from "../core/errors.js";
import { exportOnnx } from "../onnx/export.js";
import { GroupSchedule } from "../peers/group-schedule.js";
import type { DemoEvaluation, DemoFrame, DemoSettings } from "./settings.js";

/**
 * The run config of the demo's settings: the room-v21/peer-learning preset (corrected variant) on the lockstep
 * schedule, with smaller networks (64x64) and five evaluation episodes so that it learns in a browser tab in
 * minutes.
 */
export function demoConfig(s: DemoSettings): GroupRunConfig {
  if (!Number.isInteger(s.peers) || s.peers < 2 || s.peers > 4) throw new RangeError("the demo has 2 to 4 peers");
  const base = findPreset("room-v21/peer-learning/corrected").config;
  const peers: PeerSpec[] = Array.from({ length: s.peers }, () => ({ kind: "dqn" }));
  if (s.adversary) peers.push({ kind: "adversary" });
  return validateGroupRunConfig({
    ...base,
    steps: s.steps,
    seed: s.seed,
    evalFreq: s.evalFreq,
    evalEpisodes: 5,
    checkpointFreq: 0,
    peers,
    dqn: { ...base.dqn, netArch: [64, 64], batchSize: 64, bufferSize: 50_000 },
    group: {
      ...base.group,
      critic: s.critic,
      trust: s.trust,
      agentValues: s.agentValues,
      advantage: s.advantage,
      followSteps: s.followSteps,
      temperature: s.temperature,
      schedule: "lockstep",
      parallelTraining: false,
    },
  });
}

/** A demo run: build, then call `advance` until it says it is done. */
export class DemoRun {
  readonly config: GroupRunConfig;
  readonly group: PeerGroup;
  readonly evaluations: DemoEvaluation[] = [];
  private readonly schedule: GroupSchedule;

  constructor(settings: DemoSettings, kernels: Kernels) {
    this.config = demoConfig(settings);
    this.group = new PeerGroup(this.config, kernels, new Random(this.config.seed));
    this.schedule = new GroupSchedule(this.config, this.group, {
      evaluation: (m, ev) => this.evaluations.push({ peer: m.index, step: m.steps, mean: ev.mean }),
    });
  }

  get done(): boolean {
    return this.schedule.done;
  }

  /** Env steps per peer so far. */
  get step(): number {
    return this.schedule.stepsDone / this.group.members.length;
  }

  /** Runs up to `steps` lockstep steps (every peer acts, then the due ones train), as `peerlearn train` does. */
  advance(steps: number): void {
    this.schedule.advance(steps * this.group.members.length);
  }

  frame(): DemoFrame {
    const members = this.group.members;
    const size = members[0].obs.length / 2;
    const side = sideOf(this.config.env);
    const cell = (m: Member, from: number): number[] =>
      Array.from({ length: size }, (_, d) => Math.round(m.obs[from + d] * (side - 1)));
    const term = (name: string) => this.group.terms.find((t) => t.name === name);
    const trust = term("trust");
    const values = term("agentValues");
    return {
      step: this.step,
      size: side,
      agents: members.map((m) => ({ peer: m.index, position: cell(m, 0), goal: cell(m, size) })),
      followShares: members.map((m) => {
        const total = m.followCounts.reduce((a, b) => a + b, 0);
        return Array.from(m.followCounts, (c) => (total > 0 ? c / total : 0));
      }),
      trust: trust ? members.map((m) => Array.from(trust.logged(m) ?? [])) : [],
      agentValues: values ? Array.from(values.logged(members[0]) ?? []) : [],
      done: this.done,
    };
  }

  /** Peer `index`'s policy as an ONNX graph (docs/onnx.md), as it stands now. */
  exportPeer(index: number): Uint8Array {
    const m = this.group.members.find((x) => x.index === index);
    if (!m || !m.peer.learns)
      throw new UserError(`peer ${index} of the demo is not a learner: it has no policy to export`);
    const env = localLoop(m).env;
    return exportOnnx(m.peer.agent, { observation: env.observationSpace, action: env.actionSpace }, "demo");
  }
}

/** The grid side of a Room task ("Room-v21" -> 21). */
function sideOf(env: string): number {
  return Number(/^Room-v(\d+)$/.exec(env)?.[1] ?? 21);
}
