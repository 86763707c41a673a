/**
 * Drives a run in slices from the command line, so that Ctrl-C is heard while it trains: training is synchronous,
 * and a signal handler runs only between slices. On SIGINT or SIGTERM the run checkpoints where it stands, says how
 * to go on, and the process exits (130 for Ctrl-C, as shells expect).
 */
export interface SlicedRun {
  advance(maxSteps: number): boolean;
  checkpoint(): number | null;
}

/** Env steps per slice: short enough to answer Ctrl-C within about a second on the slowest tasks. */
const SLICE = 256;

export async function drive(run: SlicedRun, unit: string, total: number): Promise<void> {
  let stop: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop !== null) process.exit(130); // a second Ctrl-C: leave at once
    stop = signal;
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    while (!run.advance(SLICE)) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (stop === null) continue;
      const saved = run.checkpoint();
      process.stderr.write(
        saved === null
          ? "\npeerlearn: stopped; the same command resumes from the last checkpoint\n"
          : `\npeerlearn: stopped at ${saved} of ${total} ${unit}; saved there: the same command resumes from it\n`,
      );
      process.exit(stop === "SIGINT" ? 130 : 143);
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
