/**
 * A trainer thread: builds the same agents as the ones it trains for (DQN, SAC or TD3), reads their replay buffers
 * from shared memory, and runs training rounds on command (trainer-protocol.ts), one agent after another. Acting
 * stays in the main thread with a copy of the weights it reads, refreshed after every round.
 */
import { writeSync } from "node:fs";
import { workerData } from "node:worker_threads";
import { Random } from "../../core/random.js";
import { getKernels } from "../../nn/kernels/select.js";
import { buildLearner } from "../algorithms.js";
import { currentBlocks, type ThreadTrainable } from "../trainable.js";
import { usePrecision } from "../../nn/kernels/precision.js";
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

const init = workerData as TrainerInit;
const kernels = getKernels(init.backend);
usePrecision(kernels, init.precision);
const ctrl = new Int32Array(init.ctrl);

/** One agent this thread trains, with its shared memory. */
class Trained {
  readonly rng = new Random(0);
  readonly agent: ThreadTrainable;
  readonly words: Int32Array;
  readonly numbers: Float64Array;
  /** The trainer's scalars within `numbers`. */
  readonly scalars: Float64Array;
  readonly shared: Float32Array[];
  readonly allBlocks: number[];
  private local: Float32Array[];

  constructor(readonly init: AgentSlotInit) {
    this.agent = buildLearner(init.spec, kernels, this.rng, init.replay);
    this.words = new Int32Array(init.slot);
    this.numbers = new Float64Array(init.numbers);
    this.scalars = this.numbers.subarray(Num.scalars);
    this.shared = blockViews(init.blocks, init.blockLengths);
    this.local = this.agent.stateBlocks();
    this.local.forEach((b, i) => b.set(this.shared[i]));
    this.agent.setTrainerScalars(this.scalars);
    this.allBlocks = this.local.map((_, i) => i);
  }

  /** What acting changed since the last command: the buffer's position, the generator, pending work. */
  takeOver(): void {
    this.agent.buffer.setState({ pos: this.words[Slot.bufferPos], full: this.words[Slot.bufferFull] === 1 });
    this.rng.setState(readRandomState(this.numbers));
    this.agent.applyPending(this.numbers[Num.pending]);
  }

  handBack(blocks: readonly number[]): void {
    this.local = currentBlocks(this.agent, this.local, this.init.blockLengths);
    for (const i of blocks) this.shared[i].set(this.local[i]);
    this.agent.writeTrainerScalars(this.scalars);
    writeRandomState(this.numbers, this.rng.getState());
  }
}

const trained = init.agents.map((a) => new Trained(a));

Atomics.store(ctrl, Ctrl.ready, 1);
Atomics.notify(ctrl, Ctrl.ready);

for (;;) {
  // Wait for a command. The value waited on must be the one just compared: re-reading it for Atomics.wait would
  // miss a command stored in between and sleep through its notification (the time limit is a second guard).
  spinUntil(ctrl, Ctrl.state, State.command, true, SPIN_MS);
  for (let state = Atomics.load(ctrl, Ctrl.state); state !== State.command; state = Atomics.load(ctrl, Ctrl.state)) {
    Atomics.wait(ctrl, Ctrl.state, state, 1000);
  }
  const command = ctrl[Ctrl.command];
  if (command === Command.exit) break;
  try {
    for (const t of trained) {
      if (t.words[Slot.due] !== 1) continue;
      t.takeOver();
      if (command === Command.train) {
        t.agent.trainNow();
        t.handBack(t.init.actingBlocks);
      } else if (command === Command.sync) {
        t.handBack(t.allBlocks);
      }
    }
    Atomics.store(ctrl, Ctrl.state, State.done);
  } catch (e) {
    // Written synchronously: the main thread is blocked waiting for this answer, so a console message (which
    // travels through its event loop) would never be printed.
    writeSync(2, `peerlearn trainer thread: ${(e as Error).stack ?? e}\n`);
    Atomics.store(ctrl, Ctrl.failed, 1);
    Atomics.store(ctrl, Ctrl.state, State.failed);
  }
  Atomics.notify(ctrl, Ctrl.state);
}
