/**
 * `peerlearn worker --nats URL`: runs a sweep's runs on this machine. Each slot (default one per core) has its own
 * worker thread (experiments/run-worker.ts), pulls one run at a time from the sweep's work queue, keeps it with a
 * heartbeat while it trains, stores each newer checkpoint of it in the object store and, at the end, its results,
 * then acknowledges it. A run delivered again after a worker died resumes from the checkpoint stored last and ends
 * exactly as an uninterrupted run; a run whose results are stored already is only acknowledged.
 */
import { givenUp, goOn } from "../../core/given-up.js";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { JsMsg } from "@nats-io/jetstream";
import { z } from "zod";
import { UserError, printable } from "../../core/errors.js";
import { PathEscape, confined } from "../../core/paths.js";
import { sha256Text } from "../../runs/checkpoint-manifest.js";
import { writeJsonAtomic } from "../../runs/run-dir.js";
import type { GroupRunConfig } from "../../peers/config.js";
import { parseSummary } from "../../experiments/curves.js";
import type { FromWorker, ToWorker } from "../../experiments/run-protocol.js";
import { BundleError, bundleFile, pack, unpack } from "./bundle.js";
import {
  BadJob,
  ResultsRecordSchema,
  firstIssue,
  parseJob,
  type ResultsRecord,
  type RunJob,
} from "./sweep-messages.js";
import { connectNats, redactUrl } from "../nats-connection.js";
import { retry } from "../retry.js";
import {
  ACK_WAIT_MS,
  DEAD_RUNS_SUBJECT,
  checkpointName,
  metricsName,
  notFound,
  openSweepStore,
  progressKey,
  resultsName,
  type SweepStore,
} from "./sweep-store.js";

export interface WorkerOptions {
  url: string;
  slots: number;
  log: (line: string) => void;
}

const failedName = (job: RunJob): string => `${job.sweep}/${job.dir}/failed`;

/** Trains one run in `thread`; resolves when it is done. */
function trainIn(
  thread: Worker,
  job: RunJob,
  out: string,
  onProgress: (steps: number, total: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromWorker): void => {
      if (m.type === "progress") return onProgress(m.steps, m.total);
      thread.off("message", onMessage);
      if (m.type === "done") resolve();
      else
        reject(m.name === "UserError" || m.name === "DivergenceError" ? new UserError(m.message) : new Error(m.stack));
    };
    thread.on("message", onMessage);
    const msg: ToWorker = { type: "run", id: 0, config: job.config, out, preset: job.preset };
    thread.postMessage(msg);
  });
}

/** Stores the newest committed checkpoint of the run in `out`, if it is newer than `last`; returns its step. */
async function storeCheckpoint(
  store: SweepStore,
  job: RunJob,
  out: string,
  last: number,
  log: (line: string) => void,
): Promise<number> {
  const pointer = join(out, "checkpoints", "latest.json");
  if (!existsSync(pointer)) return last;
  let data: Uint8Array;
  let step: number;
  try {
    const latest = JSON.parse(readFileSync(pointer, "utf8")) as { dir: string; step: number };
    if (latest.step <= last) return last;
    step = latest.step;
    data = pack(out, ["config.json", "metrics.jsonl", "checkpoints/latest.json", `checkpoints/${latest.dir}`]);
  } catch {
    // A newer checkpoint replaced it while it was read: the next look takes that one.
    return last;
  }
  await retry("storing a checkpoint", () => store.objects.putBlob({ name: checkpointName(job.sweep, job.dir) }, data));
  log(`${job.dir}: checkpoint at step ${step} stored`);
  return step;
}

/** Stores the run's metrics.jsonl when it grew (dashboards show running runs from it); returns its new size. */
async function storeMetrics(store: SweepStore, job: RunJob, out: string, size: number): Promise<number> {
  let data: Buffer;
  try {
    data = readFileSync(join(out, "metrics.jsonl"));
  } catch {
    return size;
  }
  if (data.length === size) return size;
  await store.objects.putBlob({ name: metricsName(job.sweep, job.dir) }, data);
  return data.length;
}

/** The hash a run's results are tied to: its config as validated (the same on the sweep's side). */
export const configHashOf = (config: GroupRunConfig): string => sha256Text(JSON.stringify(config));

/**
 * Whether stored results belong to this job (its sweep, run folder and config, as run.json in the bundle says),
 * with a readable summary. Results of another run, or damaged ones, are not taken as this run's.
 */
