/**
 * LeCTR (lectr.ts) as a group's advisor: the student's own exploring action, unless it asks and its teacher
 * advises another; every step's outcome completes the student's Phase I record.
 */
import { join } from "node:path";
import type { Learner } from "../agents/learner.js";
import type { StepResult } from "../envs/env.js";
import type { Advisor, AdvisedMember, AdvisorPlugin } from "./advisor.js";
import { Lectr, type LectrState, type TaskLearner } from "./lectr.js";
import type { LearnerPeer } from "./peer.js";

interface LectrAdvisorState {
  state: LectrState;
  decisions: number;
}

export class LectrAdvisor implements Advisor {
  constructor(private readonly lectr: Lectr) {}

  advise(m: AdvisedMember): number {
    const action = this.lectr.decide(m.index, m.obs, m.peer.act(m.obs, m.steps) as number);
    m.followed = this.lectr.followed;
    return action;
  }

  afterEnvStep(m: AdvisedMember, r: StepResult): void {
    this.lectr.record(m.index, r.obs, r.reward, r.terminated);
  }

  save(dir: string): LectrAdvisorState {
    return { state: this.lectr.save((what) => join(dir, what)), decisions: this.lectr.decisionCount };
  }

  load(dir: string, saved: unknown): void {
    const s = saved as LectrAdvisorState;
    this.lectr.load((what) => join(dir, what), s.state, s.decisions);
  }
}

/** A learner's Q(o, a) for every action, as LeCTR reads it: through its critic, for any discrete learner. */
function taskLearner(learner: Learner): TaskLearner {
  const n = learner.discreteActions;
  const every = Float32Array.from({ length: n }, (_, a) => a);
  const q = new Float64Array(n);
  return {
    qValues(obs, out) {
      learner.critic(obs, every, n, q);
      for (let a = 0; a < n; a++) out[a] = q[a];
    },
  };
}

export const lectrAdvice: AdvisorPlugin = {
  name: "lectr",
  applies: (config) => config.lectr !== undefined,
  create: (c) => {
    const settings = c.config.lectr;
    const space = c.discrete ? (c.peers[0] as LearnerPeer).learner.discreteActions : 0;
    if (!settings) throw new Error("LeCTR's advisor needs a lectr section");
    // The config check guarantees a group of learning peers with discrete actions.
    const learners = c.peers.map((p) => (p as LearnerPeer).learner);
    return new LectrAdvisor(
      new Lectr(
        c.kernels,
        learners.map(taskLearner),
        c.obsDim,
        space,
        settings,
        c.config.steps,
        learners[0].gamma,
        c.root.fork(),
      ),
    );
  },
};
