import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { stringify as toYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { UserError } from "../core/errors.js";
import { resolveGroupConfig, resolveTrainConfig } from "../cli/train.js";
import { configAssignments, parseConfigText } from "./load.js";

const dir = mkdtempSync(join(tmpdir(), "peerlearn-config-"));
let files = 0;

/** Resolves a config object written as a file, as `peerlearn train --config` does. */
async function resolveFile(text: string, ext: "json" | "yaml"): Promise<unknown> {
  const path = join(dir, `c${files++}.${ext}`);
  writeFileSync(path, text);
  const flags = ["--config", path];
  let preset = false;
  try {
    preset = "preset" in (parseConfigText(text, path) as object);
  } catch {
    // the resolvers report it
  }
  return preset ? resolveGroupConfig(flags) : resolveTrainConfig(flags);
}

/** Either a config or a UserError: anything else (a TypeError, a stack trace) fails the property. */
async function clearOrValid(text: string, ext: "json" | "yaml"): Promise<void> {
  try {
    await resolveFile(text, ext);
  } catch (e) {
    if (!(e instanceof UserError))
      throw new Error(`not a clear error for ${text.slice(0, 200)}: ${(e as Error).stack}`);
    expect((e as Error).message.split("\n")).toHaveLength(1);
  }
}

describe("config files", () => {
  it("a YAML file over a base: fields override, nested sections field by field", async () => {
    const yaml = "env: Room-v21\nsteps: 5000\ndqn:\n  learningRate: 0.001\n  netArch: [64, 64]\n";
    const r = (await resolveFile(yaml, "yaml")) as Awaited<ReturnType<typeof resolveTrainConfig>>;
    expect(r.config).toMatchObject({ env: "Room-v21", steps: 5000, algo: "dqn" });
    if (r.config.algo !== "dqn") throw new Error("dqn expected");
    expect(r.config.dqn.learningRate).toBe(0.001);
    expect(r.config.dqn.netArch).toEqual([64, 64]);
    expect(r.config.dqn.batchSize).toBe(256); // from the base
    const g = (await resolveFile(
      JSON.stringify({ preset: "room-v21/peer-learning", group: { followSteps: 3 }, seed: 7 }),
      "json",
    )) as Awaited<ReturnType<typeof resolveGroupConfig>>;
    expect(g.config.group.followSteps).toBe(3);
    expect(g.config.group.trust).toBe(true);
    expect(g.config.seed).toBe(7);
  });

  it("names the field, the value and what is allowed", async () => {
    await expect(resolveFile("env: Room-v21\ndqn:\n  gamma: 2\n", "yaml")).rejects.toThrow(
      /dqn.gamma: got 2, expected number to be <=1/,
    );
    await expect(resolveFile('{"env": "Room-v21", "steps": "many"}', "json")).rejects.toThrow(
      /steps: got "many", expected number/,
    );
    await expect(resolveFile("env: [1, 2", "yaml")).rejects.toThrow(/is not valid YAML/);
    await expect(resolveFile("- a\n- b\n", "yaml")).rejects.toThrow(
      /must hold a mapping of config fields .* got a list/,
    );
    await expect(resolveFile('{"peers": []}', "json")).rejects.toThrow(/needs "preset: <name>"/);
  });

  it("configAssignments splits the sections the base has into fields, and sets the rest whole", () => {
    expect(configAssignments({ a: 1, b: { c: [1, 2], d: "x" }, e: {}, f: { g: 1 } }, { b: { c: [] } })).toEqual([
      "a=1",
      "b.c=[1,2]",
      'b.d="x"',
      "e={}",
      'f={"g":1}',
    ]);
  });

  it("refuses what is not plain config data, and keeps loading linear and bounded", async () => {
    await expect(resolveFile('{"env":"Room-v21","__proto__":{"x":1}}', "json")).rejects.toThrow(
      /"__proto__" cannot be a config field name/,
    );
    await expect(resolveFile("env: Room-v21\nconstructor: 1\n", "yaml")).rejects.toThrow(
      /"constructor" cannot be a config field name/,
    );
    await expect(resolveFile("env: Room-v21\nenv: Room-v27\n", "yaml")).rejects.toThrow(/"env" is given twice/);
    const deep = `a:\n${Array.from({ length: 40 }, (_, i) => `${"  ".repeat(i + 1)}b:\n`).join("")}`;
    await expect(resolveFile(deep, "yaml")).rejects.toThrow(/nested more than 32 levels deep/);
    await expect(resolveFile("a: &x\n  b: *x\n", "yaml")).rejects.toThrow(/refers to itself|not valid YAML/);
    const many = Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}`).join("\n");
    await expect(resolveFile(many, "yaml")).rejects.toThrow(/has more than 10000 fields/);
    await expect(resolveFile(`env: Room-v21\nx: "${"y".repeat(1 << 20)}"\n`, "yaml")).rejects.toThrow(
      /config files are at most 1048576 bytes/,
    );
  });

  it("refuses a field given twice in one JSON object, as in YAML, and nothing else", () => {
    expect(() => parseConfigText('{"steps": 100, "steps": 200}', "a.json")).toThrow(
      /a\.json: the field "steps" is given twice in one object/,
    );
    expect(() => parseConfigText('{"group": {"trust": true, "trust": false}}', "b.json")).toThrow(
      /"trust" is given twice/,
    );
    const fine =
      '{"peers": [{"kind": "dqn"}, {"kind": "dqn"}], "note": "a \\"steps\\": 1", "x\\"y": {"steps": 2}, "steps": 3}';
    expect(parseConfigText(fine, "c.json")).toMatchObject({ steps: 3 });
  });

  it("gives the command line priority over the file", async () => {
    const path = join(dir, "seeded.json");
    writeFileSync(path, JSON.stringify({ env: "Room-v21", seed: 3, steps: 500, evalFreq: 100 }));
    const r = await resolveTrainConfig(["--config", path, "--seed", "7", "--set", "evalFreq=50"]);
    expect([r.config.seed, r.config.steps, r.config.evalFreq]).toEqual([7, 500, 50]);
  });

  it("fuzz: 300 malformed config files each give one clear error (or a valid config), never a crash", async () => {
    const fields = [
      "env",
      "algo",
      "preset",
      "steps",
      "seed",
      "evalFreq",
      "evalEpisodes",
      "checkpointFreq",
      "envOptions",
      "dqn",
      "sac",
      "td3",
      "group",
      "peers",
      "variant",
      "learningRate",
      "netArch",
      "zzz",
    ];
    const nested = [
      "learningRate",
      "batchSize",
      "gamma",
      "netArch",
      "followSteps",
      "temperature",
      "peerPolicy",
      "trust",
      "length",
      "kind",
      "x",
    ];
    const value = fc.oneof(
      fc.anything({ maxDepth: 2 }),
      fc.constantFrom(
        "Room-v21",
        "Pendulum-v1",
        "HalfCheetah-v4",
        "dqn",
        "sac",
        "room-v21/peer-learning",
        -1,
        0,
        1e9,
        0.5,
        null,
        [],
        {},
        [1, "a"],
      ),
    );
    const obj = fc.dictionary(
      fc.oneof(fc.constantFrom(...fields), fc.string({ maxLength: 8 })),
      fc.oneof(
        value,
        fc.dictionary(fc.oneof(fc.constantFrom(...nested), fc.string({ maxLength: 6 })), value, { maxKeys: 3 }),
      ),
      { maxKeys: 5 },
    );
    const base = fc.constantFrom<Record<string, unknown>>(
      { env: "Room-v21" },
      { env: "Pendulum-v1", algo: "sac" },
      { preset: "room-v21/peer-learning" },
      {},
    );
    const configs = fc.tuple(base, obj).map(([b, o]) => ({ ...b, ...o }));
    await fc.assert(
      fc.asyncProperty(configs, fc.boolean(), (c, asJson) =>
        clearOrValid(asJson ? JSON.stringify(c) : toYaml(c), asJson ? "json" : "yaml"),
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 200), seed: Number(process.env.FUZZ_SEED ?? 1) },
    );
    const texts = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.constantFrom("env: [", "{", "env: Room-v21\n  bad: indent", "a: &x [*x]", "!!binary xyz", "~", "42", '"s"'),
    );
    await fc.assert(
      fc.asyncProperty(texts, fc.boolean(), (t, asJson) => clearOrValid(t, asJson ? "json" : "yaml")),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 100), seed: Number(process.env.FUZZ_SEED ?? 2) },
    );
  });
});
