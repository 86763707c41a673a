/** Whether the machine was busy while the bench ran: other work on its cores makes its figures low and erratic. */
import { cpus, loadavg } from "node:os";

/** The load around the bench, and a warning when other work shared the cores (the bench itself uses one). */
export function loadOf(start: number): {
  loadAverage: { start: number; end: number; cores: number };
  busyWarning: string | null;
} {
  const end = loadavg()[0];
  const cores = cpus().length;
  const busiest = Math.max(start, end - 1);
  const busyWarning =
    busiest > cores - 1 + 0.5
      ? `the machine was busy while the bench ran (load average ${start.toFixed(1)} at the start, ${end.toFixed(1)} at the end, on ${cores} cores): its figures read low and erratic; run it again on an idle machine`
      : null;
  return { loadAverage: { start, end, cores }, busyWarning };
}
