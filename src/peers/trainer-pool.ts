/**
 * Peers that train truly in parallel: one trainer thread per learning DQN peer (trainer-worker.ts). In the
 * lockstep schedule all peers act, then all peers whose rollout is complete train at once, each on its own core;
 * the results are identical to training them one after another (same generator states, same order of target
 * updates), only faster.
 */
import { Worker } from "node:worker_threads";
import type { Kernels } from "../nn/kernels/kernels.js";
import type { Dqn } from "../agents/dqn.js";
import { Command, Ctrl, State, type TrainerInit } from "./trainer-protocol.js";

interface Trainer {
  readonly dqn: Dqn;
  readonly worker: Worker;
  readonly ctrl: Int32Array;
  readonly spare: Float64Array;
  readonly params: Float32Array;
  readonly init: TrainerInit;
}

export class TrainerPool {
  private readonly trainers = new Map<Dqn, Trainer>();

  constructor(dqns: readonly Dqn[], kernels: Kernels) {
    const workerUrl = new URL("./trainer-worker.js", import.meta.url);
    for (const dqn of dqns) {
      const replay = dqn.buffer.sharedMemory();
      if (!replay) throw new Error("parallel training needs the replay buffer in shared memory");
      const n = dqn.networks.qNet.params.length;
      const shared = (bytes: number): SharedArrayBuffer => new SharedArrayBuffer(bytes);
      const init: TrainerInit = {
        backend: kernels.name,
        config: dqn.config,
        obsDim: dqn.obsDim,
        nActions: dqn.nActions,
        replay,
        ctrl: shared(Ctrl.length * 4),
        spare: shared(8),
        params: shared(n * 4),
        target: shared(n * 4),
        adamM: shared(n * 4),
        adamV: shared(n * 4),
      };
      // The trainer starts from this DQN's whole training state (fresh, or restored from a checkpoint).
      const params = new Float32Array(init.params);
      params.set(dqn.networks.qNet.params.data);
      new Float32Array(init.target).set(dqn.networks.qTarget.params.data);
      new Float32Array(init.adamM).set(dqn.networks.optimizer.m.data);
      new Float32Array(init.adamV).set(dqn.networks.optimizer.v.data);
      new Int32Array(init.ctrl)[Ctrl.adamStep] = dqn.networks.optimizer.step;
      const worker = new Worker(workerUrl, { workerData: init });
      const ctrl = new Int32Array(init.ctrl);
      // A trainer that dies before its loop (e.g. its module fails to load) cannot flag it itself.
      worker.on("error", (e) => {
        console.error(`peerlearn trainer thread: ${e.stack ?? e}`);
        Atomics.store(ctrl, Ctrl.failed, 1);
        Atomics.notify(ctrl, Ctrl.state);
      });
      worker.unref();
      dqn.remoteTraining = true;
      this.trainers.set(dqn, { dqn, worker, ctrl, spare: new Float64Array(init.spare), params, init });
    }
    this.waitReady();
  }

  /** Waits until every trainer has started: one whose start-up fails never becomes ready. */
  private waitReady(limitMs = 60_000): void {
    for (const t of this.trainers.values()) {
      const deadline = Date.now() + limitMs;
      while (Atomics.load(t.ctrl, Ctrl.ready) !== 1) {
        if (Atomics.load(t.ctrl, Ctrl.failed) === 1 || Date.now() > deadline) {
          throw new Error(`a trainer thread did not start (${t.init.backend} kernels); run without group.parallelTraining`);
        }
        Atomics.wait(t.ctrl, Ctrl.ready, 0, 100);
      }
    }
  }

  private get(dqn: Dqn): Trainer {
    const t = this.trainers.get(dqn);
    if (!t) throw new Error("this DQN has no trainer thread");
    return t;
  }

  private send(t: Trainer, command: number): void {
    if (Atomics.load(t.ctrl, Ctrl.failed) === 1) throw new Error("a trainer thread failed (its error is printed above)");
    t.ctrl[Ctrl.command] = command;
    Atomics.store(t.ctrl, Ctrl.state, State.command);
    Atomics.notify(t.ctrl, Ctrl.state);
  }

  private wait(t: Trainer): void {
    // A bounded wait, so that a trainer that died before it could answer (its start-up failed: `failed` is set by
    // its error handler) does not block this thread forever.
    while (Atomics.load(t.ctrl, Ctrl.state) === State.command) {
      Atomics.wait(t.ctrl, Ctrl.state, State.command, 1000);
      if (Atomics.load(t.ctrl, Ctrl.failed) === 1) break;
    }
    if (Atomics.load(t.ctrl, Ctrl.failed) === 1 || Atomics.load(t.ctrl, Ctrl.state) === State.failed) {
      throw new Error("a trainer thread failed (its error is printed above)");
    }
    Atomics.store(t.ctrl, Ctrl.state, State.idle);
  }

  /** One training round for each of `dqns`, all at once; returns when every one is done. */
  trainRound(dqns: readonly Dqn[]): void {
    for (const dqn of dqns) {
      const t = this.get(dqn);
      const st = dqn.random.getState();
      const buf = dqn.buffer.getState();
      t.ctrl[Ctrl.bufferPos] = buf.pos;
      t.ctrl[Ctrl.bufferFull] = buf.full ? 1 : 0;
      t.ctrl[Ctrl.pendingTargetUpdates] = dqn.pendingTargetUpdates;
      dqn.pendingTargetUpdates = 0;
      for (let i = 0; i < 4; i++) t.ctrl[Ctrl.rng0 + i] = st.s[i] | 0;
      t.ctrl[Ctrl.hasSpare] = st.spareNormal === null ? 0 : 1;
      t.spare[0] = st.spareNormal ?? 0;
      this.send(t, Command.train);
    }
    for (const dqn of dqns) {
      const t = this.get(dqn);
      this.wait(t);
      dqn.networks.qNet.params.data.set(t.params);
      dqn.random.setState({
        s: [t.ctrl[Ctrl.rng0] >>> 0, t.ctrl[Ctrl.rng0 + 1] >>> 0, t.ctrl[Ctrl.rng0 + 2] >>> 0, t.ctrl[Ctrl.rng0 + 3] >>> 0],
        spareNormal: t.ctrl[Ctrl.hasSpare] === 1 ? t.spare[0] : null,
      });
    }
  }

  /** Brings the target networks and optimiser states back into the main thread's copies (before saving). */
  syncAll(): void {
    for (const t of this.trainers.values()) {
      // Target updates counted since the last round are applied first, so the saved target is the sequential one.
      t.ctrl[Ctrl.pendingTargetUpdates] = t.dqn.pendingTargetUpdates;
      t.dqn.pendingTargetUpdates = 0;
      this.send(t, Command.sync);
      this.wait(t);
      const n = t.dqn.networks;
      n.qTarget.params.data.set(new Float32Array(t.init.target));
      n.optimizer.m.data.set(new Float32Array(t.init.adamM));
      n.optimizer.v.data.set(new Float32Array(t.init.adamV));
      n.optimizer.step = t.ctrl[Ctrl.adamStep];
    }
  }

  close(): void {
    for (const t of this.trainers.values()) {
      this.send(t, Command.exit);
      void t.worker.terminate();
    }
  }
}