export function resultsBelong(data: Uint8Array, job: RunJob, configHash: string): string | null {
  try {
    const record = bundleFile(data, "run.json");
    if (!record) return "they have no run.json";
    const r = ResultsRecordSchema.safeParse(JSON.parse(new TextDecoder().decode(record)));
    if (!r.success) return `their run.json: ${firstIssue(r.error)}`;
    if (r.data.sweep !== job.sweep || r.data.dir !== job.dir) return `they are those of ${r.data.sweep}/${r.data.dir}`;
    if (r.data.configHash !== configHash) return "they were made with another config";
    const summary = bundleFile(data, "summary.json");
    if (!summary) return "they have no summary.json";
    parseSummary(JSON.parse(new TextDecoder().decode(summary)), "summary.json");
    return null;
  } catch (e) {
    if (e instanceof BundleError || e instanceof SyntaxError || e instanceof UserError) return printable(e.message);
    throw e;
  }
}

/** Records a message this worker cannot run on the dead-letter stream, once, and takes it off the work queue. */
async function deadLetter(store: SweepStore, msg: JsMsg, reason: string, log: (line: string) => void): Promise<void> {
  const record = {
    subject: msg.subject,
    reason,
    bytes: msg.data.length,
    head: printable(new TextDecoder().decode(msg.data.subarray(0, 200)), 200),
    deliveries: msg.info.deliveryCount,
    at: new Date().toISOString(),
  };
  await retry("recording a refused job", () => store.js.publish(DEAD_RUNS_SUBJECT, JSON.stringify(record)));
  msg.term(reason.slice(0, 200));
  log(`peerlearn worker: refused a job on ${msg.subject}: ${printable(reason)} (recorded on ${DEAD_RUNS_SUBJECT})`);
}

/** Unpacks the stored checkpoint of a run into `out`; its step, or null when it is damaged (then `out` is empty). */
function restoreCheckpoint(saved: Uint8Array, out: string): number | null {
  try {
    unpack(saved, out);
    const latest = LatestSchema.parse(JSON.parse(readFileSync(join(out, "checkpoints", "latest.json"), "utf8")));
    return latest.step;
  } catch (e) {
    const damaged =
      e instanceof BundleError ||
      e instanceof PathEscape ||
      e instanceof SyntaxError ||
      e instanceof z.ZodError ||
      (e as NodeJS.ErrnoException).code === "ENOENT";
    if (!damaged) throw e;
    rmSync(out, { recursive: true, force: true });
    return null;
  }
}

const LatestSchema = z.looseObject({ step: z.number().int().min(0).max(1e13) });

async function runJob(
  store: SweepStore,
  msg: JsMsg,
  thread: Worker,
  root: string,
  log: (line: string) => void,
): Promise<void> {
  let job: RunJob;
  try {
    job = parseJob(msg.data);
  } catch (e) {
    if (e instanceof BadJob) return deadLetter(store, msg, e.message, log);
    throw e;
  }
  const configHash = configHashOf(job.config);
  const done = await retry("looking up results", () => store.objects.getBlob(resultsName(job.sweep, job.dir)));
  if (done) {
    const wrong = resultsBelong(done, job, configHash);
    if (wrong === null) {
      await retry("acknowledging", () => msg.ackAck());
      return;
    }
    log(`${job.dir}: the results stored for it are not its own (${wrong}): running it`);
  }
  const key = progressKey(job.sweep, job.dir);
  if (await runningElsewhere(store, key, msg, log)) {
    log(`${job.dir}: another worker is running it (its progress moves): asking again later`);
    msg.nak(ACK_WAIT_MS);
    return;
  }
  // Ids of a fixed character set (sweep-messages.ts), and checked again here: the folder stays under the root.
  const out = confined(root, `${job.sweep}/${job.dir}`);
  rmSync(out, { recursive: true, force: true });
  const saved = await retry("fetching a checkpoint", () => store.objects.getBlob(checkpointName(job.sweep, job.dir)));
  let stored = 0;
  let metricsSize = -1;
  let resumed = false;
  if (saved) {
    const step = restoreCheckpoint(saved, out);
    if (step === null) log(`${job.dir}: its stored checkpoint is damaged: starting afresh`);
    else [stored, resumed] = [step, true];
  }
  log(`${job.dir}: ${resumed ? `resuming from step ${stored}` : "starting"} (delivery ${msg.info.deliveryCount})`);
  let busy = false;
  const tick = setInterval(() => {
    msg.working();
    if (busy) return;
    busy = true;
    void storeCheckpoint(store, job, out, stored, log)
      .then((s) => (stored = s))
      .then(() => storeMetrics(store, job, out, metricsSize))
      .then((size) => (metricsSize = size))
      .catch((e: unknown) => gaveUp(log, `${job.dir}: storing its checkpoint or metrics`, e))
      .finally(() => (busy = false));
  }, ACK_WAIT_MS / 4);
  let lastPut = 0;
  try {
    await trainIn(thread, job, out, (steps, total) => {
      const now = performance.now();
      if (now - lastPut < PROGRESS_EVERY_MS) return;
      lastPut = now;
      void store.progress
        .put(key, JSON.stringify({ steps, total }))
        .catch(goOn(`worker: the progress of ${job.dir} could not be stored; the next one says it`, 0, log));
    });
  } catch (e) {
    clearInterval(tick);
    if (!(e instanceof UserError)) throw e;
    // The run itself is wrong (its config, a divergence): no other worker would do better.
    await retry("storing a failure", () =>
      store.objects.putBlob({ name: failedName(job) }, new TextEncoder().encode(e.message)),
    );
    msg.term();
    log(`${job.dir}: failed: ${e.message}`);
    return;
  }
  clearInterval(tick);
  while (busy) await new Promise((r) => setTimeout(r, 50));
  const record: ResultsRecord = { sweep: job.sweep, dir: job.dir, configHash, delivery: msg.info.deliveryCount };
  writeJsonAtomic(join(out, "run.json"), record);
  const results = pack(out, ["run.json", "config.json", "metrics.jsonl", "summary.json", "final"]);
  await retry("storing results", () => store.objects.putBlob({ name: resultsName(job.sweep, job.dir) }, results));
  await retry("acknowledging", () => msg.ackAck());
  // What the run kept on the server while it trained; one that is gone already is nothing to do.
  const cleanUp = (e: unknown): void => {
    if (!notFound(e)) givenUp(`worker: what ${job.dir} kept on the server while training stays there`, e, log);
  };
  await store.objects.delete(checkpointName(job.sweep, job.dir)).catch(cleanUp);
  await store.objects.delete(metricsName(job.sweep, job.dir)).catch(cleanUp);
  await store.progress.delete(key).catch(cleanUp);
  rmSync(out, { recursive: true, force: true });
  log(`${job.dir}: done`);
}

