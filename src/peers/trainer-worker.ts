/**
 * A trainer thread: owns one DQN peer's target network and optimiser, reads its replay buffer from shared memory,
 * and runs training rounds on command (trainer-protocol.ts). Acting stays in the main thread with a copy of the
 * online network, refreshed after every round.
 */
import { workerData } from "node:worker_threads";
import { Random } from "../core/random.js";
import { getKernels } from "../nn/kernels/select.js";
import { DqnNetworks } from "../agents/dqn-update.js";
import { trainRound } from "../agents/dqn.js";
import { ReplayBuffer } from "../agents/replay-buffer.js";
import { Command, Ctrl, State, type TrainerInit } from "./trainer-protocol.js";

const init = workerData as TrainerInit;
const c = init.config;
const kernels = getKernels(init.backend);
const rng = new Random(0);
const networks = new DqnNetworks(kernels, { obsDim: init.obsDim, nActions: init.nActions, hidden: c.netArch, batchSize: c.batchSize, learningRate: c.learningRate, gamma: c.gamma, maxGradNorm: c.maxGradNorm }, rng);
const ctrl = new Int32Array(init.ctrl);
const spare = new Float64Array(init.spare);
const params = new Float32Array(init.params);
networks.qNet.params.data.set(params);
networks.qTarget.params.data.set(new Float32Array(init.target));
networks.optimizer.m.data.set(new Float32Array(init.adamM));
networks.optimizer.v.data.set(new Float32Array(init.adamV));
networks.optimizer.step = ctrl[Ctrl.adamStep];
const buffer = new ReplayBuffer(c.bufferSize, init.obsDim, 1, init.replay);
const indices = new Int32Array(c.batchSize);
const batch = {
  obs: kernels.heap.alloc(c.batchSize * init.obsDim),
  nextObs: kernels.heap.alloc(c.batchSize * init.obsDim),
  actions: new Int32Array(c.batchSize),
  rewards: new Float32Array(c.batchSize),
  dones: new Float32Array(c.batchSize),
};

Atomics.store(ctrl, Ctrl.ready, 1);
Atomics.notify(ctrl, Ctrl.ready);

function train(): void {
  buffer.setState({ pos: ctrl[Ctrl.bufferPos], full: ctrl[Ctrl.bufferFull] === 1 });
  rng.setState({
    s: [ctrl[Ctrl.rng0] >>> 0, ctrl[Ctrl.rng0 + 1] >>> 0, ctrl[Ctrl.rng0 + 2] >>> 0, ctrl[Ctrl.rng0 + 3] >>> 0],
    spareNormal: ctrl[Ctrl.hasSpare] === 1 ? spare[0] : null,
  });
  // The target updates the main thread counted since the last round, in order, with the online net unchanged.
  for (let k = ctrl[Ctrl.pendingTargetUpdates]; k > 0; k--) networks.updateTarget(c.tau);
  trainRound(networks, buffer, rng, c, indices, batch);
  const st = rng.getState();
  for (let i = 0; i < 4; i++) ctrl[Ctrl.rng0 + i] = st.s[i] | 0;
  ctrl[Ctrl.hasSpare] = st.spareNormal === null ? 0 : 1;
  spare[0] = st.spareNormal ?? 0;
  params.set(networks.qNet.params.data);
}

function sync(): void {
  for (let k = ctrl[Ctrl.pendingTargetUpdates]; k > 0; k--) networks.updateTarget(c.tau);
  new Float32Array(init.target).set(networks.qTarget.params.data);
  new Float32Array(init.adamM).set(networks.optimizer.m.data);
  new Float32Array(init.adamV).set(networks.optimizer.v.data);
  ctrl[Ctrl.adamStep] = networks.optimizer.step;
}

for (;;) {
  // Wait for a command. The value waited on must be the one just compared: re-reading it for Atomics.wait would
  // miss a command stored in between and sleep through its notification (the time limit is a second guard).
  for (let state = Atomics.load(ctrl, Ctrl.state); state !== State.command; state = Atomics.load(ctrl, Ctrl.state)) {
    Atomics.wait(ctrl, Ctrl.state, state, 1000);
  }
  const command = ctrl[Ctrl.command];
  if (command === Command.exit) break;
  try {
    if (command === Command.train) train();
    else if (command === Command.sync) sync();
    Atomics.store(ctrl, Ctrl.state, State.done);
  } catch (e) {
    console.error(`peerlearn trainer thread: ${(e as Error).stack ?? e}`);
    Atomics.store(ctrl, Ctrl.failed, 1);
    Atomics.store(ctrl, Ctrl.state, State.failed);
  }
  Atomics.notify(ctrl, Ctrl.state);
}
