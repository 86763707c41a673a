/**
 * Peers that train truly in parallel: trainer threads (trainer-worker.ts) that take over the learning peers'
 * training, DQN, SAC or TD3 alike, through the agents' trainer seam (agents/remote-training.ts). In the lockstep
 * schedule all peers act, then all peers whose rollout is complete train at once, spread over the threads; the
 * results are identical to training them one after another (same generator states, same order of target
 * updates), only faster. The calling thread takes a share too (it would only wait otherwise, and its agents' state
 * stays where acting reads it), and there are no more threads than cores: each trains its agents one after another.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Kernels } from "../nn/kernels/kernels.js";
import type { RemoteTrainable } from "../agents/remote-training.js";
import { Command, Ctrl, Num, Slot, State, blockViews, readRandomState, writeRandomState, type AgentSlotInit, type TrainerInit } from "./trainer-protocol.js";

interface Thread {
  readonly worker: Worker;
  readonly ctrl: Int32Array;
  readonly backend: string;
}

interface AgentSlot {
  readonly thread: Thread;
  readonly words: Int32Array;
  readonly numbers: Float64Array;
  /** The shared copies of the agent's state blocks. */
  readonly shared: Float32Array[];
  readonly init: AgentSlotInit;
}

export interface TrainerPoolOptions {
  /** Threads that train, the calling one included when `trainHere` (default: one per core, at most one per agent). */
  readonly threads?: number;
  /** Whether the calling thread trains a share of the agents itself (default true; tests turn it off). */
  readonly trainHere?: boolean;
}

export class TrainerPool {
  private readonly slots = new Map<RemoteTrainable, AgentSlot>();
  private readonly threads: Thread[] = [];
  /** The agents the calling thread trains itself. */
  private readonly local: RemoteTrainable[] = [];

  constructor(agents: readonly RemoteTrainable[], kernels: Kernels, options: TrainerPoolOptions = {}) {
    const workerUrl = new URL("./trainer-worker.js", import.meta.url);
    const trainHere = options.trainHere ?? true;
    const executors = Math.max(1, Math.min(options.threads ?? availableParallelism(), agents.length));
    // Agent i goes to executor i mod executors; executor 0 is this thread when it trains here.
    const remote = agents.filter((_, i) => !(trainHere && i % executors === 0));
    for (const [i, agent] of agents.entries()) if (trainHere && i % executors === 0) this.local.push(agent);
    const n = Math.min(trainHere ? executors - 1 : executors, remote.length);
    const perThread: AgentSlotInit[][] = Array.from({ length: n }, () => []);
    const inits = remote.map((agent, i) => {
      const init = slotInit(agent);
      perThread[i % n].push(init);
      return init;
    });
    for (let w = 0; w < n; w++) {
      const init: TrainerInit = { backend: kernels.name, ctrl: new SharedArrayBuffer(Ctrl.length * 4), agents: perThread[w] };
      const worker = new Worker(workerUrl, { workerData: init });
      const ctrl = new Int32Array(init.ctrl);
      // A trainer that dies before its loop (e.g. its module fails to load) cannot flag it itself.
      worker.on("error", (e) => {
        console.error(`peerlearn trainer thread: ${e.stack ?? e}`);
        Atomics.store(ctrl, Ctrl.failed, 1);
        Atomics.notify(ctrl, Ctrl.state);
      });
      worker.unref();
      this.threads.push({ worker, ctrl, backend: kernels.name });
    }
    remote.forEach((agent, i) => {
      const init = inits[i];
      agent.remoteTraining = true;
      this.slots.set(agent, {
        thread: this.threads[i % n],
        words: new Int32Array(init.slot),
        numbers: new Float64Array(init.numbers),
        shared: blockViews(init.blocks, init.blockLengths),
        init,
      });
    });
    this.waitReady();
  }

  /** Waits until every thread has started: one whose start-up fails never becomes ready. */
  private waitReady(limitMs = 60_000): void {
    for (const t of this.threads) {
      const deadline = Date.now() + limitMs;
      while (Atomics.load(t.ctrl, Ctrl.ready) !== 1) {
        if (Atomics.load(t.ctrl, Ctrl.failed) === 1 || Date.now() > deadline) {
          throw new Error(`a trainer thread did not start (${t.backend} kernels); run without group.parallelTraining`);
        }
        Atomics.wait(t.ctrl, Ctrl.ready, 0, 100);
      }
    }
  }

