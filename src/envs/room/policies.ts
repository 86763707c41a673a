/**
 * Scripted Room policies (the original's `predefined_agents/room_peer.py`), used as expert and adversarial peers.
 * Both read only the observation [position, goal] / (L - 1).
 *
 * Expert: moves towards the goal along a random axis on which it still differs; on the goal it pushes against the
 * border the goal lies on (a move that does nothing), so it stays and keeps collecting the goal reward.
 * Adversary: the expert steering towards the far corner 1 - round(goal) instead: a poisoning attack whose
 * short-term rewards look like anyone else's (-0.001 per step) while it leads away from the goal.
 */
import type { Random } from "../../core/random.js";

export interface DiscretePolicy {
  act(obs: Float32Array): number;
}

export class RoomExpert implements DiscretePolicy {
  private readonly candidates = new Int32Array(16);

  constructor(readonly rng: Random) {}

  act(obs: Float32Array): number {
    return this.towards(obs, obs.length >> 1, (d) => obs[(obs.length >> 1) + d]);
  }

  /** The expert's move from the position in obs towards target(d) (normalised coordinates). */
  protected towards(obs: Float32Array, dims: number, target: (d: number) => number): number {
    let n = 0;
    for (let d = 0; d < dims; d++) {
      if (obs[d] < target(d)) this.candidates[n++] = 2 * d;
      else if (obs[d] > target(d)) this.candidates[n++] = 2 * d + 1;
    }
    if (n > 0) return this.candidates[this.rng.integer(0, n)];
    // On the target: push against the border along the axis where it is farthest from the centre (first on ties).
    let axis = 0;
    for (let d = 1; d < dims; d++) if (Math.abs(target(d) - 0.5) > Math.abs(target(axis) - 0.5)) axis = d;
    return 2 * axis + 1 - Math.trunc(target(axis));
  }
}

export class RoomAdversary extends RoomExpert {
  override act(obs: Float32Array): number {
    const dims = obs.length >> 1;
    return this.towards(obs, dims, (d) => 1 - Math.round(obs[dims + d]));
  }
}
