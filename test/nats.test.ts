/**
 * Sweeps over NATS JetStream: a real nats-server (started here with JetStream on a free loopback port and a
 * temporary store), two `peerlearn worker` processes and one `peerlearn experiment --nats`. A worker SIGKILLed in
 * the middle of a run, or the server SIGKILLed and restarted mid-sweep, changes nothing: every run is done once
 * and the results equal the same sweep run locally (curves.csv byte for byte; runs.csv but for its wall-time
 * columns). The peers of one group in three `peerlearn peer` processes give the metrics of the same group in one
 * process; one SIGKILLed is left out, and restarted, it resumes from its checkpoint and the group takes it back;
 * peer 0 (the coordinator) SIGKILLed and restarted resumes the whole group, ending exactly as one process.
 * nats-server is optional for a user's `npm test`; in CI (.ci/run installs it) a missing one fails.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startDashboard } from "../src/dashboard/server.js";
import { requireBuilt } from "./built.js";
import { hasTool, runsWith } from "./tools.js";
import { freePort, killAll, startCli, startServer, until } from "./nats-tools.js";

const CLI = "dist/cli/main.js";
const HAVE_SERVER = hasTool("nats-server");
const SWEEP = ["fig4", "--budget", "0.002", "--seeds", "2"];
// Short ack waits, so that a dead worker's run comes back in seconds (the server is fresh for every test).
const ENV = { ...process.env, PEERLEARN_NATS_ACK_WAIT_MS: "3000" };

const root = mkdtempSync(join(tmpdir(), "peerlearn-nats-"));
afterAll(() => {
  killAll();
  rmSync(root, { recursive: true, force: true });
});
const start = (args: string[], lines: string[] = []) => startCli(args, ENV, lines);

/** runs.csv without its wall-time columns (wall_seconds, steps_per_second), which no two runs share. */
function runsCsv(dir: string): string[] {
  const rows = readFileSync(join(dir, "runs.csv"), "utf8")
    .trim()
    .split("\n")
    .map((l) => l.split(","));
  const drop = new Set(["wall_seconds", "steps_per_second"].map((c) => rows[0].indexOf(c)));
  return rows.map((r) => r.filter((_, i) => !drop.has(i)).join(","));
}

let local: string | undefined;
async function localSweep(): Promise<string> {
  if (local) return local;
  const out = join(root, "local");
  const r = start(["experiment", ...SWEEP, "--out", out]);
  expect(await r.done).toBe(0);
  local = out;
  return out;
}

