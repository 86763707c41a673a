/**
 * Peers that train truly in parallel: trainer threads (trainer-worker.ts) that take over the learning peers'
 * training, DQN, SAC or TD3 alike, through the agents' trainer seam (agents/trainable.ts). In the lockstep
 * schedule all peers act, then all peers whose rollout is complete train at once, spread over the threads; the
 * results are identical to training them one after another (same generator states, same order of target
 * updates), only faster. The calling thread takes a share too (it would only wait otherwise, and its agents' state
 * stays where acting reads it), and there are no more threads than cores: each trains its agents one after another.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Kernels } from "../../nn/kernels/kernels.js";
import { currentBlocks, type ThreadTrainable } from "../trainable.js";
import { precisionOf } from "../../nn/kernels/precision.js";
import {
  Command,
  Ctrl,
  Num,
  Slot,
  SPIN_MS,
  State,
  spinUntil,
  blockViews,
  readRandomState,
  writeRandomState,
  type AgentSlotInit,
  type TrainerInit,
} from "./trainer-protocol.js";

interface Thread {
  readonly worker: Worker;
  readonly ctrl: Int32Array;
  readonly backend: string;
  /** Has agents due in the round being run. */
  busy: boolean;
}

interface AgentSlot {
  readonly agent: ThreadTrainable;
  readonly thread: Thread;
  readonly words: Int32Array;
  readonly numbers: Float64Array;
  /** The agent's state blocks (views of its heap, renewed when it grows) and their shared copies. */
  local: Float32Array[];
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
  private readonly slots: AgentSlot[] = [];
  private readonly threads: Thread[] = [];
  /** The agents the calling thread trains itself, and which of them are due in the round being run. */
  private readonly local: ThreadTrainable[] = [];
  private readonly localDue: boolean[] = [];

