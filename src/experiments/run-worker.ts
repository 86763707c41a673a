/**
 * A worker thread of `peerlearn experiment`: runs one group run at a time (whatever the main thread sends), with
 * its own kernels and, for MuJoCo tasks, its own engine. A run resumes from its checkpoints and a finished run is
 * skipped, by trainGroup itself, so a killed experiment loses at most the steps since each run's last checkpoint.
 */
import { parentPort } from "node:worker_threads";
import { prepareEnv } from "../envs/registry.js";
import { getKernels } from "../nn/kernels/select.js";
import { trainGroup } from "../peers/train-group.js";
import type { ToWorker, FromWorker } from "./run-protocol.js";

const port = parentPort;
if (!port) throw new Error("run-worker.js runs as a worker thread");
const kernels = getKernels();
const send = (m: FromWorker): void => port.postMessage(m);

port.on("message", (m: ToWorker) => {
  if (m.type === "stop") {
    port.close();
    return;
  }
  void (async () => {
    try {
      await prepareEnv(m.config.env);
      const summary = trainGroup(m.config, {
        out: m.out,
        kernels,
        preset: m.preset,
        progress: (line) => {
          const match = /(\d+)\/(\d+) steps/.exec(line);
          if (match) send({ type: "progress", id: m.id, steps: Number(match[1]), total: Number(match[2]) });
        },
      });
      send({ type: "done", id: m.id, summary });
    } catch (e) {
      const err = e as Error;
      // A system error's code and path travel too: a full disk is the user's to free, not a bug (cli/failure.ts).
      const { code, path } = err as NodeJS.ErrnoException;
      send({ type: "failed", id: m.id, message: err.message, name: err.name, stack: err.stack ?? "", code, path });
    }
  })();
});
