/**
 * `peerlearn dashboard --nats URL`: the sweeps on a NATS server, shown like local ones. A local folder mirrors,
 * every poll, what the server holds for dashboards: each sweep's plan and progress (written by `experiment
 * --nats`) as experiment.json and progress.json, each running run's metrics (kept by its worker), and each
 * finished run's config, metrics and summary from its results. Only what changed is fetched; nothing on the server
 * is written. The dashboard serves the mirror as one more folder.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import { Objm, type ObjectStore } from "@nats-io/obj";
import { Kvm, type KV } from "@nats-io/kv";
import { writeJsonAtomic } from "../runs/run-dir.js";
import { BundleError, unpack } from "../distributed/sweeps/bundle.js";
import { PathEscape, confined } from "../core/paths.js";
import { RunDirSchema, SweepIdSchema, SweepPlanSchema } from "../distributed/sweeps/sweep-messages.js";
import { connectNats } from "../distributed/nats-connection.js";
import { OBJECTS, PROGRESS, notFound } from "../distributed/sweeps/sweep-store.js";
import { givenUp } from "../core/given-up.js";

export interface NatsMirror {
  /** The local folder the dashboard serves. */
  readonly folder: string;
  /** Fetches what changed now (the poll does it by itself). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

const RESULT_FILES = new Set(["config.json", "metrics.jsonl", "summary.json"]);
/** A run's object name: <sweep>/<run dir>/<what>, the run dir being task/method/seed-k. */
const OBJECT = /^([0-9a-f]{16})\/(.+)\/(results|metrics)$/;

export async function startNatsMirror(url: string, pollMs = 2000): Promise<NatsMirror> {
  const nc: NatsConnection = await connectNats(url, "peerlearn dashboard");
  const folder = mkdtempSync(join(tmpdir(), "peerlearn-dashboard-nats-"));
  let objects: ObjectStore | null = null;
  let progress: KV | null = null;
  /** The digest of each object last written into the mirror. */
  const seen = new Map<string, string>();

  const runFolder = (sweep: string, dir: string): string | null =>
    RunDirSchema.safeParse(dir).success ? confined(folder, `${sweep}/${dir}`) : null;

  /** A store, or null while no sweep or worker has made it (any other failure is said, and tried again later). */
  const openStore = async <T>(open: () => Promise<T>, what: string): Promise<T | null> => {
    try {
      return await open();
    } catch (e) {
      if (!notFound(e)) givenUp(`dashboard: the ${what} on the NATS server cannot be opened; trying again`, e);
      return null;
    }
  };
  const refresh = async (): Promise<void> => {
    objects ??= await openStore(() => new Objm(nc).open(OBJECTS), "object store of runs");
    progress ??= await openStore(() => new Kvm(nc).open(PROGRESS), "progress bucket");
    if (progress) {
      for await (const key of await progress.keys("sweeps.*")) {
        const entry = await progress.get(key);
        const sweep = key.slice("sweeps.".length);
        if (!entry || entry.length === 0 || !SweepIdSchema.safeParse(sweep).success) continue;
        let value: unknown;
        try {
          value = entry.json();
        } catch {
          continue; // not a plan: one bad entry hides nothing else
        }
        const parsed = SweepPlanSchema.safeParse(value);
        if (!parsed.success) continue;
        const plan = parsed.data;
        mkdirSync(join(folder, sweep), { recursive: true });
        writeJsonAtomic(join(folder, sweep, "experiment.json"), {
          experiment: `${plan.experiment} (NATS sweep ${sweep})`,
          runs: plan.runDirs.map((dir) => ({ dir })),
        });
        writeJsonAtomic(join(folder, sweep, "progress.json"), plan);
      }
    }
    if (!objects) return;
    const infos = await objects.list();
    // Results replace a run's running metrics: take them last.
    infos.sort((a, b) => Number(a.name.endsWith("/results")) - Number(b.name.endsWith("/results")));
    for (const info of infos) {
      const m = OBJECT.exec(info.name);
      if (!m || info.deleted || seen.get(info.name) === info.digest) continue;
      const [, sweep, dir, what] = m;
      const target = runFolder(sweep, dir);
      if (!target) continue;
      if (what === "metrics" && seen.has(`${sweep}/${dir}/results`)) continue;
      const data = await objects.getBlob(info.name);
      if (!data) continue;
      mkdirSync(target, { recursive: true });
      seen.set(info.name, info.digest);
      try {
        if (what === "results") unpack(data, target, (path) => RESULT_FILES.has(path));
        else writeFileSync(join(target, "metrics.jsonl"), data);
      } catch (e) {
        if (!(e instanceof BundleError || e instanceof PathEscape)) throw e;
        // A damaged bundle shows nothing of that run; the others go on.
      }
    }
  };

  const lostPoll = (e: unknown): void =>
    givenUp("dashboard: reading the NATS server failed; the next poll tries again", e);
  let busy = false;
  const poll = setInterval(() => {
    if (busy) return;
    busy = true;
    refresh()
      .catch(lostPoll) // a server that is restarting: the next poll tries again
      .finally(() => (busy = false));
  }, pollMs);
  await refresh().catch(lostPoll);
  return {
    folder,
    refresh,
    close: async () => {
      clearInterval(poll);
      await nc.drain().catch((e: unknown) => givenUp("dashboard: the NATS connection did not close cleanly", e));
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
