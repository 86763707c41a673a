/** The command line as a user meets it: mistakes exit with code 2 and one line, bench prints its JSON last. */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";

const CLI = "dist/cli/main.js";

function run(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!existsSync(CLI))("peerlearn CLI (needs `npm run build`)", () => {
  it("prints usage", () => {
    const r = run(["help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: peerlearn <command>/);
  });

  it.each([
    [["frobnicate"], /unknown command "frobnicate": use one of "start", "bench", "help"/],
    [["bench", "--backend", "cuda"], /--backend must be one of "native", "wasm", "js", got "cuda"/],
    [["bench", "--seconds", "0"], /--seconds must be a positive number, got "0"/],
    [["bench", "--seconds", "-1"], /--seconds.*ambiguous/],
    [["bench", "--fast"], /Unknown option '--fast'/],
  ])("rejects %j with exit code 2 and one clear line", (args, message) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it("rejects an unknown PEERLEARN_BACKEND", () => {
    const r = run(["bench"], { PEERLEARN_BACKEND: "gpu" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown kernel backend "gpu"/);
  });

  it("bench --json ends with one JSON object with the documented fields", () => {
    const r = run(["bench", "--json", "--seconds", "0.05", "--no-torch", "--backend", "wasm"], { PEERLEARN_BACKEND: "wasm" });
    expect(r.status).toBe(0);
    const last = JSON.parse(r.stdout.trim().split("\n").pop() ?? "");
    expect(last.backend).toBe("wasm");
    for (const key of ["gemmGflops", "dqnUpdateMs", "sacUpdateMs"]) expect(last[key]).toBeGreaterThan(0);
    expect(last.backends.wasm.dqnUpdateMs).toBeGreaterThan(0);
    expect(last.torch).toBeNull();
    expect(last.dqnUpdateBytesAllocated).toBeLessThan(0.5);
  });
});
