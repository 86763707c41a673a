/**
 * Where a sweep lives on NATS JetStream (the only thing the machines share):
 * - the stream PEERLEARN_RUNS (work-queue retention, file storage) holds one message per run still to do, on the
 *   subject peerlearn.runs.<sweep>; the message id is the run's id, so publishing a sweep again adds nothing twice;
 * - the durable pull consumer peerlearn-workers hands each run to one worker slot, which keeps it with progress
 *   heartbeats and acknowledges it when its results are stored; a run whose worker died is delivered again after
 *   the ack wait;
 * - the object store peerlearn-runs holds each run's newest checkpoint and, at the end, its results (config,
 *   metrics, summary, final weights), written idempotently by run id;
 *   While a run trains, its metrics.jsonl is kept there too (`<sweep>/<dir>/metrics`), for dashboards;
 * - the stream PEERLEARN_DEAD (subject peerlearn.dead.runs) records each job a worker refused (not JSON, a field
 *   of the wrong type or out of bounds, a run folder that is not a plain id), with the reason;
 * - the key-value bucket peerlearn-progress holds each running run's env steps, for the sweep's progress line, and
 *   each sweep's plan and progress under `sweeps.<sweep>` (written by the `experiment --nats` command).
 */
import { createHash } from "node:crypto";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  AckPolicy,
  DeliverPolicy,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type Consumer,
  type JetStreamClient,
} from "@nats-io/jetstream";
import { Objm, type ObjectStore } from "@nats-io/obj";
import { Kvm, type KV } from "@nats-io/kv";

export const STREAM = "PEERLEARN_RUNS";
export const CONSUMER = "peerlearn-workers";
export const OBJECTS = "peerlearn-runs";
export const PROGRESS = "peerlearn-progress";
/**
 * A worker slot must show it is alive this often (it heartbeats every ACK_WAIT_MS / 4); a run whose worker died is
 * delivered again after it. PEERLEARN_NATS_ACK_WAIT_MS changes it for a new server (the tests use seconds).
 */
export const ACK_WAIT_MS = Math.max(1000, Number(process.env.PEERLEARN_NATS_ACK_WAIT_MS ?? 20_000) || 20_000);

export type { RunJob } from "./sweep-messages.js";

/** Where jobs that cannot be run are recorded, with the reason (the stream PEERLEARN_DEAD keeps the newest 10,000). */
export const DEAD_STREAM = "PEERLEARN_DEAD";
export const DEAD_RUNS_SUBJECT = "peerlearn.dead.runs";

/** A sweep's id: the same experiment, budget, variant and out folder name give the same id on every machine. */
export function sweepId(parts: readonly unknown[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 16);
}

/** Object and key names of a run (object names are free text; keys use dots as separators). */
export const resultsName = (sweep: string, dir: string): string => `${sweep}/${dir}/results`;
export const checkpointName = (sweep: string, dir: string): string => `${sweep}/${dir}/checkpoint`;
export const progressKey = (sweep: string, dir: string): string => `${sweep}.${dir.replace(/[^A-Za-z0-9_-]+/g, "_")}`;
export const metricsName = (sweep: string, dir: string): string => `${sweep}/${dir}/metrics`;
export const sweepKey = (sweep: string): string => `sweeps.${sweep}`;
export const runId = (sweep: string, dir: string): string => `${sweep}/${dir}`;

export interface SweepStore {
  readonly js: JetStreamClient;
  readonly objects: ObjectStore;
  readonly progress: KV;
  consumer(): Promise<Consumer>;
}

/** JetStream's answer for a stream, store or consumer that does not exist yet (anything else is a real failure). */
export function notFound(e: unknown): boolean {
  return e instanceof Error && /not found/i.test(e.message);
}

/** Creates (or opens) the stream, the consumer, the object store and the progress bucket. */
export async function openSweepStore(nc: NatsConnection): Promise<SweepStore> {
  const jsm = await jetstreamManager(nc);
  const minute = 60_000_000_000;
  try {
    await jsm.streams.info(STREAM);
  } catch (e) {
    if (!notFound(e)) throw e;
    await jsm.streams.add({
      name: STREAM,
      subjects: ["peerlearn.runs.>"],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      duplicate_window: 24 * 60 * minute,
    });
  }
  try {
    await jsm.streams.info(DEAD_STREAM);
  } catch (e) {
    if (!notFound(e)) throw e;
    await jsm.streams.add({
      name: DEAD_STREAM,
      subjects: ["peerlearn.dead.>"],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_msgs: 10_000,
      max_msg_size: 64 << 10,
    });
  }
  try {
    await jsm.consumers.info(STREAM, CONSUMER);
  } catch (e) {
    if (!notFound(e)) throw e;
    await jsm.consumers.add(STREAM, {
      durable_name: CONSUMER,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: ACK_WAIT_MS * 1_000_000,
      max_deliver: -1,
    });
  }
  const js = jetstream(nc);
  const objects = await new Objm(nc).create(OBJECTS, { storage: StorageType.File });
  const progress = await new Kvm(nc).create(PROGRESS, { storage: StorageType.File, history: 1 });
  return { js, objects, progress, consumer: () => js.consumers.get(STREAM, CONSUMER) };
}
