/** Action and observation spaces, as in Gymnasium: a finite set of actions, or a box of real vectors. */

export interface Discrete {
  readonly kind: "discrete";
  /** Actions are the integers 0 .. n - 1. */
  readonly n: number;
}

export interface Box {
  readonly kind: "box";
  /** Number of components (peerlearn's observations and actions are flat vectors). */
  readonly dim: number;
  readonly low: Float32Array;
  readonly high: Float32Array;
}

export type Space = Discrete | Box;

export function discrete(n: number): Discrete {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Discrete space needs n >= 1, got ${n}`);
  return { kind: "discrete", n };
}

/** A box with the same bounds on every component, or per-component bounds. */
export function box(low: number | ArrayLike<number>, high: number | ArrayLike<number>, dim?: number): Box {
  const d = dim ?? (typeof low === "number" ? (typeof high === "number" ? 1 : high.length) : low.length);
  const lo = typeof low === "number" ? new Float32Array(d).fill(low) : Float32Array.from(low);
  const hi = typeof high === "number" ? new Float32Array(d).fill(high) : Float32Array.from(high);
  if (lo.length !== d || hi.length !== d) throw new RangeError("Box bounds do not match its dimension");
  return { kind: "box", dim: d, low: lo, high: hi };
}

/** Size of an action as stored in a replay buffer: 1 for a discrete action, the dimension for a box. */
export function actionDim(space: Space): number {
  return space.kind === "discrete" ? 1 : space.dim;
}