  private get(agent: RemoteTrainable): AgentSlot {
    const s = this.slots.get(agent);
    if (!s) throw new Error("this agent has no trainer thread");
    return s;
  }

  private send(t: Thread, command: number): void {
    if (Atomics.load(t.ctrl, Ctrl.failed) === 1) throw new Error("a trainer thread failed (its error is printed above)");
    t.ctrl[Ctrl.command] = command;
    Atomics.store(t.ctrl, Ctrl.state, State.command);
    Atomics.notify(t.ctrl, Ctrl.state);
  }

  private wait(t: Thread): void {
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

  /** Hands the trainer what acting changed: the generator, the buffer's position, deferred work. */
  private handOver(agent: RemoteTrainable, s: AgentSlot): void {
    const buf = agent.buffer.getState();
    s.words[Slot.bufferPos] = buf.pos;
    s.words[Slot.bufferFull] = buf.full ? 1 : 0;
    s.words[Slot.due] = 1;
    writeRandomState(s.numbers, agent.random.getState());
    s.numbers[Num.deferred] = agent.takeDeferred();
  }

  /** Takes back the blocks acting reads (or all of them), the trainer's numbers and the generator. */
  private takeBack(agent: RemoteTrainable, s: AgentSlot, allBlocks: boolean): void {
    // Fresh views: a heap that grew (wasm memory) leaves earlier views detached.
    const local = agent.stateBlocks();
    if (allBlocks) local.forEach((b, i) => b.set(s.shared[i]));
    else for (const i of s.init.actingBlocks) local[i].set(s.shared[i]);
    agent.setTrainerScalars(s.numbers.subarray(Num.scalars));
    agent.random.setState(readRandomState(s.numbers));
  }

  /** One training round for each of `agents`, spread over the threads; returns when every one is done. */
  trainRound(agents: readonly RemoteTrainable[]): void {
    const chosen = agents.filter((a) => this.slots.has(a));
    for (const s of this.slots.values()) s.words[Slot.due] = 0; // a thread trains only the agents due now
    const busy = new Set<Thread>();
    for (const agent of chosen) {
      const s = this.get(agent);
      this.handOver(agent, s);
      busy.add(s.thread);
    }
    for (const t of busy) this.send(t, Command.train);
    // This thread's share, while the others train.
    for (const agent of agents) if (this.local.includes(agent)) agent.trainNow();
    for (const t of busy) this.wait(t);
    for (const agent of chosen) this.takeBack(agent, this.get(agent), false);
  }

  /**
   * Brings every agent's whole training state (targets, optimisers) back into its own copy (before saving).
   * Deferred work (DQN's target updates since the last round) is applied first, so the saved state is the
   * sequential one.
   */
  syncAll(): void {
    for (const [agent, s] of this.slots) this.handOver(agent, s); // every agent is due
    for (const t of this.threads) this.send(t, Command.sync);
    for (const t of this.threads) this.wait(t);
    for (const [agent, s] of this.slots) this.takeBack(agent, s, true);
  }

  close(): void {
    for (const t of this.threads) {
      this.send(t, Command.exit);
      void t.worker.terminate();
    }
    for (const agent of this.slots.keys()) agent.remoteTraining = false;
  }
}

/** The shared memory of one agent, filled with its whole training state (fresh, or restored from a checkpoint). */
function slotInit(agent: RemoteTrainable): AgentSlotInit {
  const replay = agent.buffer.sharedMemory();
  if (!replay) throw new Error("parallel training needs the replay buffer in shared memory");
  const local = agent.stateBlocks();
  const blockLengths = local.map((b) => b.length);
  const scalars = agent.trainerScalars();
  const init: AgentSlotInit = {
    spec: agent.spec,
    replay,
    slot: new SharedArrayBuffer(Slot.length * 4),
    numbers: new SharedArrayBuffer((Num.scalars + scalars.length) * 8),
    blocks: new SharedArrayBuffer(blockLengths.reduce((a, b) => a + b, 0) * 4),
    blockLengths,
    actingBlocks: agent.actingBlocks,
  };
  const shared = blockViews(init.blocks, blockLengths);
  local.forEach((b, i) => shared[i].set(b));
  new Float64Array(init.numbers).set(scalars, Num.scalars);
  return init;
}
