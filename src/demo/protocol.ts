/** Messages between the demo page and its training Web Worker (page/page.ts, page/worker.ts). */
import type { DemoEvaluation, DemoFrame, DemoSettings } from "./settings.js";

export const DEMO_BACKENDS = ["wasm", "js"] as const;
export type DemoBackend = (typeof DEMO_BACKENDS)[number];

/** Page -> worker. `speed`: lockstep steps per second, 0 for as fast as the machine goes. */
export type ToWorker =
  | { readonly type: "start"; readonly settings: DemoSettings; readonly backend: DemoBackend; readonly speed: number }
  | { readonly type: "pause" }
  | { readonly type: "resume" }
  | { readonly type: "speed"; readonly speed: number }
  /** The policy of peer `peer` as an ONNX graph (onnx/export.ts), answered by an `onnx` message. */
  | { readonly type: "export"; readonly peer: number };

/** Worker -> page. */
export type FromWorker =
  | { readonly type: "started"; readonly backend: string }
  | {
      readonly type: "frame";
      readonly frame: DemoFrame;
      /** Evaluations since the last frame. */
      readonly evaluations: readonly DemoEvaluation[];
      /** Env steps (all peers) per second of wall time since the start, pauses left out. */
      readonly envStepsPerSecond: number;
    }
  | { readonly type: "onnx"; readonly peer: number; readonly bytes: Uint8Array }
  | { readonly type: "error"; readonly message: string };
