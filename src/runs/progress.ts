/**
 * Progress of a long run as one line: steps done, steps/s, ETA and the latest evaluation. The caller decides where
 * lines go; they come at most once a second (the last one always).
 */
export class Progress {
  private lastPrint = 0;
  private lastEval: number | null = null;
  private readonly startTime = performance.now();

  constructor(
    private readonly total: number,
    private readonly startStep: number,
    private readonly sink: ((line: string, final: boolean) => void) | undefined,
    private readonly intervalMs = 1000,
  ) {}

  setEval(mean: number): void {
    this.lastEval = mean;
  }

  tick(step: number): void {
    if (!this.sink) return;
    const now = performance.now();
    if (now - this.lastPrint < this.intervalMs) return;
    this.lastPrint = now;
    this.sink(this.line(step, now), false);
  }

  done(step: number): void {
    this.sink?.(this.line(step, performance.now()), true);
  }

  private line(step: number, now: number): string {
    const seconds = (now - this.startTime) / 1000;
    const rate = (step - this.startStep) / Math.max(seconds, 1e-9);
    const eta = rate > 0 ? (this.total - step) / rate : Infinity;
    const pct = ((100 * step) / this.total).toFixed(0).padStart(3);
    const evalText = this.lastEval === null ? "" : `  last eval ${this.lastEval.toFixed(2)}`;
    return `${pct}%  ${step}/${this.total} steps  ${rate.toFixed(0)} steps/s  ETA ${formatDuration(eta)}${evalText}`;
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
