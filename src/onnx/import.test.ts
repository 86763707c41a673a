import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Random } from "../core/random.js";
import { UserError } from "../core/errors.js";
import { make } from "../envs/registry.js";
import { ALGORITHMS, agentSpec, buildLearner, type AlgoSettings } from "../agents/algorithms.js";
import { getKernels } from "../nn/kernels/select.js";
import { OnnxPeer } from "../peers/onnx-peer.js";
import { exportOnnx } from "./export.js";
import { GraphBuilder, floatValue, intAttribute } from "./graph-builder.js";

const dir = mkdtempSync(join(tmpdir(), "peerlearn-onnx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function exported(env: string, settings: AlgoSettings, name: string) {
  const probe = make(env);
  const spec = agentSpec(settings, probe.observationSpace.dim, probe.actionSpace, settings.algo, env);
  const learner = buildLearner(spec, getKernels("js"), new Random(5));
  const path = join(dir, name);
  writeFileSync(path, exportOnnx(learner, { observation: probe.observationSpace, action: probe.actionSpace }, "test"));
  return { learner, path, obsDim: probe.observationSpace.dim, space: probe.actionSpace };
}

describe("an exported policy read back as a frozen ONNX peer", () => {
  for (const [env, algo, useSde] of [
    ["CartPole-v1", "dqn", false],
    ["Pendulum-v1", "sac", false],
    ["Pendulum-v1", "sac", true],
    ["Pendulum-v1", "td3", false],
  ] as const) {
    it(`${algo}${useSde ? " with gSDE" : ""}: suggests the learner's deterministic actions on 1,000 states`, () => {
      const base = ALGORITHMS[algo].hyperparameters(env, "tuned");
      const settings = { ...base, netArch: [32, 32], ...(algo === "sac" ? { useSde } : {}) };
      const { learner, path, obsDim, space } = exported(
        env,
        { algo, settings } as AlgoSettings,
        `${algo}-${useSde}.onnx`,
      );
      const peer = new OnnxPeer(path, obsDim, space, getKernels("js"));
      const width = space.kind === "discrete" ? 1 : space.dim;
      const mine = new Float32Array(width);
      const theirs = new Float32Array(width);
      const r = new Random(3);
      let worst = 0;
      for (let i = 0; i < 1000; i++) {
        const obs = Float32Array.from({ length: obsDim }, () => r.uniformIn(-2, 2));
        learner.suggest(obs, true, mine, 0);
        peer.suggest(obs, true, theirs, 0);
        if (space.kind === "discrete") expect(theirs[0]).toBe(mine[0]);
        for (let j = 0; j < width; j++) worst = Math.max(worst, Math.abs(theirs[j] - mine[j]));
      }
      expect(worst).toBeLessThanOrEqual(1e-5);
    });
  }
});

describe("ONNX files peerlearn does not read: one line each", () => {
  let bad = 0;
  const refuse = (bytes: Uint8Array, obsDim: number, pattern: RegExp): void => {
    const path = join(dir, `bad-${(bad += 1)}.onnx`);
    writeFileSync(path, bytes);
    let error: unknown = null;
    try {
      new OnnxPeer(path, obsDim, make("CartPole-v1").actionSpace, getKernels("js"));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(pattern);
    expect((error as Error).message).not.toContain("\n");
  };
  /** A graph obs -> op -> Gemm -> q, with `op` one node of the given type. */
  const withOp = (op: string): Uint8Array => {
    const g = new GraphBuilder();
    const x = g.node(op, ["obs"]);
    const w = g.constant("w", [2, 4], new Float32Array(8));
    g.node("Gemm", [x, w], [intAttribute("transB", 1)], "q");
    return g.encode([floatValue("obs", "batch", 4)], [floatValue("q", "batch", 2)], {}, "test");
  };
  const good = (): Uint8Array => {
    const g = new GraphBuilder();
    const w = g.constant("w", [2, 4], new Float32Array(8));
    g.node("Gemm", ["obs", w], [intAttribute("transB", 1)], "q");
    return g.encode([floatValue("obs", "batch", 4)], [floatValue("q", "batch", 2)], {}, "test");
  };

  it("a Conv or an LSTM: refused by name", () => {
    refuse(withOp("Conv"), 4, /operator Conv is not supported/);
    refuse(withOp("LSTM"), 4, /operator LSTM is not supported/);
  });

  it("an input of another size than the task's observation", () => {
    refuse(good(), 6, /input takes 4 numbers; the task's observation has 6/);
  });

  it("a truncated file", () => {
    const bytes = good();
    refuse(bytes.subarray(0, Math.floor(bytes.length / 2)), 4, /truncated or damaged/);
  });

  it("a header that claims 2 GB: refused without allocating it", () => {
    // ModelProto field 7 (graph), length-delimited, claiming 2^31 bytes, followed by a few.
    const claim = Uint8Array.of(0x3a, 0x80, 0x80, 0x80, 0x80, 0x08, 1, 2, 3);
    refuse(claim, 4, /truncated or damaged/);
  });

  it("a graph that loops", () => {
    const g = new GraphBuilder();
    g.node("Relu", ["loop"], [], "loop");
    const w = g.constant("w", [2, 4], new Float32Array(8));
    g.node("Gemm", ["loop", w], [intAttribute("transB", 1)], "q");
    refuse(
      g.encode([floatValue("obs", "batch", 4)], [floatValue("q", "batch", 2)], {}, "test"),
      4,
      /the graph loops through Relu/,
    );
  });

  it("a tensor whose data does not match its shape", () => {
    const g = new GraphBuilder();
    const w = g.constant("w", [2, 4], new Float32Array(3));
    g.node("Gemm", ["obs", w], [intAttribute("transB", 1)], "q");
    refuse(
      g.encode([floatValue("obs", "batch", 4)], [floatValue("q", "batch", 2)], {}, "test"),
      4,
      /12 bytes for 8 float32/,
    );
  });
});

describe("damaged ONNX files (fuzzed): a frozen peer or one line, never an internal error", () => {
  it("survives 3,000 flipped bytes and truncations of an exported SAC policy", () => {
    const base = ALGORITHMS.sac.hyperparameters("Pendulum-v1", "tuned");
    const { path, obsDim, space } = exported(
      "Pendulum-v1",
      { algo: "sac", settings: { ...base, netArch: [8] } } as AlgoSettings,
      "fuzz-base.onnx",
    );
    const bytes = readFileSync(path);
    const r = new Random(17);
    const target = join(dir, "fuzzed.onnx");
    let refused = 0;
    for (let t = 0; t < 3000; t++) {
      const mutated = Uint8Array.from(bytes.subarray(0, t % 7 === 0 ? r.integer(0, bytes.length) : bytes.length));
      for (let f = 0; f < 1 + (t % 4); f++)
        if (mutated.length) mutated[r.integer(0, mutated.length)] = r.integer(0, 256);
      writeFileSync(target, mutated);
      try {
        new OnnxPeer(target, obsDim, space, getKernels("js")).suggest(
          new Float32Array(obsDim),
          false,
          new Float32Array(1),
          0,
        );
      } catch (e) {
        if (!(e instanceof UserError)) throw new Error(`mutation ${t}: ${(e as Error).stack}`);
        expect((e as Error).message).not.toContain("\n");
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(100);
  });
});
