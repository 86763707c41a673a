/**
 * A full disk is the user's to free, not a bug: a run whose metrics cannot be written (ENOSPC, injected by a
 * preloaded module, test/fixtures/disk-full.mjs) stops with one line that names what ran out and says the same
 * command resumes; it does, and the run ends as one that never stopped.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requireBuilt } from "./built.js";

const CLI = "dist/cli/main.js";
const root = mkdtempSync(join(tmpdir(), "peerlearn-disk-full-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const train = (out: string, preload: boolean) =>
  spawnSync(
    process.execPath,
    [
      ...(preload ? ["--import", "./test/fixtures/disk-full.mjs"] : []),
      CLI,
      "train",
      "--env",
      "CartPole-v1",
      "--steps",
      "2000",
      "--set",
      "evalFreq=500",
      "--set",
      "checkpointFreq=500",
      "--out",
      out,
    ],
    { encoding: "utf8", env: { ...process.env, PEERLEARN_TEST_WRITES_BEFORE_FULL: "2" } },
  );

describe("a full disk (needs `npm run build`)", () => {
  requireBuilt(CLI);
  it("stops a run with one line naming it, and the same command resumes to the uninterrupted result", () => {
    const full = train(join(root, "full"), true);
    expect(full.status).toBe(2);
    const lines = full.stderr.trim().split("\n");
    expect(lines[lines.length - 1]).toMatch(
      /^peerlearn: the disk is full \(ENOSPC\): free it and run the same command again; .*resumes/,
    );
    expect(full.stderr).not.toMatch(/internal error|a bug in peerlearn/);
    expect(train(join(root, "full"), false).status).toBe(0);
    expect(train(join(root, "plain"), false).status).toBe(0);
    const metrics = (d: string) => readFileSync(join(root, d, "metrics.jsonl"), "utf8");
    expect(metrics("full")).toBe(metrics("plain"));
  });
});
