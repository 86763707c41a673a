/**
 * What a run gets when the user does not say: how often a short run evaluates, its default folder's name, and
 * what its start and end lines say about resuming and about a run that never evaluated.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { sha256Text } from "../runs/checkpoint-manifest.js";

/**
 * A run too short for its evaluation frequency (fewer than 10 evaluations would fit) evaluates more often: every
 * tenth of the run, but every 1,000 steps at most (half the run, when that is shorter), so that a 5,000-step run
 * shows five evaluations instead of none. Only when evalFreq was not chosen; --print-config shows the result.
 */
export function adaptEvalFreq(draft: Record<string, unknown>): void {
  const { steps, evalFreq } = draft;
  if (typeof steps !== "number" || typeof evalFreq !== "number" || !(steps > 0) || steps >= 10 * evalFreq) return;
  draft.evalFreq = Math.max(1, Math.floor(steps / 10), Math.min(1000, Math.floor(steps / 2)));
}

/**
 * The default run folder's last part: 8 hex digits of the resolved config's hash, so that the same command finds
 * its folder again (and resumes it) while another config (other steps, a --config file) never collides with it.
 */
export const configTag = (config: unknown): string => sha256Text(JSON.stringify(config)).slice(0, 8);

/** Said where a run ended without one evaluation. */
export const NO_EVALUATION =
  "no evaluation ran: evalFreq is more than the steps; set a smaller one, e.g. --set evalFreq=1000";

/** Said when a run starts: a run stopped at any point (Ctrl-C, a kill, a crash) loses at most its last steps. */
const RESUME_HINT = "(stop it at any time: the same command resumes from the last checkpoint)";

/** What the start line says after the run's settings: resuming, already finished, or how to stop and resume. */
export function startHint(out: string): string {
  if (existsSync(join(out, "summary.json")))
    return "(this run finished already: its summary follows; another --out starts a new one)";
  return RESUME_HINT;
}
