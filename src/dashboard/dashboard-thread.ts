/**
 * The dashboard in a worker thread of its own, for `train --dashboard` and `experiment --dashboard`: training
 * keeps the main thread busy, and the page must still be served while it does.
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { UserError } from "../core/errors.js";
import { startDashboard, type DashboardOptions } from "./server.js";

type Reply = { url: string } | { error: string };

/** Starts the dashboard thread; resolves with its address. The thread does not keep the process alive. */
export function startDashboardThread(options: DashboardOptions): Promise<string> {
  const worker = new Worker(new URL(import.meta.url), { workerData: options });
  worker.unref();
  return new Promise((resolve, reject) => {
    worker.once("message", (m: Reply) => ("url" in m ? resolve(m.url) : reject(new UserError(m.error))));
    worker.once("error", reject);
  });
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  startDashboard(workerData as DashboardOptions).then(
    (d) => port.postMessage({ url: d.url } satisfies Reply),
    (e: Error) => port.postMessage({ error: e.message } satisfies Reply),
  );
}
