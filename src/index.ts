/**
 * peerlearn as a library: `import { ... } from "peerlearn"`.
 *
 * - Environments: the `Env` interface (Gymnasium's semantics: terminated vs truncated), `make`, `registerEnv` to
 *   add your own, the spaces.
 * - Agents: DQN, SAC (with gSDE) and TD3 with Stable-Baselines3 1.5's semantics (each a `Learner`: what a peer
 *   group asks of it), `OffPolicyLoop` (one agent's env steps with seams), and `train`, a single agent's run with
 *   evaluation, metrics, checkpoints and exact resume.
 * - Peer learning: `trainGroup` runs a group config (`validateGroupRunConfig` checks one; `findPreset` gives the
 *   paper's), `PeerGroup` is one step of a peer with advice; `registerValueTerm` and `registerAdvisor` add
 *   mechanisms of one's own (docs/library.md, "Adding a mechanism").
 * - Experiments: the paper's tables and figures as data, their runner (worker threads, or worker processes on many
 *   machines through NATS JetStream) and reports; the live dashboard; the peers of one group in separate
 *   processes (coordinateGroup, servePeer); the browser demo's training (DemoRun).
 * - ONNX: `exportOnnx` writes a learner's acting policy as an ONNX graph (`exportRunPolicy`: a finished run's);
 *   `OnnxPeer` reads one back as a frozen expert (docs/onnx.md).
 * - Kernels: `getKernels` picks the fastest backend of this machine (or the one asked for).
 *
 * The command line (`peerlearn`) is built on exactly these.
 */
export { Random, type RandomState } from "./core/random.js";
export { UserError } from "./core/errors.js";

export { TimeLimit, type Action, type Env, type EnvState, type StepResult } from "./envs/env.js";
export { box, discrete, type Box, type Discrete, type Space } from "./envs/spaces.js";
export {
  listEnvs,
  make,
  prepareEnv,
  registerEnv,
  resolveEnvOptions,
  type EnvInfo,
  type EnvSpec,
  type OptionSpec,
  type OptionValue,
} from "./envs/registry.js";

export { BACKEND_NAMES, type BackendName, type Kernels } from "./nn/kernels/kernels.js";
export { getKernels } from "./nn/kernels/select.js";

export { DivergenceError, type AgentAction, type OffPolicyAgent } from "./agents/agent.js";
export { Dqn, DQN_DEFAULTS, type DqnConfig } from "./agents/dqn/dqn.js";
export { Sac, SAC_DEFAULTS, type SacConfig } from "./agents/sac/sac.js";
export { Td3, TD3_DEFAULTS, type Td3Config } from "./agents/td3/td3.js";
export { ALGOS, defaultRunConfig, validateRunConfig, type Algo, type HyperparameterSet } from "./agents/config.js";
export { AgentRun, train, type RunConfig, type TrainOptions, type TrainSummary } from "./agents/train.js";
export {
  OffPolicyLoop,
  evaluate,
  type EvalResult,
  type LoopHooks,
  type LoopSettings,
} from "./agents/off-policy-loop.js";
export type { Learner } from "./agents/learner.js";

export { PEER_LEARNING_GROUP, type GroupRunConfig, type GroupSettings, type PeerSpec } from "./peers/config.js";
export { validateGroupRunConfig } from "./peers/validate-config.js";
export { GroupRun } from "./peers/group-run.js";
export { PeerGroup, type GroupPlacement, type Member } from "./peers/group.js";
export {
  listedIn,
  pluginSettings,
  type TermContext,
  type TermMember,
  type ValueTerm,
  type ValueTermPlugin,
} from "./peers/value-term.js";
export { type AdvisedMember, type Advisor, type AdvisorContext, type AdvisorPlugin } from "./peers/advisor.js";
export { ADVISORS, VALUE_TERMS, registerAdvisor, registerValueTerm, valueTermPlugins } from "./peers/mechanisms.js";
export {
  TargetAccumulator,
  askEachPeer,
  type ValueAnswers,
  type ValueFunction,
  type ValueQuery,
} from "./peers/targets.js";
export { Registry } from "./peers/registry.js";
export { PRESETS, findPreset, type Preset } from "./peers/presets.js";
export { trainGroup, type GroupSummary, type GroupTrainOptions, type PeerSummary } from "./peers/train-group.js";

export { EXPERIMENTS, findExperiment, planRuns, type Experiment } from "./experiments/catalog.js";
export { runExperiment, type ExperimentResult, type RunnerOptions } from "./experiments/runner.js";
export { writeExperimentReport } from "./experiments/report.js";
export { evidenceOf, type Evidence, type ScoreRow, type Comparison } from "./experiments/evidence.js";
export {
  aggregateInterval,
  iqm,
  performanceProfile,
  probabilityOfImprovement,
  welchTTest,
  type Interval,
  type BootstrapOptions,
} from "./report/stats.js";
export { runNatsSweep, type NatsSweepOptions } from "./distributed/sweeps/nats-sweep.js";
export { runNatsWorker, type WorkerOptions } from "./distributed/sweeps/nats-worker.js";
export { startDashboard, type Dashboard, type DashboardOptions } from "./dashboard/server.js";
export { coordinateGroup, type CoordinatorOptions } from "./distributed/peers/peer-coordinator.js";
export { servePeer, type PeerServerOptions } from "./distributed/peers/peer-server.js";
export type { MemberLoop } from "./peers/member-loop.js";
export { DemoRun, demoConfig } from "./demo/demo-run.js";
export { DEMO_DEFAULTS, type DemoSettings, type DemoFrame, type DemoEvaluation } from "./demo/settings.js";
export { startDemoServer, type DemoServer } from "./demo/server.js";
export { resolvePeers, withResolvedPeers, type ResolvedPeer } from "./peers/peer-settings.js";
export { exportOnnx, type ExportSpaces } from "./onnx/export.js";
export { readOnnxModel, decodeOnnxModel } from "./onnx/read-model.js";
export { readOnnxPolicy, type OnnxPolicy } from "./onnx/onnx-policy.js";
export { OnnxPeer } from "./peers/onnx-peer.js";
export { exportRunPolicy } from "./cli/export.js";
export type { PolicyDescription } from "./agents/policy-description.js";
