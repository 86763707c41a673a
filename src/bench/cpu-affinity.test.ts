import { describe, expect, it } from "vitest";
import { cpuFromStat, currentCpu, pinnedTo } from "./cpu-affinity.js";

// A /proc/PID/stat line whose command holds spaces and parentheses; field 39 (the core) is 7.
const fields = (cpu: string): string =>
  ["4242 (node (main) x) S", ...Array.from({ length: 35 }, (_, i) => String(i + 4)), cpu, "0", "0"].join(" ");

describe("cpu affinity", () => {
  it("reads the core a process last ran on from /proc/PID/stat, whatever its command's name", () => {
    expect(cpuFromStat(fields("7"))).toBe(7);
    expect(cpuFromStat(fields("0"))).toBe(0);
    expect(cpuFromStat(fields("-1"))).toBeNull();
    expect(cpuFromStat("garbage")).toBeNull();
  });

  it("knows this thread's core on Linux", () => {
    const cpu = currentCpu();
    if (process.platform === "linux") expect(Number.isInteger(cpu) && (cpu as number) >= 0).toBe(true);
    else expect(cpu).toBeNull();
  });

  it("pins a command with taskset only when it can and a core is known", () => {
    expect(pinnedTo(1, "python3", ["a.py", "1"], true)).toEqual(["taskset", ["-c", "1", "python3", "a.py", "1"]]);
    expect(pinnedTo(1, "python3", ["a.py"], false)).toEqual(["python3", ["a.py"]]);
    expect(pinnedTo(null, "python3", ["a.py"], true)).toEqual(["python3", ["a.py"]]);
  });
});
