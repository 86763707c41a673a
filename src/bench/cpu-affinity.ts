/**
 * Which core a measurement ran on, and running a reference on the same one. On a VM the cores can differ in speed
 * for minutes at a time (another guest's load on one of them): PyTorch's DQN update measured 1.40 ms on one core and
 * 1.9-2.2 ms on the other, back to back. A ratio is only a ratio when both sides ran on one core.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** The core a process last ran on, from the text of its /proc/PID/stat (field 39), or null. */
export function cpuFromStat(stat: string): number | null {
  // The second field is the command in parentheses, and may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cpu = Number(fields[39 - 3]);
  return Number.isInteger(cpu) && cpu >= 0 ? cpu : null;
}

/** The core this thread last ran on (Linux), or null. */
export function currentCpu(): number | null {
  try {
    return cpuFromStat(readFileSync("/proc/thread-self/stat", "utf8"));
  } catch {
    return null;
  }
}

/** Whether `taskset` (util-linux) can pin a command here. */
export function canPin(): boolean {
  return spawnSync("taskset", ["-V"], { stdio: "ignore" }).status === 0;
}

/** The command and arguments that run `command` pinned to `cpu`, or as given when it cannot be pinned. */
export function pinnedTo(
  cpu: number | null,
  command: string,
  args: readonly string[],
  pinning: boolean,
): [string, string[]] {
  return cpu !== null && pinning ? ["taskset", ["-c", String(cpu), command, ...args]] : [command, [...args]];
}
