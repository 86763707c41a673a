/**
 * The demo's settings and what its training posts to the page (demo-run.ts computes them). Kept apart from the
 * training code so that the page's bundle stays small: the page imports only this and protocol.ts.
 */

/** What the demo's controls set. */
export interface DemoSettings {
  /** Learning (DQN) peers, 2 to 4. */
  readonly peers: number;
  readonly critic: boolean;
  readonly trust: boolean;
  readonly agentValues: boolean;
  readonly advantage: boolean;
  /** Adds the scripted Room adversary, which answers but never acts. */
  readonly adversary: boolean;
  readonly followSteps: number;
  readonly temperature: number;
  readonly seed: number;
  /** Env steps per peer. */
  readonly steps: number;
  /** A peer's own env steps between its evaluations. */
  readonly evalFreq: number;
}

export const DEMO_DEFAULTS: DemoSettings = {
  peers: 3,
  critic: true,
  trust: true,
  agentValues: true,
  advantage: true,
  adversary: true,
  followSteps: 10,
  temperature: 1,
  seed: 0,
  steps: 20_000,
  evalFreq: 1000,
};

export interface DemoEvaluation {
  readonly peer: number;
  readonly step: number;
  readonly mean: number;
}

/** What the page draws after a batch of steps. */
export interface DemoFrame {
  /** Env steps per peer so far. */
  readonly step: number;
  /** Each acting peer's cell and its goal's, in grid coordinates. */
  readonly agents: readonly { readonly peer: number; readonly position: number[]; readonly goal: number[] }[];
  /** Grid side length. */
  readonly size: number;
  /** Per acting peer: share of its follow decisions that went to each peer. */
  readonly followShares: number[][];
  /** Per acting peer: its trust in each peer (empty without the trust term). */
  readonly trust: number[][];
  /** The group's agent values (empty without them). */
  readonly agentValues: number[];
  readonly done: boolean;
}

/** The demo evaluates every peer ten times per run, at most every 1,000 steps and at least every 100. */
export const demoEvalFreq = (steps: number): number => Math.max(100, Math.min(1000, Math.floor(steps / 10)));

/** What the demo page exposes as window.peerlearnDemo (for its browser test, and anyone curious in the console). */
export interface DemoPageState {
  settings: DemoSettings | null;
  backend: string;
  step: number;
  done: boolean;
  evaluations: DemoEvaluation[];
  envStepsPerSecond: number;
  /** Milliseconds from each input event to its handler on the page's thread. */
  inputLatencies: number[];
  frames: number;
  error: string | null;
}
