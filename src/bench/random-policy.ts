/** Statistics of a uniform random policy: a sanity check of an env against published or independently measured figures. */
import { Random } from "../core/random.js";
import { make } from "../envs/registry.js";

export interface RandomPolicyStats {
  readonly env: string;
  readonly options: Record<string, unknown>;
  readonly episodes: number;
  readonly returnMean: number;
  readonly returnStd: number;
  readonly lengthMean: number;
  readonly lengthStd: number;
}

function meanStd(xs: number[]): [number, number] {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return [mean, Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length)];
}

/** Runs `episodes` episodes (episode k reset with seed `seed + k`) with actions uniform over the action space. */
export function randomPolicyStats(
  env: string,
  options: Record<string, unknown>,
  episodes: number,
  seed = 0,
): RandomPolicyStats {
  const e = make(env, options);
  const space = e.actionSpace;
  const rng = new Random(seed);
  const box = new Float32Array(space.kind === "box" ? space.dim : 0);
  const returns: number[] = [];
  const lengths: number[] = [];
  for (let k = 0; k < episodes; k++) {
    e.reset(seed + k);
    let total = 0;
    let length = 0;
    for (;;) {
      let action: number | Float32Array;
      if (space.kind === "discrete") action = rng.integer(0, space.n);
      else {
        for (let i = 0; i < box.length; i++) box[i] = rng.uniformIn(space.low[i], space.high[i]);
        action = box;
      }
      const r = e.step(action);
      total += r.reward;
      length += 1;
      if (r.terminated || r.truncated) break;
    }
    returns.push(total);
    lengths.push(length);
  }
  e.close();
  const [returnMean, returnStd] = meanStd(returns);
  const [lengthMean, lengthStd] = meanStd(lengths);
  return { env, options, episodes, returnMean, returnStd, lengthMean, lengthStd };
}