describe.runIf(runsWith(HAVE_SERVER))("sweeps over NATS JetStream (needs `npm run build`)", () => {
  requireBuilt(CLI);
  it("nats-server is installed (Debian: nats-server)", () => expect(HAVE_SERVER).toBe(true));

  it.each([["a worker SIGKILLed mid-run"], ["the server SIGKILLed and restarted mid-sweep"]])(
    "ends with every run once and the local sweep's results, with %s",
    async (fault) => {
      const port = await freePort();
      const store = mkdtempSync(join(root, "store-"));
      let server = await startServer(port, store);
      const url = `nats://127.0.0.1:${port}`;
      const out = join(root, `nats-${port}`);
      const sweep = start(["experiment", ...SWEEP, "--nats", url, "--out", out]);
      const w1 = start(["worker", "--nats", url, "--workers", "1"]);
      const w2 = start(["worker", "--nats", url, "--workers", "1"]);
      await until("a checkpoint to be stored", () => w1.lines.some((l) => l.includes("stored")));
      if (fault.startsWith("a worker")) {
        w1.child.kill("SIGKILL");
        // Its run comes back to the other worker after the ack wait, from the checkpoint stored last.
        await until("the run to resume elsewhere", () => w2.lines.some((l) => /resuming from step \d+/.test(l)));
      } else {
        server.kill("SIGKILL");
        await new Promise((r) => server.on("exit", r));
        await new Promise((r) => setTimeout(r, 500));
        server = await startServer(port, store);
      }
      expect(await sweep.done, sweep.lines.join("\n")).toBe(0);
      for (const w of [w1, w2]) w.child.kill("SIGKILL");
      const done = [...w1.lines, ...w2.lines].filter((l) => l.endsWith(": done")).map((l) => l.split(":")[0]);
      expect(done.sort()).toEqual([...new Set(done)].sort()); // no run was finished twice
      const base = await localSweep();
      expect(readFileSync(join(out, "curves.csv"), "utf8")).toBe(readFileSync(join(base, "curves.csv"), "utf8"));
      expect(runsCsv(out)).toEqual(runsCsv(base));
      // A dashboard on another machine sees the sweep through the server alone: its plan, progress and runs.
      const dashboard = await startDashboard({ folders: [], port: 0, host: "127.0.0.1", nats: url, pollMs: 200 });
      try {
        const get = (path: string) => fetch(new URL(path, dashboard.url)).then((r) => r.json());
        await until("the dashboard to show the sweep", async () => {
          const sweeps = (await get("/api/sweeps")) as { runs: number; done: number; experiment: string }[];
          return sweeps.length === 1 && sweeps[0].done === 4 && sweeps[0].runs === 4;
        });
        const runs = (await get("/api/runs")) as { id: string; summary: unknown }[];
        expect(runs).toHaveLength(4);
        expect(runs.every((r) => r.summary !== null)).toBe(true);
        const metrics = (await get(`/api/metrics?run=${encodeURIComponent(runs[0].id)}`)) as { lines: unknown[] };
        expect(metrics.lines.length).toBeGreaterThan(0);
      } finally {
        await dashboard.close();
      }
      server.kill("SIGKILL");
    },
    240_000,
  );
});

