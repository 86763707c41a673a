/**
 * Damaged run folders and checkpoints: a tampered, truncated or foreign file is named in one line (exit code 2),
 * nothing is resumed from it and nothing already written is lost; a finished folder answers only for its own
 * config; a start that failed leaves nothing that blocks the corrected command.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireBuilt } from "./built.js";

const CLI = "dist/cli/main.js";
const RUN = ["train", "--env", "Room-v6", "--steps", "600", "--seed", "4", "--set", "dqn.netArch=[8]"];
const SMALL = [
  "--set",
  "dqn.batchSize=8",
  "--set",
  "checkpointFreq=300",
  "--set",
  "evalFreq=300",
  "--set",
  "evalEpisodes=1",
];

const root = mkdtempSync(join(tmpdir(), "peerlearn-damage-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [CLI, ...args], { encoding: "utf8" });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

/** The stderr line that says what went wrong (the last one). */
const lastLine = (s: string): string => s.trim().split("\n").at(-1) ?? "";

describe("damaged run folders and checkpoints (needs `npm run build`)", () => {
  requireBuilt(CLI);
  const finished = join(root, "finished");
  beforeAll(async () => {
    const r = await cli([...RUN, ...SMALL, "--out", finished]);
    expect(r.code, r.stderr).toBe(0);
  });

  /** A copy of the finished run as a run killed after its last checkpoint (no summary, no final model). */
  function unfinished(name: string): string {
    const dir = join(root, name);
    cpSync(finished, dir, { recursive: true });
    unlinkSync(join(dir, "summary.json"));
    rmSync(join(dir, "final"), { recursive: true });
    return dir;
  }
  const latest = (dir: string): string => join(dir, "checkpoints", "step-600");

  it("resumes an intact copy and ends with the same metrics", async () => {
    const dir = unfinished("intact");
    const r = await cli([...RUN, ...SMALL, "--out", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, "metrics.jsonl"), "utf8")).toBe(
      readFileSync(join(finished, "metrics.jsonl"), "utf8"),
    );
  });

  it.each([
    ["a flipped byte in the weights", "model.safetensors", /model\.safetensors does not match its SHA-256/],
    ["an edited step count", "state.json", /state\.json (does not match its SHA-256|has \d+ bytes)/],
    ["a truncated replay buffer", "buffer.bin", /buffer\.bin has \d+ bytes, the manifest says \d+/],
    ["a missing manifest", "manifest.json", /manifest\.json is missing or not a manifest/],
  ])("refuses a checkpoint with %s, naming the file, and keeps the folder as it was", async (_what, file, message) => {
    const dir = unfinished(file.replace(/\W/g, "-"));
    const path = join(latest(dir), file);
    const bytes = readFileSync(path);
    if (file === "model.safetensors") bytes[bytes.length - 3] ^= 0x40;
    if (file === "state.json") writeFileSync(path, bytes.toString().replace('"steps": 600', '"steps": 599'));
    else if (file === "buffer.bin") writeFileSync(path, bytes.subarray(0, bytes.length - 100));
    else if (file === "manifest.json") unlinkSync(path);
    else writeFileSync(path, bytes);
    const metrics = readFileSync(join(dir, "metrics.jsonl"), "utf8");
    const r = await cli([...RUN, ...SMALL, "--out", dir]);
    expect(r.code).toBe(2);
    expect(lastLine(r.stderr)).toMatch(/the checkpoint .*step-600 is damaged: /);
    expect(lastLine(r.stderr)).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(join(dir, "metrics.jsonl"), "utf8")).toBe(metrics);
  });

  it("refuses a checkpoint taken with another config (config.json deleted, learning rate changed)", async () => {
    const dir = unfinished("config");
    unlinkSync(join(dir, "config.json"));
    const r = await cli([...RUN, ...SMALL, "--set", "dqn.learningRate=0.01", "--out", dir]);
    expect(r.code).toBe(2);
    expect(lastLine(r.stderr)).toMatch(/was taken with another config\.json than the folder holds now/);
  });

  it("answers for a finished folder only with its own config", async () => {
    const same = await cli([...RUN, ...SMALL, "--out", finished]);
    expect(same.code).toBe(0);
    for (const change of [
      ["--steps", "700"],
      ["--seed", "5"],
      ["--set", 'env="Room-v21"'],
    ]) {
      const r = await cli([...RUN, ...SMALL, ...change, "--out", finished]);
      expect(r.code, change.join(" ")).toBe(2);
      expect(lastLine(r.stderr)).toMatch(/holds a finished run with a different config/);
    }
    const group = await cli(["train", "--preset", "room-v21/peer-learning", "--out", finished, "--steps", "10"]);
    expect(group.code).toBe(2);
  });

  it("names a summary.json that is not this kind of run's", async () => {
    const dir = join(root, "foreign-summary");
    cpSync(finished, dir, { recursive: true });
    writeFileSync(join(dir, "summary.json"), JSON.stringify({ env: "Room-v6", peers: "x" }));
    const r = await cli([...RUN, ...SMALL, "--out", dir]);
    expect(r.code).toBe(2);
    expect(lastLine(r.stderr)).toMatch(/summary\.json is not a single-agent run's summary/);
  });

  it("lets the corrected command take over the folder of a start that failed", async () => {
    const dir = join(root, "failed-start");
    const frozen = ["--set", 'peers=[{"kind":"dqn"},{"kind":"frozen","checkpoint":"nope.safetensors"}]'];
    const group = [
      "train",
      "--preset",
      "room-v21/peer-learning",
      "--steps",
      "300",
      "--out",
      dir,
      "--set",
      "dqn.netArch=[8]",
    ];
    const failed = await cli([...group, ...frozen]);
    expect(failed.code).toBe(2);
    expect(lastLine(failed.stderr)).toMatch(/cannot read nope\.safetensors/);
    const fixed = await cli([...group, "--set", "group.minEpochLength=100"]);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(readdirSync(dir)).toContain("summary.json");
  });

  it("runs again an experiment's run whose summary is damaged (kept aside), and names a report file in the way", async () => {
    const out = join(root, "sweep");
    const sweep = ["experiment", "fig4", "--budget", "0.0003", "--seeds", "1", "--out", out];
    expect((await cli(sweep)).code).toBe(0);
    const curves = readFileSync(join(out, "curves.csv"), "utf8");
    const run = join(out, "Room-v21", "adversarial", "seed-0");
    writeFileSync(join(run, "summary.json"), "garbage");
    const again = await cli(sweep);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(
      /summary\.json cannot be read as JSON .*: moved to .*seed-0\.damaged; the run starts again/,
    );
    expect(readdirSync(join(out, "Room-v21", "adversarial")).sort()).toEqual(["seed-0", "seed-0.damaged"]);
    expect(readFileSync(join(out, "curves.csv"), "utf8")).toBe(curves);
    rmSync(join(out, "runs.csv"));
    mkdirSync(join(out, "runs.csv"));
    const blocked = await cli(["report", out]);
    expect(blocked.code).toBe(2);
    expect(lastLine(blocked.stderr)).toMatch(/cannot write .*runs\.csv \(EISDIR\): move what is in the way/);
  });
});