  constructor(agents: readonly ThreadTrainable[], kernels: Kernels, options: TrainerPoolOptions = {}) {
    const workerUrl = new URL("./trainer-worker.js", import.meta.url);
    const trainHere = options.trainHere ?? true;
    const executors = Math.max(1, Math.min(options.threads ?? availableParallelism(), agents.length));
    // Agent i goes to executor i mod executors; executor 0 is this thread when it trains here.
    const threaded = agents.filter((_, i) => !(trainHere && i % executors === 0));
    for (const [i, agent] of agents.entries()) if (trainHere && i % executors === 0) this.local.push(agent);
    this.localDue.push(...this.local.map(() => false));
    const n = Math.min(trainHere ? executors - 1 : executors, threaded.length);
    const perThread: AgentSlotInit[][] = Array.from({ length: n }, () => []);
    const inits = threaded.map((agent, i) => {
      const init = slotInit(agent);
      perThread[i % n].push(init);
      return init;
    });
    for (let w = 0; w < n; w++) {
      const init: TrainerInit = {
        backend: kernels.name,
        precision: precisionOf(kernels),
        ctrl: new SharedArrayBuffer(Ctrl.length * 4),
        agents: perThread[w],
      };
      const worker = new Worker(workerUrl, { workerData: init });
      const ctrl = new Int32Array(init.ctrl);
      // A trainer that dies before its loop (e.g. its module fails to load) cannot flag it itself.
      worker.on("error", (e) => {
        console.error(`peerlearn trainer thread: ${e.stack ?? e}`);
        Atomics.store(ctrl, Ctrl.failed, 1);
        Atomics.notify(ctrl, Ctrl.state);
      });
      worker.unref();
      this.threads.push({ worker, ctrl, backend: kernels.name, busy: false });
    }
    threaded.forEach((agent, i) => {
      const init = inits[i];
      agent.onTrainerThread = true;
      this.slots.push({
        agent,
        local: agent.stateBlocks(),
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

  private send(t: Thread, command: number): void {
    if (Atomics.load(t.ctrl, Ctrl.failed) === 1)
      throw new Error("a trainer thread failed (its error is printed above)");
    t.ctrl[Ctrl.command] = command;
    Atomics.store(t.ctrl, Ctrl.state, State.command);
    Atomics.notify(t.ctrl, Ctrl.state);
  }

  private wait(t: Thread): void {
    // A bounded wait, so that a trainer that died before it could answer (its start-up failed: `failed` is set by
    // its error handler) does not block this thread forever.
    spinUntil(t.ctrl, Ctrl.state, State.command, false, SPIN_MS);
    while (Atomics.load(t.ctrl, Ctrl.state) === State.command) {
      Atomics.wait(t.ctrl, Ctrl.state, State.command, 1000);
      if (Atomics.load(t.ctrl, Ctrl.failed) === 1) break;
    }
    if (Atomics.load(t.ctrl, Ctrl.failed) === 1 || Atomics.load(t.ctrl, Ctrl.state) === State.failed) {
      throw new Error("a trainer thread failed (its error is printed above)");
    }
    Atomics.store(t.ctrl, Ctrl.state, State.idle);
  }

  /** Hands the trainer what acting changed (the generator, the buffer's position, pending work); marks it due. */
  private handOver(s: AgentSlot): void {
    const buf = s.agent.buffer.getState();
    s.words[Slot.bufferPos] = buf.pos;
    s.words[Slot.bufferFull] = buf.full ? 1 : 0;
    s.words[Slot.due] = 1;
    writeRandomState(s.numbers, s.agent.random.getState());
    s.numbers[Num.pending] = s.agent.takePending();
    s.thread.busy = true;
  }

  /** Takes back the blocks acting reads (or all of them), the trainer's numbers and the generator. */
  private takeBack(s: AgentSlot, allBlocks: boolean): void {
    const local = (s.local = currentBlocks(s.agent, s.local, s.init.blockLengths));
    if (allBlocks) for (let i = 0; i < local.length; i++) local[i].set(s.shared[i]);
    else for (const i of s.init.actingBlocks) local[i].set(s.shared[i]);
    s.agent.setTrainerScalars(s.numbers.subarray(Num.scalars));
    s.agent.random.setState(readRandomState(s.numbers));
  }

  /** Marks `agent` due in the round about to run. */
  private mark(agent: ThreadTrainable): void {
    const k = this.local.indexOf(agent);
    if (k >= 0) {
      this.localDue[k] = true;
      return;
    }
    const s = this.slots.find((x) => x.agent === agent);
    if (!s) throw new Error("this agent is not in the trainer pool");
    this.handOver(s);
  }

  /** Runs `command` for the marked agents, every thread at once and this thread's share meanwhile. */
  private runMarked(command: number): void {
    for (const t of this.threads) if (t.busy) this.send(t, command);
    for (let k = 0; k < this.local.length; k++) {
      if (this.localDue[k] && command === Command.train) this.local[k].trainNow();
      this.localDue[k] = false;
    }
    for (const t of this.threads) if (t.busy) this.wait(t);
    for (const s of this.slots) {
      if (s.words[Slot.due] === 1) this.takeBack(s, command === Command.sync);
      s.words[Slot.due] = 0;
    }
    for (const t of this.threads) t.busy = false;
  }

  /** One training round for each of `agents`, spread over the threads; returns when every one is done. */
  trainRound(agents: readonly ThreadTrainable[]): void {
    for (const agent of agents) this.mark(agent);
    this.runMarked(Command.train);
  }

  /** A training round for every agent whose rollout env step `step` completes; whether there was one. */
  trainDue(step: number): boolean {
    let any = false;
    for (let k = 0; k < this.local.length; k++) any = (this.localDue[k] = this.local[k].trainingDue(step)) || any;
    for (const s of this.slots) {
      if (!s.agent.trainingDue(step)) continue;
      this.handOver(s);
      any = true;
    }
    if (any) this.runMarked(Command.train);
    return any;
  }

  /**
   * Brings every agent's whole training state (targets, optimisers) back into its own copy (before saving).
   * Pending work (DQN's target updates since the last round) is applied first, so the saved state is the
   * sequential one.
   */
  syncAll(): void {
    for (const s of this.slots) this.handOver(s);
    this.runMarked(Command.sync);
  }

  close(): void {
    for (const t of this.threads) {
      this.send(t, Command.exit);
      void t.worker.terminate();
    }
    for (const s of this.slots) s.agent.onTrainerThread = false;
  }
}

/** The shared memory of one agent, filled with its whole training state (fresh, or restored from a checkpoint). */
function slotInit(agent: ThreadTrainable): AgentSlotInit {
  const replay = agent.buffer.sharedMemory();
  if (!replay) throw new Error("parallel training needs the replay buffer in shared memory");
  const local = agent.stateBlocks();
  const blockLengths = local.map((b) => b.length);
  const scalars = new Float64Array(agent.trainerScalarCount);
  agent.writeTrainerScalars(scalars);
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