describe.runIf(runsWith(HAVE_SERVER))("the peers of one group in separate processes (needs `npm run build`)", () => {
  requireBuilt(CLI);
  const GROUP = [
    "--preset",
    "room-v21/peer-learning",
    "--set",
    'peers=[{"kind":"dqn"},{"kind":"dqn"},{"kind":"dqn"}]',
    "--set",
    "evalFreq=500",
    "--set",
    "checkpointFreq=500",
  ];
  const metrics = (dir: string): string => readFileSync(join(dir, "metrics.jsonl"), "utf8");
  /** `peerlearn peer` for peer i of group `group` on the server at `port`, with its own folder. */
  const peerArgs = (port: number, group: string, i: number, out: string, extra: string[]): string[] => [
    "peer",
    ...GROUP,
    ...extra,
    "--nats",
    `nats://127.0.0.1:${port}`,
    "--group",
    group,
    "--index",
    String(i),
    "--out",
    join(root, out),
  ];
  /** The same group in one process (lockstep), into `out`. */
  const oneProcess = (out: string, extra: string[]) =>
    start(["train", ...GROUP, ...extra, "--set", "group.schedule=lockstep", "--out", join(root, out)]);

  // The corrected variant: its suggestions draw (epsilon-greedy), so a suggestion computed ahead and not used must
  // give its draws back for the metrics to match.
  it("learn Room-v21 together with the metrics of the same group in one process", async () => {
    const port = await freePort();
    const server = await startServer(port, mkdtempSync(join(root, "store-")));
    const steps = ["--steps", "1500", "--set", "variant=corrected"];
    const peer = (i: number) => start(peerArgs(port, "g", i, `peer-${i}`, steps));
    const peers = [peer(1), peer(2), peer(0)];
    const local = oneProcess("one-process", steps);
    for (const p of peers) expect(await p.done, p.lines.join("\n")).toBe(0);
    expect(await local.done, local.lines.join("\n")).toBe(0);
    expect(metrics(join(root, "peer-0"))).toBe(metrics(join(root, "one-process")));
    for (const i of [1, 2])
      expect(existsSync(join(root, `peer-${i}`, "final", `peer-${i}`, "model.safetensors"))).toBe(true);
    server.kill("SIGKILL");
  }, 240_000);

  // A SAC's value estimates sample its action: a peer's suggestion taken before updates that waited for the next
  // step would move its draws (group.ts, suggestsApartFromUpdates).
  it("learn Pendulum-v1 as SAC peers, whose value estimates draw, with the metrics of one process", async () => {
    const port = await freePort();
    const server = await startServer(port, mkdtempSync(join(root, "store-")));
    const sac = '{"kind":"sac","sac":{"learningStarts":100,"useSde":false,"netArch":[32,32]}}';
    const extra = ["--steps", "1000", "--set", "env=Pendulum-v1", "--set", `peers=[${sac},${sac}]`];
    const peers = [0, 1].map((i) => start(peerArgs(port, "sac", i, `sac-${i}`, extra)));
    const local = oneProcess("sac-one-process", extra);
    for (const p of peers) expect(await p.done, p.lines.join("\n")).toBe(0);
    expect(await local.done, local.lines.join("\n")).toBe(0);
    expect(metrics(join(root, "sac-0"))).toBe(metrics(join(root, "sac-one-process")));
    server.kill("SIGKILL");
  }, 240_000);

  it("go on without a peer that was SIGKILLed, and take it back when it is restarted", async () => {
    const port = await freePort();
    const server = await startServer(port, mkdtempSync(join(root, "store-")));
    // Steps enough that the group is still running when the restarted peer is up (a slow start on a busy machine).
    const args = (i: number) =>
      peerArgs(port, "k", i, `kill-${i}`, ["--steps", "6000", "--set", "group.adviceTimeoutMs=2000"]);
    const one = start(args(1));
    const two = start(args(2));
    const coordinator = start(args(0));
    await until("peer 2's first checkpoint", () => existsSync(join(root, "kill-2", "checkpoints", "latest.json")));
    two.child.kill("SIGKILL");
    await until("peer 2 to be left out", () => coordinator.lines.some((l) => l.includes("peer 2 did not answer")), [
      coordinator,
    ]);
    const again = start(args(2));
    await until("peer 2 to be back", () => coordinator.lines.some((l) => /peer 2 is back, at its step \d+/.test(l)), [
      coordinator,
      again,
    ]);
    expect(await coordinator.done, coordinator.lines.join("\n")).toBe(0);
    expect(await one.done).toBe(0);
    expect(await again.done, again.lines.join("\n")).toBe(0);
    expect(again.lines.some((l) => /resumed from its checkpoint step-\d+/.test(l))).toBe(true);
    const summary = JSON.parse(readFileSync(join(root, "kill-0", "summary.json"), "utf8")) as { steps: number };
    expect(summary.steps).toBe(6000);
    server.kill("SIGKILL");
  }, 240_000);

  it("resume the group from peer 0's checkpoint when peer 0 is SIGKILLed and restarted, ending as one process", async () => {
    const port = await freePort();
    const server = await startServer(port, mkdtempSync(join(root, "store-")));
    const steps = ["--steps", "2000"];
    const args = (i: number) => peerArgs(port, "c", i, `coordinator-${i}`, steps);
    const others = [start(args(1)), start(args(2))];
    const first = start(args(0));
    await until("peer 0's checkpoint", () => existsSync(join(root, "coordinator-0", "checkpoints", "latest.json")));
    first.child.kill("SIGKILL");
    await first.done;
    const again = start(args(0));
    const local = oneProcess("one-process-2", steps);
    expect(await again.done, again.lines.join("\n")).toBe(0);
    for (const p of others) expect(await p.done, p.lines.join("\n")).toBe(0);
    expect(await local.done).toBe(0);
    expect(metrics(join(root, "coordinator-0"))).toBe(metrics(join(root, "one-process-2")));
    server.kill("SIGKILL");
  }, 240_000);
});