/** How often a running job's progress entry is written (at most). */
const PROGRESS_EVERY_MS = 1000;

/**
 * Whether another worker is running this job now: its progress entry moves while we watch it. A job comes back
 * while its worker lives when the server has lost that worker's in-progress acknowledgements (a restart, a long
 * reconnect); a job whose worker died leaves an entry that stands still. Watched only where an entry exists.
 */
export async function runningElsewhere(
  store: SweepStore,
  key: string,
  msg: JsMsg,
  log: (line: string) => void,
): Promise<boolean> {
  // An entry that cannot be read counts as none (the job runs): said, since a doubled run may follow.
  const revision = async (): Promise<number | null> => {
    try {
      return (await store.progress.get(key))?.revision ?? null;
    } catch (e) {
      const why = printable(e instanceof Error ? e.message : String(e), 160);
      log(`${key}: its progress entry could not be read (${why}): taken as no other worker's`);
      return null;
    }
  };
  const first = await revision();
  if (first === null) return false;
  for (let waited = 0; waited < 2.5 * PROGRESS_EVERY_MS; waited += 250) {
    msg.working();
    await new Promise((r) => setTimeout(r, 250));
    if ((await revision()) !== first) return true;
  }
  return false;
}

/** Says once what was given up on and why (work that the next tick or delivery does again). */
function gaveUp(log: (line: string) => void, what: string, e: unknown): void {
  log(`${what} failed for now (${printable(e instanceof Error ? e.message : String(e), 160)}); trying again later`);
}

export async function runNatsWorker(options: WorkerOptions): Promise<void> {
  const nc = await connectNats(options.url, "peerlearn worker");
  const store = await retry("opening the sweep store", () => openSweepStore(nc));
  const consumer = await retry("opening the work queue", () => store.consumer());
  const root = mkdtempSync(join(tmpdir(), "peerlearn-worker-"));
  // Stopped at any moment (Ctrl-C, a kill), its runs are delivered again after the ack wait and resume from the
  // checkpoints stored last: there is nothing to clean up first.
  options.log(`peerlearn worker: ${options.slots} slots on ${redactUrl(options.url)}; waiting for runs`);
  const threadUrl = new URL("../../experiments/run-worker.js", import.meta.url);
  try {
    await Promise.all(
      Array.from({ length: options.slots }, async () => {
        const thread = new Worker(threadUrl);
        try {
          for (;;) {
            let msg: JsMsg | null = null;
            try {
              msg = await consumer.next({ expires: 2000 });
            } catch (e) {
              givenUp("worker: no job this time, the server did not answer; asking again", e, options.log);
              await new Promise((r) => setTimeout(r, 500)); // reconnecting
            }
            if (msg) await runJob(store, msg, thread, root, options.log);
          }
        } finally {
          await thread.terminate();
        }
      }),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
    await nc.drain().catch(goOn("worker: the NATS connection did not close cleanly", undefined, options.log));
  }
}
