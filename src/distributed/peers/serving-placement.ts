/**
 * The placement a serving peer process builds its group with: the group is built whole (the same generators for
 * the same peers as every process), but only its own member runs here; the others are stand-ins that refuse to be
 * used, and its own member's seams are the server's (they record what the step reports back).
 */
import type { LoopHooks } from "../../agents/off-policy-loop.js";
import type { GroupPlacement } from "../../peers/group.js";
import type { ActingPeer } from "../../peers/peer.js";

/** A stand-in for a peer this process does not run. */
function elsewhere(index: number): never {
  throw new Error(`peer ${index} runs in another process`);
}

export function servingPlacement(own: number, hooks: LoopHooks): GroupPlacement {
  return {
    isLocal: (i) => i === own,
    peerElsewhere: (i): ActingPeer => ({
      kind: "dqn",
      acts: true,
      learns: false,
      available: true,
      random: null,
      actionWidth: 0,
      gamma: 0,
      learningStarts: 0,
      trainFreq: 1,
      get agent(): never {
        return elsewhere(i);
      },
      suggest: () => elsewhere(i),
      critic: () => elsewhere(i),
      values: () => elsewhere(i),
      act: () => elsewhere(i),
      beforeStep: () => elsewhere(i),
    }),
    loopElsewhere: (i) => ({
      placedElsewhere: true,
      obs: new Float32Array(0),
      steps: 0,
      env: { maxEpisodeSteps: 0 },
      progressTotal: 0,
      lastEval: null,
      averageRewardOverTime: null,
      collect: () => elsewhere(i),
      trainIfDue: () => elsewhere(i),
      checkFinite: () => {},
      save: () => elsewhere(i),
      load: () => elsewhere(i),
      close: () => {},
    }),
    localHooks: () => hooks,
  };
}
