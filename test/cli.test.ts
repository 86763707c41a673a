/** The command line as a user meets it: mistakes exit with code 2 and one line, bench prints its JSON last. */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { requireBuilt } from "./built.js";
import { GEMM_SHAPES } from "../src/bench/nn-bench.js";

const CLI = "dist/cli/main.js";

function run(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("peerlearn CLI (needs `npm run build`)", () => {
  requireBuilt(CLI);
  it("prints usage", () => {
    const r = run(["help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: peerlearn <command>/);
  });

  it.each([
    [
      ["frobnicate"],
      /unknown command "frobnicate": use one of "start", "train", "experiment", "report", "compare", "results", "worker", "peer", "dashboard", "demo", "bench", "export", "list", "random-policy", "help"/,
    ],
    [
      ["experiment", "table9"],
      /unknown experiment "table9": use one of "table1", "evidence", "precision", "table2", "fig4", "fig5", "fig6", "fig7"/,
    ],
    [["experiment", "table1", "--tasks", "Room-v99"], /table1 has no task "Room-v99": use one of "HalfCheetah-v4"/],
    [["experiment", "table1", "--budget", "0"], /--budget must be a number > 0 and at most 1, got "0"/],
    [["report", "no/such/dir"], /no\/such\/dir is not an experiment folder/],
    [
      ["random-policy", "Hopper-v4", "--set", "healthyZRange=[1,0]"],
      /Hopper-v4 option healthyZRange must be \[low, high\] with low <= high/,
    ],
    [["random-policy"], /random-policy takes one env id/],
    [["bench", "--backend", "cuda"], /--backend must be one of "native", "wasm", "js", got "cuda"/],
    [["bench", "--seconds", "0"], /--seconds must be a number > 0 and at most 600, got "0"/],
    [["bench", "--seconds", "-1"], /--seconds must be a number > 0 and at most 600, got "-1"/],
    [["bench", "--fast"], /unknown option --fast: this command takes --json, --seconds/],
    [["train"], /train needs --preset .* or --env/],
    [["export"], /export needs one run folder/],
    [["export", "no/such/run"], /no\/such\/run is not a run folder \(no config.json\)/],
    [["export", "x", "--out", "policy.bin"], /--out must name a .onnx file/],
    [
      ["train", "--env", "Room-v22"],
      /unknown env "Room-v22" \(did you mean "Room-v21" or "Room-v27".*\); use one of "Room-v3"/,
    ],
    [
      ["train", "--env", "Room-v21", "--set", "dqn.batchSize=-3"],
      /invalid run config: dqn.batchSize: got -3, expected number to be >0/,
    ],
    [["train", "--env", "Room-v21", "--set", "dqn.lr=0.1"], /dqn: unknown field "lr"/],
    [
      ["train", "--env", "Room-v21", "--set", 'gamma="high"'],
      /dqn.gamma: got "high", expected number, received string/,
    ],
    [["train", "--env", "Room-v21", "--set", "envOptions.size=4"], /Room-v21 has no option "size"/],
    [["train", "--env", "Room-v21", "--algo", "ppo"], /--algo must be one of "dqn", "sac", "td3", got "ppo"/],
    [["train", "--env", "Pendulum-v1"], /DQN needs discrete actions; Pendulum-v1 has continuous ones/],
    [["list", "things"], /list what\? use one of "envs"/],
  ])("rejects %j with exit code 2 and one clear line", (args, message) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it("train --print-config shows every resolved setting, with overrides applied", () => {
    const r = run(["train", "--env", "Room-v21", "--seed", "4", "--set", "learningRate=0.001", "--print-config"]);
    expect(r.status).toBe(0);
    const config = JSON.parse(r.stdout);
    expect(config).toMatchObject({ env: "Room-v21", seed: 4, steps: 1_000_000, evalFreq: 10_000, evalEpisodes: 10 });
    expect(config.dqn).toEqual({
      learningRate: 0.001,
      bufferSize: 300_000,
      learningStarts: 100,
      batchSize: 256,
      tau: 0.02,
      gamma: 0.99,
      trainFreq: 8,
      gradientSteps: 8,
      targetUpdateInterval: 1,
      explorationFraction: 0.1,
      explorationInitialEps: 1,
      explorationFinalEps: 0.05,
      maxGradNorm: 10,
      netArch: [256, 256],
    });
  });

  it("MuJoCo tasks get the paper's SAC settings and terminate_when_unhealthy=False; random-policy runs them", () => {
    const r = run(["train", "--env", "Hopper-v4", "--algo", "sac", "--print-config"]);
    expect(r.status).toBe(0);
    const config = JSON.parse(r.stdout);
    expect(config).toMatchObject({ env: "Hopper-v4", envOptions: { terminateWhenUnhealthy: false }, steps: 1_000_000 });
    expect(config.sac).toMatchObject({
      netArch: [150, 200],
      batchSize: 256,
      trainFreq: 8,
      gradientSteps: 8,
      tau: 0.02,
      learningRate: 3e-4,
      learningStarts: 100,
      useSde: true,
      logStdInit: -3,
    });
    const p = run(["random-policy", "Walker2d-v4", "--episodes", "3"]);
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(/Walker2d-v4 \{\}: 3 episodes, return -?\d+\.\d \+- \d+\.\d, length \d+\.\d/);
  });

  it("--set peers=N makes a group of N learners of the preset's kind", () => {
    const r = run(["train", "--preset", "hopper-v4/peer-learning", "--set", "peers=6", "--print-config"]);
    expect(r.status).toBe(0);
    // --print-config shows each peer with its resolved settings.
    const peers = JSON.parse(r.stdout).peers as { kind: string; sac: { netArch: number[] } }[];
    expect(peers.map((p) => p.kind)).toEqual(Array.from({ length: 6 }, () => "sac"));
    for (const p of peers) expect(p.sac.netArch).toEqual([150, 200]);
    const bad = run(["train", "--preset", "room-v21/peer-learning", "--set", "peers=0"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/peers must be a list of peers or an integer from 1 to 100/);
  });

  it("lists the envs", () => {
    const r = run(["list", "envs"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Room-v21 +21x21 grid/);
  });

  it("rejects an unknown PEERLEARN_BACKEND", () => {
    const r = run(["bench"], { PEERLEARN_BACKEND: "gpu" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown kernel backend "gpu"/);
  });

  it("refuses precision bf16 where the kernels cannot compute in it, before writing anything", () => {
    const root = mkdtempSync(join(tmpdir(), "peerlearn-bf16-"));
    const single = ["train", "--env", "CartPole-v1", "--steps", "200"];
    const group = ["train", "--preset", "room-v21/peer-learning", "--steps", "200"];
    for (const [i, args] of [single, group].entries()) {
      const out = join(root, String(i));
      const r = run([...args, "--set", "precision=bf16", "--out", out], { PEERLEARN_BACKEND: "wasm" });
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/precision bf16 needs the native kernels; this run computes with the wasm backend/);
      expect(existsSync(out)).toBe(false);
    }
    rmSync(root, { recursive: true, force: true });
  });

  it("bench --json ends with one JSON object with the documented fields", async () => {
    // A fixed, small amount of work (--smoke), asynchronously: a blocked test worker loses its link to the runner.
    const r = await promisify(execFile)(
      process.execPath,
      [CLI, "bench", "--json", "--smoke", "--seconds", "0.02", "--no-torch", "--backend", "wasm"],
      { env: { ...process.env, PEERLEARN_BACKEND: "wasm" }, maxBuffer: 1 << 24 },
    );
    const last = JSON.parse(r.stdout.trim().split("\n").pop() ?? "");
    expect(last.backend).toBe("wasm");
    for (const key of ["gemmGflops", "dqnUpdateMs", "sacUpdateMs"]) expect(last[key]).toBeGreaterThan(0);
    expect(last.hopperSacGroupStepsPerSecond.trainerThreads).toBeGreaterThan(0);
    expect(last.backends.wasm.dqnUpdateMs).toBeGreaterThan(0);
    expect(last.torch).toBeNull();
    expect(last.dqnUpdateBytesAllocated).toBeLessThan(0.5);
    const parts = last.peerLearningStepBreakdown;
    for (const key of ["updates", "adviceForwards", "trustAndAgentValues", "env", "rest"])
      expect(typeof parts[key]).toBe("number");
    expect(parts.updates).toBeGreaterThan(0);
    expect(parts.updates + parts.adviceForwards + parts.trustAndAgentValues + parts.env + parts.rest).toBeCloseTo(
      parts.total,
      9,
    );
    const partSpread = last.peerLearningStepBreakdownSpread;
    expect(partSpread.total.low).toBeLessThanOrEqual(parts.total);
    expect(partSpread.total.high).toBeGreaterThanOrEqual(parts.total);
    const limit = (2 * parts.total) / (2 * (parts.total - parts.updates) + parts.updates);
    expect(last.trainerThreadsLimit).toBeCloseTo(limit, 9);
    expect(last.updateGflop.dqn).toBeCloseTo(0.1379, 3); // 4-256-256-4 at batch 256: forward, target forward, backward
    if (last.corePeakGflops !== null) {
      expect(last.peerLearningShareOfLimit).toBeGreaterThan(0);
      expect(last.backends.wasm.shareOfPeak.dqnUpdate).toBeGreaterThan(0);
      expect(last.corePeakGflopsAtEnd).toBeGreaterThan(0);
    }
    // Every engine figure with the range of its repetitions around it; what moved is named, not hidden.
    const spread = last.backends.wasm.spread;
    expect(Object.keys(spread)).toEqual([
      ...GEMM_SHAPES.map((s) => `gemm ${s.label}`),
      "dqnUpdate",
      "sacUpdate",
      "sac150x200Update",
      "products dqn",
      "products sac",
      "products sac150x200",
    ]);
    // The ceilings: each update's share if only its product calls took time; the threads' limit over round-robin.
    for (const u of ["dqn", "sac", "sac150x200"]) expect(last.backends.wasm.updateShareCeiling[u]).toBeGreaterThan(0);
    const pl = last.peerLearningStepsPerSecond;
    expect(last.trainerThreadsLimitOverRoundRobin).toBeCloseTo((limit * pl.lockstep) / pl.roundRobin, 9);
    expect(last.ratioToTorchAtPeak).toBeNull(); // no PyTorch in this run
    expect(spread.dqnUpdate.low).toBeLessThanOrEqual(last.backends.wasm.dqnUpdateMs);
    expect(spread.dqnUpdate.high).toBeGreaterThanOrEqual(last.backends.wasm.dqnUpdateMs);
    expect(Array.isArray(last.unsteady)).toBe(true);
    for (const u of ["dqn", "sac", "sac150x200"])
      expect(last.backends.wasm.updateShareOfGemmRate[u]).toBeGreaterThan(0);
    if (last.unsteady.length > 0) expect(last.steadinessWarning).toMatch(/varied by more than 10%/);
    expect(last.cpu).toMatch(/family \d+, model \d+|cores\)/);
  }, 600_000); // no time limit that matters: a loaded machine only makes it slower
});
