import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Random } from "../core/random.js";
import { getKernels } from "../nn/kernels/select.js";
import { DQN_DEFAULTS, Dqn } from "../agents/dqn/dqn.js";
import { type GroupRunConfig } from "./config.js";
import { validateGroupRunConfig } from "./validate-config.js";
import { Lectr, LECTR_DEFAULTS, type LectrSettings } from "./lectr.js";
import { teachingReward, type AdviceOutcome } from "./lectr-reward.js";
import { findPreset } from "./presets.js";
import { trainGroup } from "./train-group.js";

const outcome = (o: Partial<AdviceOutcome>): AdviceOutcome => ({
  qBefore: 0,
  qAfter: 0,
  vBefore: 0,
  vAfter: 0,
  qAdvisedAfter: 0,
  qIntendedAfter: 0,
  tdBefore: 0,
  tdAfter: 0,
  advised: true,
  ...o,
});

describe("LeCTR teaching rewards", () => {
  it("computes each variant from the student's values before and after its learning phase", () => {
    const x = outcome({
      qBefore: 0.2,
      qAfter: 0.5,
      vBefore: 0.4,
      vAfter: 0.9,
      qAdvisedAfter: 0.5,
      qIntendedAfter: 0.1,
      tdBefore: -0.8,
      tdAfter: 0.3,
    });
    expect(teachingReward("veg", x, 0.4, 0)).toBe(1);
    expect(teachingReward("veg", x, 0.5, 0)).toBe(0); // strictly above the threshold
    expect(teachingReward("jvg", x, 0, 0)).toBeCloseTo(0.5, 12);
    expect(teachingReward("qtr", x, 0, 0)).toBeCloseTo(0.4, 12);
    expect(teachingReward("qtr", { ...x, advised: false }, 0, 0)).toBe(0);
    expect(teachingReward("lg", x, 0, 0)).toBeCloseTo(0.3, 12);
    expect(teachingReward("lgg", x, 0, 0.1)).toBeCloseTo(0.2, 12);
    expect(teachingReward("tdg", x, 0, 0)).toBeCloseTo(0.5, 12);
  });
});

/** Two tiny DQN learners (obs 2, 3 actions) and their LeCTR advising policies, exploring no more. */
function setup(settings: Partial<LectrSettings> = {}): { lectr: Lectr; learners: Dqn[] } {
  const k = getKernels();
  const rng = new Random(3);
  const learners = [0, 1].map(
    () =>
      new Dqn(k, 2, 3, { ...DQN_DEFAULTS, netArch: [8], batchSize: 4, bufferSize: 100, learningStarts: 0 }, rng.fork()),
  );
  const s: LectrSettings = {
    ...LECTR_DEFAULTS,
    netArch: [8],
    batchSize: 4,
    phaseLength: 3,
    explorationFraction: 1e-9,
    explorationFinalEps: 0,
    ...settings,
  };
  return { lectr: new Lectr(k, learners, 2, 3, s, 1000, 0.99, rng.fork()), learners };
}

describe("LeCTR advising-level transitions", () => {
  const obs = Float32Array.of(0.25, 0.75);
  const q = (d: Dqn, o: Float32Array): number[] => {
    const out = new Float32Array(3);
    d.qValues(o, out);
    return [...out];
  };

  it("builds the student's and teacher's observations from o and the Q-values", () => {
    const { lectr, learners } = setup();
    const s = new Float32Array(5);
    lectr.studentObservation(0, obs, s);
    expect([...s]).toEqual([0.25, 0.75, ...q(learners[0], obs)]);
    const t = new Float32Array(8);
    lectr.teacherObservation(0, 1, obs, t);
    expect([...t]).toEqual([0.25, 0.75, ...q(learners[0], obs), ...q(learners[1], obs)]);
  });

  it("executes advice only when the student asks and the teacher advises an action", () => {
    const { lectr } = setup();
    lectr.decide(0, obs, 0); // the first decision still explores (epsilon 1 at decision 0)
    lectr.record(0, obs, 0, false);
    const [student, teacher] = [lectr.students[0], lectr.teachers[1]];
    student.greedyAction = () => 0; // does not ask
    expect([lectr.decide(0, obs, 2), lectr.followed]).toEqual([2, 0]);
    lectr.record(0, obs, 0, false);
    student.greedyAction = () => 1; // asks
    teacher.greedyAction = () => 1; // advises action 1
    expect([lectr.decide(0, obs, 2), lectr.followed]).toEqual([1, 1]);
    lectr.record(0, obs, 0, false);
    teacher.greedyAction = () => 3; // "no advice" (nActions)
    expect([lectr.decide(0, obs, 2), lectr.followed]).toEqual([2, 0]);
  });

  it("Phase II gives the student and the teacher it asked one transition each with the shared reward", () => {
    const { lectr } = setup({ reward: "veg", threshold: -1e9 }); // VEG = 1 for every record
    const student = lectr.students[0];
    const teacher = lectr.teachers[1];
    student.greedyAction = () => 1;
    teacher.greedyAction = () => 2;
    for (let t = 0; t < 3; t++) {
      lectr.decide(0, obs, 0);
      lectr.record(0, Float32Array.of(0.5, 0.5), t === 2 ? 1 : 0, false);
    }
    // The first decision explored; the other two asked. Phase II ran after the third step.
    expect(student.buffer.size).toBe(3);
    expect([...student.buffer.rewards.subarray(0, 3)]).toEqual([1, 1, 1]);
    expect([...student.buffer.actions.subarray(1, 3)]).toEqual([1, 1]);
    expect(teacher.buffer.size).toBeGreaterThanOrEqual(2);
    expect([...teacher.buffer.actions.subarray(teacher.buffer.size - 2, teacher.buffer.size)]).toEqual([2, 2]);
    expect([...student.buffer.nextObs.subarray(0, 2)]).toEqual([0.5, 0.5]); // s' of the advising level starts with o'
  });
});

describe("LeCTR in a peer group", () => {
  const tiny = (): GroupRunConfig => {
    const c = findPreset("room-v21/lectr").config;
    return {
      ...c,
      env: "Room-v6",
      steps: 1200,
      evalFreq: 400,
      evalEpisodes: 2,
      dqn: { ...c.dqn!, netArch: [16], batchSize: 16, bufferSize: 5000 },
      group: { ...c.group, minEpochLength: 200 },
      lectr: { ...c.lectr!, phaseLength: 100, netArch: [16] },
    };
  };

  it("validates: LeCTR needs two or more DQN peers", () => {
    expect(() => validateGroupRunConfig({ ...tiny(), peers: [{ kind: "dqn" }] })).toThrow(
      /lectr: .*needs a group of 2 or more dqn peers/,
    );
  });

  it("runs, follows the other peer only through advice, and repeats exactly for a seed", () => {
    const go = (): { summary: ReturnType<typeof trainGroup>; metrics: string } => {
      const out = mkdtempSync(join(tmpdir(), "peerlearn-lectr-"));
      const summary = trainGroup(tiny(), { out, kernels: getKernels() });
      return { summary, metrics: readFileSync(join(out, "metrics.jsonl"), "utf8") };
    };
    const a = go();
    const b = go();
    expect(b.metrics).toBe(a.metrics);
    for (const p of a.summary.peers) {
      const share = p.followShare as number[];
      expect(share[p.index]).toBeGreaterThan(0.3); // its own action whenever it did not ask or got no advice
      expect(share[1 - p.index]).toBeGreaterThan(0); // some advice was executed
    }
  });
});
