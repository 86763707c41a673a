/**
 * Config mistakes that once slipped through, one test each: every one is refused by the same validation, whether
 * the config is printed (--print-config), trained, served as a peer or built by the library, with one line naming
 * it. Runs the CLI in this process.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../src/cli/main.js";
import { validateGroupRunConfig } from "../src/peers/validate-config.js";
import { findPreset } from "../src/peers/presets.js";

const dir = mkdtempSync(join(tmpdir(), "peerlearn-config-cases-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI here; its exit code and everything it printed. */
async function run(argv: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const capture = (chunk: unknown): boolean => (lines.push(String(chunk)), true);
  const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void capture(a.join(" ")));
  const err = vi.spyOn(process.stderr, "write").mockImplementation(capture);
  try {
    return { code: await runCli(argv), text: lines.join("\n") };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** The same mistake through --print-config, through train and through the library: refused alike. */
async function refusedEverywhere(set: string[], message: RegExp, preset = "room-v21/peer-learning"): Promise<void> {
  const sets = set.flatMap((s) => ["--set", s]);
  for (const extra of [["--print-config"], ["--steps", "10", "--out", join(dir, "never")]]) {
    const r = await run(["train", "--preset", preset, ...sets, ...extra]);
    expect(r.code, r.text).toBe(2);
    expect(r.text).toMatch(message);
  }
  const config = structuredClone(findPreset(preset).config) as unknown as Record<string, unknown>;
  for (const s of set) {
    const [key, value] = [s.slice(0, s.indexOf("=")), s.slice(s.indexOf("=") + 1)];
    config[key] = JSON.parse(value);
  }
  expect(() => validateGroupRunConfig(config)).toThrow(message);
}

describe("config cases that must be refused the same way everywhere", () => {
  it("SAC peers on Room-v21", () =>
    refusedEverywhere(['peers=[{"kind":"sac"}]'], /a sac peer needs continuous actions; Room-v21 has discrete ones/));

  it("a preset's env changed to one its peers cannot act in", () =>
    refusedEverywhere(['env="Pendulum-v1"'], /a dqn peer needs discrete actions; Pendulum-v1 has continuous ones/));

  it("the Room expert on CartPole", () =>
    refusedEverywhere(
      ['env="CartPole-v1"', 'peers=[{"kind":"dqn"},{"kind":"expert"}]'],
      /scripted expert peers exist for the Room tasks only, not CartPole-v1/,
    ));

  it("a td3 section on a SAC peer, and a sac section on a TD3 peer", async () => {
    await refusedEverywhere(
      ['peers=[{"kind":"sac","td3":{"learningRate":0.1}}]'],
      /a sac peer takes sac settings only, not td3/,
      "pendulum-v1/peer-learning",
    );
    await refusedEverywhere(
      ['peers=[{"kind":"td3","sac":{"learningRate":0.1}}]'],
      /a td3 peer takes td3 settings only, not sac/,
      "pendulum-v1/peer-learning",
    );
  });

  it("preset: with algo: in a config file", async () => {
    const r = await run(["train", "--config", file("p.yaml", "preset: room-v21/peer-learning\nalgo: sac\n")]);
    expect(r.code).toBe(2);
    expect(r.text).toMatch(/a config file with preset: takes no algo:/);
  });

  it("peers=N on presets whose group has several kinds", async () => {
    for (const preset of ["hopper-v4/mixed", "room-v21/adversarial", "room-v21/study-group"]) {
      const r = await run(["train", "--preset", preset, "--set", "peers=3", "--print-config"]);
      expect(r.code, preset).toBe(2);
      expect(r.text).toMatch(/makes 3 learners of one kind, but .*'s group is .*: give the whole list/);
    }
    expect(
      (await run(["train", "--preset", "hopper-v4/peer-learning", "--set", "peers=3", "--print-config"])).code,
    ).toBe(0);
  });

  it("peer --print-config prints and serves nothing; --dashboard is peer 0's", async () => {
    const args = ["peer", "--preset", "room-v21/peer-learning", "--nats", "nats://127.0.0.1:1", "--group", "g"];
    const printed = await run([...args, "--index", "1", "--print-config"]);
    expect(printed.code, printed.text).toBe(0);
    expect(JSON.parse(printed.text).env).toBe("Room-v21");
    const dashboard = await run([...args, "--index", "1", "--dashboard"]);
    expect(dashboard.code).toBe(2);
    expect(dashboard.text).toMatch(/--dashboard shows the group's run folder, which peer 0 writes/);
  });

  it("list takes nothing it does not know", async () => {
    expect((await run(["list", "envs", "extra"])).text).toMatch(/list envs takes nothing more, got "extra"/);
    expect((await run(["list", "presets", "--json"])).text).toMatch(/list presets takes nothing more/);
  });

  it("numbers that are not finite, a byte order mark and several YAML documents get their own words", async () => {
    const steps = await run(["train", "--preset", "room-v21/peer-learning", "--set", "steps=1e999", "--print-config"]);
    expect(steps.text).toMatch(/--set steps holds a number too large to represent \(it reads as Infinity\)/);
    const json = await run(["train", "--config", file("big.json", '{"env": "Room-v21", "steps": 1e999}')]);
    expect(json.text).toMatch(/big\.json holds a number too large to represent/);
    const bom = await run(["train", "--config", file("bom.json", '\ufeff{"env": "Room-v21"}')]);
    expect(bom.text).toMatch(/bom\.json starts with a byte order mark \(BOM/);
    const docs = await run(["train", "--config", file("two.yaml", "env: Room-v21\n---\nsteps: 5\n")]);
    expect(docs.text).toMatch(/two\.yaml holds 2 YAML documents \(separated by ---\): a config file is one document/);
  });

  it('a mistyped preset, env, option or field gets a "did you mean"; preset names ignore case', async () => {
    const said = async (args: string[]) => (await run(args)).text;
    expect(await said(["train", "--preset", "room-v21/peer-learnin", "--print-config"])).toMatch(
      /unknown preset "room-v21\/peer-learnin" \(did you mean "room-v21\/peer-learning"/,
    );
    expect((await run(["train", "--preset", "Room-v21/peer-learning", "--print-config"])).code).toBe(0);
    expect(await said(["train", "--env", "room-v21", "--print-config"])).toMatch(/\(did you mean "Room-v21"\?\)/);
    expect(await said(["train", "--env", "Room-v21", "--stpes", "5"])).toMatch(
      /unknown option --stpes \(did you mean --steps\?\): this command takes --config, --preset/,
    );
    const group = ["train", "--preset", "room-v21/peer-learning", "--print-config", "--set"];
    expect(await said([...group, "followSteps=5"])).toMatch(
      /unknown field "followSteps" \(it belongs under group: group\.followSteps/,
    );
    expect(await said([...group, "group.followStep=5"])).toMatch(
      /unknown field "followStep" \(did you mean "followSteps"\?\)/,
    );
  });

  it("a run too short for 10 evaluations evaluates every tenth of it, unless evalFreq is set", async () => {
    const evalFreq = async (extra: string[]) =>
      JSON.parse((await run(["train", "--preset", "room-v21/peer-learning", ...extra, "--print-config"])).text)
        .evalFreq as number;
    expect(await evalFreq([])).toBe(10_000);
    expect(await evalFreq(["--steps", "5000"])).toBe(1000);
    expect(await evalFreq(["--steps", "50000"])).toBe(5000);
    expect(await evalFreq(["--steps", "500"])).toBe(250);
    expect(await evalFreq(["--steps", "5000", "--set", "evalFreq=7000"])).toBe(7000);
  });
});
